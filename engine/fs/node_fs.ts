/**
 * The {@linkcode FileSystem} port on `node:fs`, for Bun (and Node); it also runs under Deno's
 * Node compatibility layer. Reads and writes use positional `readSync`/`writeSync` on a file
 * descriptor; syncs use the callback `fdatasync`, which runs off the main thread.
 *
 * Every runtime failure goes through {@linkcode mapNodeError} once, so callers only ever see
 * `IO_ERROR` KstoneErrors with a POSIX `errno`.
 *
 * @module
 */

import * as fs from "node:fs";
import process from "node:process";
import { ioError, KstoneError } from "../errors.ts";
import type { FileHandle, FileInfo, FileLock, FileSystem, OpenOptions } from "./file_system.ts";
import { acquirePidLock, type PidLockIo, splitPath } from "./_pid_lock.ts";

/**
 * Turns whatever `node:fs` threw into an `IO_ERROR` KstoneError, taking the POSIX name from the
 * error's `code` (`"ENOENT"`, `"EACCES"`, ...) and `EIO` when there is none. KstoneErrors pass
 * through unchanged.
 *
 * @param error What was thrown.
 * @param path The file concerned.
 * @returns The error to throw, with the original as `cause`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mapNodeError } from "./node_fs.ts";
 * const denied = Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
 * const error = mapNodeError(denied, "/db/wal.log");
 * assert.equal(error.errno, "EACCES");
 * assert.equal(error.message, "IO error: Permission denied (os error 13): /db/wal.log");
 * assert.equal(error.cause, denied);
 * ```
 */
export function mapNodeError(error: unknown, path: string): KstoneError {
  if (error instanceof KstoneError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const errno = typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : "EIO";
  return ioError(errno, path, error);
}

function attempt<T>(path: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw mapNodeError(error, path);
  }
}

async function attemptAsync<T>(path: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw mapNodeError(error, path);
  }
}

/** Calls a callback-style `node:fs` function as a promise. */
function call<T>(start: (done: (error: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    start((error, value) => error ? reject(error) : resolve(value));
  });
}

function writeAll(fd: number, data: Uint8Array, position: number, path: string): void {
  let done = 0;
  while (done < data.length) {
    const written = fs.writeSync(fd, data, done, data.length - done, position + done);
    if (written <= 0) throw ioError("EIO", path);
    done += written;
  }
}

/** A plain `Uint8Array` over a Buffer's bytes (Buffer's `slice` shares memory; ours copies). */
function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

class NodeFileHandle implements FileHandle {
  readonly path: string;
  #fd: number | undefined;

  constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
  }

  #open(): number {
    if (this.#fd === undefined) throw ioError("EBADF", this.path);
    return this.#fd;
  }

  size(): number {
    return attempt(this.path, () => fs.fstatSync(this.#open()).size);
  }

  read(buffer: Uint8Array, position: number): number {
    return attempt(this.path, () => {
      const fd = this.#open();
      let done = 0;
      while (done < buffer.length) {
        const count = fs.readSync(fd, buffer, done, buffer.length - done, position + done);
        if (count <= 0) break;
        done += count;
      }
      return done;
    });
  }

  write(data: Uint8Array, position: number): void {
    attempt(this.path, () => writeAll(this.#open(), data, position, this.path));
  }

  append(data: Uint8Array): void {
    attempt(this.path, () => {
      const fd = this.#open();
      writeAll(fd, data, fs.fstatSync(fd).size, this.path);
    });
  }

  truncate(size: number): void {
    attempt(this.path, () => fs.ftruncateSync(this.#open(), size));
  }

  datasync(): Promise<void> {
    return attemptAsync(this.path, () => {
      const fd = this.#open();
      return call<void>((done) => fs.fdatasync(fd, (error) => done(error, undefined)));
    });
  }

  datasyncSync(): void {
    attempt(this.path, () => fs.fdatasyncSync(this.#open()));
  }

  close(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) attempt(this.path, () => fs.closeSync(fd));
  }
}

/**
 * Whether a process with this id exists: `kill(pid, 0)` succeeds, or fails with `EPERM`
 * (it exists but belongs to another user).
 *
 * @param pid A process id.
 * @returns `true` when the process is alive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import process from "node:process";
 * import { isProcessAlive } from "./node_fs.ts";
 * assert.equal(isProcessAlive(process.pid), true);
 * assert.equal(isProcessAlive(2147483646), false);
 * ```
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === "EPERM";
  }
}

const lockIo: PidLockIo = {
  pid: process.pid,
  canonical: (path) => {
    const [dir, base] = splitPath(path);
    return fs.promises.realpath(dir).then((real) => `${real}/${base}`, () => path);
  },
  createExclusive: (path, text) =>
    attemptAsync(path, async () => {
      const file = await fs.promises.open(path, "wx");
      try {
        await file.writeFile(text);
        await file.datasync();
      } finally {
        await file.close();
      }
    }),
  readText: (path) => attemptAsync(path, () => fs.promises.readFile(path, "utf8")),
  remove: (path) => attemptAsync(path, () => fs.promises.unlink(path)),
  isAlive: isProcessAlive,
};

/**
 * The filesystem of the machine, through `node:fs`. The default adapter under Bun.
 *
 * `remove` unlinks a file, and removes a directory when it is empty (`ENOTEMPTY` otherwise), as
 * `DenoFileSystem` does. Directory sync opens the directory read-only and fsyncs it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { NodeFileSystem } from "./node_fs.ts";
 * const fs = new NodeFileSystem();
 * const root = mkdtempSync(`${tmpdir()}/kstone-`);
 * const file = await fs.open(`${root}/a.bin`, { create: true });
 * file.write(new Uint8Array([1, 2, 3]), 0);
 * file.datasyncSync();
 * file.close();
 * assert.equal((await fs.stat(`${root}/a.bin`)).size, 3);
 * await assert.rejects(fs.stat(`${root}/missing`), { code: "IO_ERROR", errno: "ENOENT" });
 * rmSync(root, { recursive: true });
 * ```
 */
export class NodeFileSystem implements FileSystem {
  readonly name = "node";

  open(path: string, options: OpenOptions = {}): Promise<FileHandle> {
    const { O_RDWR, O_CREAT, O_EXCL, O_TRUNC } = fs.constants;
    const exclusive = options.exclusive === true;
    let flags = O_RDWR;
    if (options.create === true || exclusive) flags |= O_CREAT;
    if (exclusive) flags |= O_EXCL;
    if (options.truncate === true) flags |= O_TRUNC;
    // Opening an existing file is synchronous: the callback form costs a trip through the thread
    // pool, several times the open itself, and a database opens every SST it lists. Creating or
    // truncating one writes the filesystem's journal and can take milliseconds: that goes to the
    // thread pool, so a flush creating many SSTs does not stall the event loop.
    if (flags !== O_RDWR) {
      return attemptAsync(path, () =>
        new Promise((resolve, reject) => {
          fs.open(path, flags, 0o666, (error, fd) => {
            if (error === null) resolve(new NodeFileHandle(path, fd));
            else reject(error);
          });
        }));
    }
    return attemptAsync(
      path,
      () => Promise.resolve(new NodeFileHandle(path, fs.openSync(path, flags, 0o666))),
    );
  }

  readFile(path: string): Promise<Uint8Array> {
    return attemptAsync(path, async () => plain(await fs.promises.readFile(path)));
  }

  rename(from: string, to: string): Promise<void> {
    return attemptAsync(from, () => fs.promises.rename(from, to));
  }

  remove(path: string): Promise<void> {
    return attemptAsync(path, async () => {
      try {
        await fs.promises.unlink(path);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        // unlink(2) refuses directories: EISDIR on Linux, EPERM on macOS.
        if (code !== "EISDIR" && code !== "EPERM") throw error;
        await fs.promises.rmdir(path).catch((second: { code?: unknown }) => {
          throw second.code === "ENOTDIR" ? error : second;
        });
      }
    });
  }

  list(dir: string): Promise<string[]> {
    return attemptAsync(dir, () => fs.promises.readdir(dir));
  }

  mkdir(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    return attemptAsync(path, async () => {
      await fs.promises.mkdir(path, { recursive: options.recursive === true });
    });
  }

  stat(path: string): Promise<FileInfo> {
    return attemptAsync(path, async () => {
      const info = await fs.promises.stat(path);
      const isDirectory = info.isDirectory();
      return { size: isDirectory ? 0 : info.size, isDirectory };
    });
  }

  syncDir(path: string): Promise<void> {
    return attemptAsync(path, async () => {
      const fd = await call<number>((done) => fs.open(path, fs.constants.O_RDONLY, done));
      try {
        await call<void>((done) => fs.fsync(fd, (error) => done(error, undefined)));
      } finally {
        fs.closeSync(fd);
      }
    });
  }

  lock(path: string): Promise<FileLock> {
    return acquirePidLock(path, lockIo);
  }
}
