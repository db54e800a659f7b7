import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./_unclosed_child.ts", import.meta.url));

/** The command that runs a script with the runtime running this test. */
function runtimeCommand(script: string): [string, string[]] {
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  if (deno !== undefined) return [deno.execPath(), ["run", "-A", script]];
  return [process.execPath, [script]];
}

test("a script that never closes its database still exits: background timers do not keep it alive", async () => {
  const [command, args] = runtimeCommand(CHILD);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => output += chunk);
  child.stderr.on("data", (chunk) => output += chunk);
  // The sweeper's timer is armed for 60 s and the trimmer's for 60 s: a process kept alive by
  // them would still be running when this deadline kills it.
  const deadline = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  clearTimeout(deadline);
  assert.equal(code, 0, output);
  assert.match(output, /written/);
});
