/**
 * The command line every workload script shares: which runtime runs it, its flags, and where
 * its temporary databases go (the real disk: `tmp/` of the repository when the system temp
 * directory is a RAM filesystem, whose fsyncs cost nothing).
 *
 * @module
 */
import { tmpdir } from "node:os";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { filesystemType } from "./_proc.ts";

/** `bun` under Bun, else `deno`. */
export const runtime: "bun" | "deno" = "Bun" in globalThis ? "bun" : "deno";

const argv = process.argv.slice(2);

/**
 * Whether a flag is on the command line.
 *
 * @param name The flag, e.g. `--quick`.
 * @returns Whether it was given.
 */
export function hasFlag(name: string): boolean {
  return argv.includes(name);
}

/**
 * The value after a flag.
 *
 * @param name The flag, e.g. `--dir`.
 * @returns The value, or `undefined` when the flag is absent.
 */
export function flag(name: string): string | undefined {
  const at = argv.indexOf(name);
  return at < 0 ? undefined : argv[at + 1];
}

/**
 * Where temporary databases go: `--dir`, else the system temp directory unless it lives in RAM.
 *
 * @returns A directory path.
 */
export function benchDir(): string {
  return flag("--dir") ??
    (["tmpfs", "ramfs"].includes(filesystemType(tmpdir()))
      ? fileURLToPath(new URL("../tmp/", import.meta.url))
      : tmpdir());
}
