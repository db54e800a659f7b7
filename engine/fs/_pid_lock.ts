/**
 * The pid lock file shared by the real adapters (`deno_fs.ts`, `node_fs.ts`): the algorithm is
 * written once here, web-standard, and each adapter supplies the few runtime calls it needs as a
 * {@linkcode PidLockIo}.
 *
 * Taking the lock:
 * 1. The path is reserved in an in-process registry (shared by every adapter instance), so a
 *    second `lock` of the same file in this process fails at once, even while the first one is
 *    still writing.
 * 2. The lock file is created exclusively (`O_CREAT|O_EXCL`) holding the pid as text, then
 *    fsync'ed.
 * 3. When it exists, the pid in it is read. A live holder (another process, or this process
 *    when the path is in the registry) means `LOCKED`. A dead holder, or a file that is empty or
 *    not a pid, is stale: it is removed and step 2 is tried again (three attempts in all).
 *
 * Known race: two processes that find the same stale file at the same moment can both remove it
 * and then each create a fresh one; the later remove deletes the file the faster process just
 * created, and both believe they hold the lock. The window is the few microseconds between
 * reading the stale pid and creating the new file. The same holds for a holder caught between
 * creating its file and writing its pid (the file is empty, so it looks stale). Closing the race
 * needs an atomic link-and-verify step that the `FileSystem` port does not have; one database
 * opened by two processes that start within microseconds of each other after a crash is the
 * accepted risk.
 *
 * @module
 */

import { KstoneError } from "../errors.ts";
import type { FileLock } from "./file_system.ts";

/** The runtime calls the lock algorithm needs. Every failure is an `IO_ERROR` KstoneError. */
export interface PidLockIo {
  /** This process's id. */
  readonly pid: number;
  /** A stable spelling of `path` for the in-process registry (e.g. realpath of its folder). */
  canonical(path: string): Promise<string>;
  /** Creates `path` exclusively holding `text` and datasyncs it; `EEXIST` when it exists. */
  createExclusive(path: string, text: string): Promise<void>;
  /** Reads a whole file as UTF-8. */
  readText(path: string): Promise<string>;
  /** Removes a file. */
  remove(path: string): Promise<void>;
  /** Whether a process with this id exists. */
  isAlive(pid: number): boolean;
}

/** Canonical lock paths held by this process, across all adapter instances. */
const held = new Set<string>();

/**
 * Splits a path into its folder and its last segment.
 *
 * @param path A path joined with `/`.
 * @returns The folder (`"."` for a bare name, `"/"` at the root) and the name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitPath } from "./_pid_lock.ts";
 * assert.deepEqual(splitPath("/db/LOCK"), ["/db", "LOCK"]);
 * assert.deepEqual(splitPath("LOCK"), [".", "LOCK"]);
 * assert.deepEqual(splitPath("/LOCK"), ["/", "LOCK"]);
 * ```
 */
export function splitPath(path: string): [string, string] {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  const slash = trimmed.lastIndexOf("/");
  if (slash < 0) return [".", trimmed];
  return [slash === 0 ? "/" : trimmed.slice(0, slash), trimmed.slice(slash + 1)];
}

/**
 * Reads a pid out of a lock file's text.
 *
 * @param text The file's content.
 * @returns The pid, or `undefined` when the text is empty or not a positive integer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePid } from "./_pid_lock.ts";
 * assert.equal(parsePid("1234\n"), 1234);
 * assert.equal(parsePid(""), undefined);
 * assert.equal(parsePid("garbage"), undefined);
 * ```
 */
export function parsePid(text: string): number | undefined {
  const match = /^\s*(\d{1,10})\s*$/.exec(text);
  if (!match) return undefined;
  const pid = Number(match[1]);
  return pid > 0 && pid <= 0x7fffffff ? pid : undefined;
}

/**
 * The `LOCKED` error: `Database is locked: <path> is held by process <pid>`.
 *
 * @param path The lock file.
 * @param pid The holder.
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lockedError } from "./_pid_lock.ts";
 * const error = lockedError("/db/LOCK", 42);
 * assert.equal(error.code, "LOCKED");
 * assert.equal(error.message, "Database is locked: /db/LOCK is held by process 42");
 * ```
 */
export function lockedError(path: string, pid: number): KstoneError {
  return new KstoneError("LOCKED", `Database is locked: ${path} is held by process ${pid}`, {
    path,
  });
}

function isErrno(error: unknown, errno: string): boolean {
  return error instanceof KstoneError && error.errno === errno;
}

/**
 * Takes a pid lock file; see the module documentation for the algorithm and its one race.
 *
 * @param path The lock file's path.
 * @param io The runtime calls.
 * @returns The held lock.
 * @throws {KstoneError} `LOCKED` when a live process holds the file; `IO_ERROR` when the OS fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquirePidLock } from "./_pid_lock.ts";
 * import { ioError } from "../errors.ts";
 * const files = new Map<string, string>();
 * const io = {
 *   pid: 7,
 *   canonical: (path: string) => Promise.resolve(path),
 *   createExclusive(path: string, text: string) {
 *     if (files.has(path)) return Promise.reject(ioError("EEXIST", path));
 *     files.set(path, text);
 *     return Promise.resolve();
 *   },
 *   readText: (path: string) => Promise.resolve(files.get(path) ?? ""),
 *   remove: (path: string) => Promise.resolve(void files.delete(path)),
 *   isAlive: (pid: number) => pid === 7,
 * };
 * files.set("/db/LOCK", "99"); // left by a dead process
 * const lock = await acquirePidLock("/db/LOCK", io);
 * assert.equal(files.get("/db/LOCK"), "7\n");
 * await assert.rejects(acquirePidLock("/db/LOCK", io), { code: "LOCKED" });
 * await lock.release();
 * assert.equal(files.has("/db/LOCK"), false);
 * ```
 */
export async function acquirePidLock(path: string, io: PidLockIo): Promise<FileLock> {
  const key = await io.canonical(path);
  if (held.has(key)) throw lockedError(path, io.pid);
  held.add(key);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await io.createExclusive(path, `${io.pid}\n`);
        return new PidLock(path, key, io);
      } catch (error) {
        if (!isErrno(error, "EEXIST")) throw error;
      }
      let text: string;
      try {
        text = await io.readText(path);
      } catch (error) {
        if (isErrno(error, "ENOENT")) continue; // released meanwhile: try again
        throw error;
      }
      const holder = parsePid(text);
      // Our own pid in a file this process does not hold: a previous run had the same pid.
      if (holder !== undefined && holder !== io.pid && io.isAlive(holder)) {
        throw lockedError(path, holder);
      }
      try {
        await io.remove(path);
      } catch (error) {
        if (!isErrno(error, "ENOENT")) throw error;
      }
    }
    const text = await io.readText(path).catch(() => "");
    throw lockedError(path, parsePid(text) ?? 0);
  } catch (error) {
    held.delete(key);
    throw error;
  }
}

class PidLock implements FileLock {
  readonly path: string;
  #key: string;
  #io: PidLockIo;
  #released = false;

  constructor(path: string, key: string, io: PidLockIo) {
    this.path = path;
    this.#key = key;
    this.#io = io;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    try {
      // Only remove the file while it is still ours (see the takeover race above).
      const text = await this.#io.readText(this.path);
      if (parsePid(text) === this.#io.pid) await this.#io.remove(this.path);
    } catch (error) {
      if (!isErrno(error, "ENOENT")) throw error;
    } finally {
      held.delete(this.#key);
    }
  }
}
