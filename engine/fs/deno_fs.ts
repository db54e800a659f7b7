/**
 * The {@linkcode FileSystem} port on Deno's own file APIs (`Deno.open`, `FsFile`, `Deno.rename`,
 * ...). Nothing here touches `Deno` at module load, so importing this file under Bun is harmless;
 * constructing a {@linkcode DenoFileSystem} there throws.
 *
 * Every runtime failure goes through {@linkcode mapDenoError} once, so callers only ever see
 * `IO_ERROR` KstoneErrors with a POSIX `errno`.
 *
 * @module
 */

import process from "node:process";
import { ioError, KstoneError } from "../errors.ts";
import type { FileHandle, FileInfo, FileLock, FileSystem, OpenOptions } from "./file_system.ts";
import { acquirePidLock, type PidLockIo, splitPath } from "./_pid_lock.ts";

/** Deno error classes (by `name`) without a `code`, and the POSIX name they stand for. */
const DENO_ERRNO: Readonly<Record<string, string>> = {
  NotFound: "ENOENT",
  PermissionDenied: "EACCES",
  NotCapable: "EACCES",
  AlreadyExists: "EEXIST",
  NotADirectory: "ENOTDIR",
  IsADirectory: "EISDIR",
  BadResource: "EBADF",
  InvalidData: "EINVAL",
  FilesystemLoop: "ELOOP",
  Busy: "EBUSY",
  Interrupted: "EINTR",
  WriteZero: "EIO",
  UnexpectedEof: "EIO",
};

/**
 * Turns whatever a Deno file API threw into an `IO_ERROR` KstoneError. The POSIX name comes
 * from the error's `code` (`"ENOENT"`, ...) when Deno set one, else from its class
 * (`Deno.errors.NotFound` is `ENOENT`, `PermissionDenied` is `EACCES`, ...), else `EIO`.
 * KstoneErrors pass through unchanged.
 *
 * @param error What was thrown.
 * @param path The file concerned.
 * @returns The error to throw, with the original as `cause`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mapDenoError } from "./deno_fs.ts";
 * const denied = Object.assign(new Error("Permission denied"), { name: "PermissionDenied" });
 * const error = mapDenoError(denied, "/db/wal.log");
 * assert.equal(error.errno, "EACCES");
 * assert.equal(error.message, "IO error: Permission denied (os error 13): /db/wal.log");
 * assert.equal(error.cause, denied);
 * ```
 */
export function mapDenoError(error: unknown, path: string): KstoneError {
  if (error instanceof KstoneError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && /^E[A-Z0-9]+$/.test(code)) return ioError(code, path, error);
  const name = error instanceof Error ? error.name : "";
  return ioError(DENO_ERRNO[name] ?? "EIO", path, error);
}

function attempt<T>(path: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw mapDenoError(error, path);
  }
}

async function attemptAsync<T>(path: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw mapDenoError(error, path);
  }
}

function writeAll(file: Deno.FsFile, data: Uint8Array, path: string): void {
  let done = 0;
  while (done < data.length) {
    const written = file.writeSync(data.subarray(done));
    if (written <= 0) throw ioError("EIO", path);
    done += written;
  }
}

class DenoFileHandle implements FileHandle {
  readonly path: string;
  #file: Deno.FsFile | undefined;
  /**
   * The file's cursor when known, else -1: a read or write already there skips the seek. A file
   * opens with its cursor at 0 (reading an SST's header at open skips a seek).
   */
  #at = 0;

  constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.#file = file;
  }

  #open(): Deno.FsFile {
    if (this.#file === undefined) throw ioError("EBADF", this.path);
    return this.#file;
  }

  size(): number {
    return attempt(this.path, () => this.#open().statSync().size);
  }

  read(buffer: Uint8Array, position: number): number {
    return attempt(this.path, () => {
      const file = this.#open();
      this.#seek(file, position);
      let done = 0;
      while (done < buffer.length) {
        const count = file.readSync(done === 0 ? buffer : buffer.subarray(done));
        if (count === null || count === 0) break;
        done += count;
      }
      this.#at = position + done;
      return done;
    });
  }

  write(data: Uint8Array, position: number): void {
    attempt(this.path, () => {
      const file = this.#open();
      this.#seek(file, position);
      writeAll(file, data, this.path);
      this.#at = position + data.length;
    });
  }

  append(data: Uint8Array): void {
    attempt(this.path, () => {
      const file = this.#open();
      this.#at = -1;
      file.seekSync(0, Deno.SeekMode.End);
      writeAll(file, data, this.path);
    });
  }

  /**
   * Moves the cursor to `position` unless it is there already; the cursor stays unknown until
   * the caller's read or write succeeds and records where it ended.
   */
  #seek(file: Deno.FsFile, position: number): void {
    const at = this.#at;
    this.#at = -1;
    if (at !== position) file.seekSync(position, Deno.SeekMode.Start);
  }

  truncate(size: number): void {
    attempt(this.path, () => this.#open().truncateSync(size));
  }

  datasync(): Promise<void> {
    return attemptAsync(this.path, () => this.#open().syncData());
  }

  datasyncSync(): void {
    attempt(this.path, () => this.#open().syncDataSync());
  }

  close(): void {
    const file = this.#file;
    this.#file = undefined;
    if (file !== undefined) attempt(this.path, () => file.close());
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === "EPERM";
  }
}

/**
 * The filesystem of the machine, through Deno's APIs. Needs `--allow-read --allow-write` for
 * the database folder (a missing permission surfaces as `EACCES`).
 *
 * Directory sync opens the directory read-only and fsyncs it, which Linux and macOS accept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DenoFileSystem } from "./deno_fs.ts";
 * const fs = new DenoFileSystem();
 * const root = await Deno.makeTempDir();
 * const file = await fs.open(`${root}/a.bin`, { create: true });
 * file.append(new Uint8Array([1, 2, 3]));
 * await file.datasync();
 * file.close();
 * assert.deepEqual(await fs.readFile(`${root}/a.bin`), new Uint8Array([1, 2, 3]));
 * await assert.rejects(fs.stat(`${root}/missing`), { code: "IO_ERROR", errno: "ENOENT" });
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class DenoFileSystem implements FileSystem {
  readonly name = "deno";
  #lockIo: PidLockIo;

  /** @throws {TypeError} when not running on Deno. */
  constructor() {
    if (typeof (globalThis as { Deno?: unknown }).Deno !== "object") {
      throw new TypeError("Cannot use DenoFileSystem: the Deno runtime is not available");
    }
    this.#lockIo = {
      pid: Deno.pid,
      canonical: (path) => {
        const [dir, base] = splitPath(path);
        return Deno.realPath(dir).then((real) => `${real}/${base}`, () => path);
      },
      createExclusive: (path, text) =>
        attemptAsync(path, async () => {
          const file = await Deno.open(path, { write: true, createNew: true });
          try {
            writeAll(file, new TextEncoder().encode(text), path);
            await file.syncData();
          } finally {
            file.close();
          }
        }),
      readText: (path) => attemptAsync(path, () => Deno.readTextFile(path)),
      remove: (path) => attemptAsync(path, () => Deno.remove(path)),
      isAlive: isProcessAlive,
    };
  }

  open(path: string, options: OpenOptions = {}): Promise<FileHandle> {
    const exclusive = options.exclusive === true;
    const flags = {
      read: true,
      write: true,
      create: options.create === true && !exclusive,
      createNew: exclusive,
      truncate: options.truncate === true,
    };
    // Opening an existing file is synchronous: an async open costs a trip through the blocking
    // thread pool, several times the open itself, and a database opens every SST it lists.
    // Creating or truncating one writes the filesystem's journal and can take milliseconds: that
    // goes to the thread pool, so a flush creating many SSTs does not stall the event loop.
    if (flags.create || flags.createNew || flags.truncate) {
      return attemptAsync(path, async () => new DenoFileHandle(path, await Deno.open(path, flags)));
    }
    return attemptAsync(
      path,
      () => Promise.resolve(new DenoFileHandle(path, Deno.openSync(path, flags))),
    );
  }

  readFile(path: string): Promise<Uint8Array> {
    return attemptAsync(path, () => Deno.readFile(path));
  }

  rename(from: string, to: string): Promise<void> {
    return attemptAsync(from, () => Deno.rename(from, to));
  }

  remove(path: string): Promise<void> {
    return attemptAsync(path, () => Deno.remove(path));
  }

  list(dir: string): Promise<string[]> {
    return attemptAsync(dir, async () => {
      const names: string[] = [];
      for await (const entry of Deno.readDir(dir)) names.push(entry.name);
      return names;
    });
  }

  mkdir(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    return attemptAsync(path, () => Deno.mkdir(path, { recursive: options.recursive === true }));
  }

  stat(path: string): Promise<FileInfo> {
    return attemptAsync(path, async () => {
      const info = await Deno.stat(path);
      return { size: info.isDirectory ? 0 : info.size, isDirectory: info.isDirectory };
    });
  }

  syncDir(path: string): Promise<void> {
    return attemptAsync(path, async () => {
      const dir = await Deno.open(path, { read: true });
      try {
        await dir.sync();
      } finally {
        dir.close();
      }
    });
  }

  lock(path: string): Promise<FileLock> {
    return acquirePidLock(path, this.#lockIo);
  }
}
