import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Database } from "../../../engine/db/database.ts";
import { baseSeed, Rng } from "../../helpers/random.ts";

const CHILD = fileURLToPath(new URL("./_kill_child.ts", import.meta.url));

/** The command that runs a script with the runtime running this test. */
function runtimeCommand(script: string, args: string[]): [string, string[]] {
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  if (deno !== undefined) return [deno.execPath(), ["run", "-A", script, ...args]];
  return [process.execPath, [script, ...args]];
}

/**
 * Runs the child until it has acknowledged `acks` writes, then kills it with SIGKILL.
 *
 * @returns The acknowledged writes, in order: key and version.
 */
function runUntilKilled(dir: string, mode: string, first: number, acks: number) {
  return new Promise<[string, number][]>((resolve, reject) => {
    const [command, args] = runtimeCommand(CHILD, [dir, mode, String(first)]);
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    const acked: [string, number][] = [];
    let buffered = "";
    let errors = "";
    let killed = false;
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => errors += chunk);
    child.stdout.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        const [key, version] = line.split(" ");
        acked.push([key!, Number(version)]);
      }
      if (!killed && acked.length >= acks) {
        killed = true;
        child.kill("SIGKILL");
      }
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve(acked);
      else reject(new Error(`the child exited with ${code} before it was killed:\n${errors}`));
    });
  });
}

test(
  "Database.open() after SIGKILL of a writing process finds every acknowledged write (three kills)",
  { timeout: 180_000 },
  async () => {
    const seed = baseSeed("process kill");
    const rng = new Rng(seed);
    const root = await mkdtemp(join(tmpdir(), "kstone-kill-"));
    const dir = join(root, "kill.keystone");
    const latest = new Map<string, number>();
    let next = 0;
    try {
      for (let round = 0; round < 3; round++) {
        const target = 200 + rng.int(400);
        const acked = await runUntilKilled(dir, round === 0 ? "create" : "open", next, target);
        assert.ok(acked.length >= target, `only ${acked.length} acknowledgements`);
        for (const [key, version] of acked) {
          latest.set(key, Math.max(latest.get(key) ?? -1, version));
        }
        next = Math.max(...acked.map(([, version]) => version)) + 1000;

        const db = await Database.open(dir);
        for (const [key, version] of latest) {
          const item = await db.get(key);
          assert.ok(item !== undefined, `${key} (version ${version}) was acknowledged, then lost`);
          const found = item.version as number;
          assert.ok(
            found >= version,
            `${key}: version ${found} is older than acknowledged ${version}`,
          );
          assert.equal(key, `key#${found % 300}`, `${key} holds another key's write`);
          assert.equal(item.pad, "x".repeat(found % 700), `${key} holds a damaged item`);
          latest.set(key, found);
        }
        assert.notEqual(db.health().status, "unhealthy");
        await db.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
);
