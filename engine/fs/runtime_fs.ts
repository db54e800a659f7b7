/**
 * Runtime detection, in one place: which JavaScript runtime is running, and the filesystem
 * adapter that suits it. Neither adapter touches its runtime at import time, so this module
 * loads everywhere.
 *
 * @module
 */

import { DenoFileSystem } from "./deno_fs.ts";
import type { FileSystem } from "./file_system.ts";
import { NodeFileSystem } from "./node_fs.ts";

/** The runtimes kstone knows. */
export type RuntimeName = "deno" | "bun" | "node";

/**
 * Names the running runtime: Deno when `globalThis.Deno.version` exists, Bun when
 * `globalThis.Bun` exists, otherwise Node.
 *
 * @returns The runtime's name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { currentRuntime } from "./runtime_fs.ts";
 * assert.ok(["deno", "bun", "node"].includes(currentRuntime()));
 * ```
 */
export function currentRuntime(): RuntimeName {
  const global = globalThis as { Deno?: { version?: unknown }; Bun?: unknown };
  if (global.Deno?.version !== undefined) return "deno";
  return global.Bun !== undefined ? "bun" : "node";
}

/**
 * The filesystem adapter of the running runtime: {@linkcode DenoFileSystem} on Deno,
 * {@linkcode NodeFileSystem} (through `node:fs`) on Bun and Node.
 *
 * @returns A new adapter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { currentRuntime, defaultFileSystem } from "./runtime_fs.ts";
 * const fs = defaultFileSystem();
 * assert.equal(fs.name, currentRuntime() === "deno" ? "deno" : "node");
 * ```
 */
export function defaultFileSystem(): FileSystem {
  return currentRuntime() === "deno" ? new DenoFileSystem() : new NodeFileSystem();
}

/**
 * Lets the process exit while a timer is pending, as Node's `timer.unref()` and Deno's
 * `Deno.unrefTimer(id)` do: a database's background work (time-to-live sweeps, stream
 * trimming) must not keep a script alive that forgot to close it.
 *
 * @param timer What `setTimeout` returned.
 *
 * @example
 * ```ts
 * import { unrefTimer } from "./runtime_fs.ts";
 * const timer = setTimeout(() => {}, 60_000);
 * unrefTimer(timer); // the test runner need not wait a minute
 * clearTimeout(timer);
 * ```
 */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  if (typeof timer === "number") {
    (globalThis as { Deno?: { unrefTimer?(id: number): void } }).Deno?.unrefTimer?.(timer);
  } else {
    (timer as { unref?(): void }).unref?.();
  }
}
