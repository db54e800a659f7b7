/**
 * The one small filesystem interface the engine reaches files through. The engine defines it for
 * its own needs; `deno_fs.ts`, `node_fs.ts` and `memory_fs.ts` implement it, and `error_fs.ts`
 * wraps any of them to inject faults. Only those adapter files mention `Deno.`, `Bun.` or `node:`.
 *
 * Contract, shared by every implementation and checked by `tests/engine/fs/conformance.ts`:
 * - Paths are absolute or relative strings joined with `/` (see {@linkcode joinPath}).
 * - Every failure throws a `KstoneError` with code `IO_ERROR` and the POSIX name in `errno`
 *   (`ENOENT`, `EEXIST`, `EACCES`, `ENOSPC`, `EIO`, ...), built by `ioError`.
 * - Reads and writes on an open file are synchronous (they hit the page cache); `datasync` is
 *   asynchronous so group commit can keep accepting writes while the disk flushes.
 * - Data written is durable only after `datasync`/`datasyncSync` on the file. A created,
 *   renamed or removed name is durable only after `syncDir` on its directory.
 * - An open file stays readable after its name is removed or replaced (POSIX semantics).
 *
 * @module
 */

/** How to open a file. */
export interface OpenOptions {
  /** Create the file when it is missing. @default false */
  create?: boolean;
  /** Fail with `EEXIST` when the file exists (implies `create`). @default false */
  exclusive?: boolean;
  /** Cut the file to zero bytes on open. @default false */
  truncate?: boolean;
}

/** What `stat` tells about a path. */
export interface FileInfo {
  /** Size in bytes (0 for directories). */
  size: number;
  /** Whether the path is a directory. */
  isDirectory: boolean;
}

/**
 * An open file, readable and writable at any offset.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryFileSystem } from "./memory_fs.ts";
 * const fs = new MemoryFileSystem();
 * const file = await fs.open("/a.bin", { create: true });
 * file.append(new Uint8Array([1, 2, 3]));
 * await file.datasync();
 * const out = new Uint8Array(3);
 * assert.equal(file.read(out, 0), 3);
 * file.close();
 * ```
 */
export interface FileHandle {
  /** The path the file was opened with. */
  readonly path: string;
  /** The current size in bytes, including unsynced writes. */
  size(): number;
  /**
   * Reads up to `buffer.length` bytes at `position` into `buffer`.
   * @returns The number of bytes read; less than asked only at end of file.
   */
  read(buffer: Uint8Array, position: number): number;
  /** Writes all of `data` at `position`, growing the file when needed. */
  write(data: Uint8Array, position: number): void;
  /** Writes all of `data` at the end of the file. */
  append(data: Uint8Array): void;
  /** Cuts or extends the file to `size` bytes. */
  truncate(size: number): void;
  /** Makes the file's data durable, off the main thread. */
  datasync(): Promise<void>;
  /** Makes the file's data durable, blocking the caller. */
  datasyncSync(): void;
  /** Closes the handle. Closing twice is a no-op. */
  close(): void;
}

/** A held lock on a database directory; see {@linkcode FileSystem.lock}. */
export interface FileLock {
  /** The lock file's path. */
  readonly path: string;
  /** Releases the lock and removes the lock file. Releasing twice is a no-op. */
  release(): Promise<void>;
}

/**
 * The filesystem port of the engine.
 */
export interface FileSystem {
  /** A short name for messages and test titles, e.g. `"deno"`, `"node"`, `"memory"`. */
  readonly name: string;
  /** Opens a file for reading and writing. */
  open(path: string, options?: OpenOptions): Promise<FileHandle>;
  /** Reads a whole file. */
  readFile(path: string): Promise<Uint8Array>;
  /** Renames `from` to `to`, replacing `to` atomically when it exists. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file. */
  remove(path: string): Promise<void>;
  /** Lists the names (not paths) in a directory, in no particular order. */
  list(dir: string): Promise<string[]>;
  /** Creates a directory and, with `recursive`, its missing parents. */
  mkdir(path: string, options?: { recursive?: boolean }): Promise<void>;
  /** Describes a path; throws `ENOENT` when it does not exist. */
  stat(path: string): Promise<FileInfo>;
  /** Makes the names in a directory (creations, renames, removals) durable. */
  syncDir(path: string): Promise<void>;
  /**
   * Takes the exclusive lock of a database: creates the lock file at `path` holding this
   * process's id. Throws `KstoneError` code `LOCKED` naming the file and the holder's pid when a
   * live process holds it; a lock file left by a dead process is taken over.
   */
  lock(path: string): Promise<FileLock>;
}

/**
 * Joins path segments with `/`, dropping empty segments and duplicate separators.
 *
 * @param parts The segments.
 * @returns The joined path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { joinPath } from "./file_system.ts";
 * assert.equal(joinPath("/db.keystone/", "wal.log"), "/db.keystone/wal.log");
 * ```
 */
export function joinPath(...parts: string[]): string {
  const joined = parts.filter((part) => part !== "").join("/");
  return joined.replace(/\/{2,}/g, "/");
}
