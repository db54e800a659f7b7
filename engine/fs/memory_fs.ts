/**
 * A complete in-memory {@linkcode FileSystem} that can simulate a power cut, for crash tests.
 *
 * The model (after Pebble's crashable MemFS and LevelDB's fault-injection test):
 * - A file inode holds the bytes reads see and the bytes as of its last `datasync`. A sync
 *   takes effect when it is called; writes made while its promise is pending are not covered.
 * - A directory holds its live entries and its durable entries, a copy the last `syncDir` of
 *   that directory took. Creating, renaming or removing a name changes only the live entries.
 *   This holds for directories too: a directory made by `mkdir` (recursive or not) is durable
 *   only once its parent is `syncDir`'ed. The root `/` exists, durable, from the start.
 * - {@linkcode MemoryFileSystem.crash} builds a new filesystem from the durable entries alone;
 *   each file keeps its synced bytes plus, possibly, part of what was not synced (see
 *   {@linkcode CrashOptions}). The original keeps working, so one workload can be crash-cloned
 *   at many points.
 * - Open handles keep working after their name is removed or replaced (POSIX).
 * - `lock` writes a lock file holding a fake pid ({@linkcode MemoryFileSystem.pid}); held locks
 *   live in this instance only, so a crash clone starts with none and takes over stale files.
 *
 * Paths: segments joined with `/`; relative paths start at `/`; `.` and `..` are resolved.
 *
 * @module
 */

import { ioError } from "../errors.ts";
import type { FileHandle, FileInfo, FileLock, FileSystem, OpenOptions } from "./file_system.ts";
import {
  crashTree,
  MemoryDir,
  MemoryFile,
  MemoryFileHandle,
  type MemoryNode,
  type MemoryOperationKind,
} from "./_memory_node.ts";
import { lockedError } from "./_pid_lock.ts";
import { Random } from "./_random.ts";

export type { MemoryOperationKind } from "./_memory_node.ts";

/** What {@linkcode MemoryFileSystemOptions.onOperation} is told after each counted operation. */
export interface MemoryOperation {
  /** The operation's number, 1-based: `operationCount` just after it. */
  count: number;
  /** What it was. */
  kind: MemoryOperationKind;
  /** The path it concerned (the source of a rename). */
  path: string;
}

/** Options of {@linkcode MemoryFileSystem}. */
export interface MemoryFileSystemOptions {
  /** The fake process id lock files hold. @default 4242 */
  pid?: number;
  /**
   * Called synchronously after every counted operation, e.g. to `crash()` at each point of a
   * workload. Crash clones do not inherit it. @default undefined
   */
  onOperation?: (operation: MemoryOperation) => void;
}

/** Options of {@linkcode MemoryFileSystem.crash}. */
export interface CrashOptions {
  /** Seeds every random choice; the same seed on the same state gives the same result. @default operationCount */
  seed?: number;
  /**
   * The probability, 0..1, that unsynced bytes survive: per file, that some of its unsynced
   * tail survives (how much is then uniform, from 1 byte to all of it); per run of unsynced
   * overwrites inside the synced length, that the new bytes replace the old; per unsynced
   * shrink, that it sticks. 0 keeps exactly the synced bytes. @default 0.5
   */
  keepUnsynced?: number;
}

/** One entry of {@linkcode MemoryFileSystem.files}, for debugging. */
export interface MemoryEntry {
  /** The absolute path. */
  path: string;
  /** Whether it is a directory. */
  isDirectory: boolean;
  /** The size reads see (0 for directories). */
  size: number;
  /** The size as of the last datasync (0 for directories). */
  syncedSize: number;
  /** Whether this name, and every folder above it, would survive a crash. */
  durable: boolean;
}

function segments(path: string): string[] {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts;
}

/**
 * An in-memory filesystem with crash simulation; see the module documentation for the model.
 *
 * @example Synced bytes survive a crash, a name not yet `syncDir`'ed does not
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryFileSystem } from "./memory_fs.ts";
 * const fs = new MemoryFileSystem();
 * const wal = await fs.open("/wal.log", { create: true });
 * await fs.syncDir("/");
 * wal.append(new Uint8Array([1, 2]));
 * await wal.datasync();
 * wal.append(new Uint8Array([3, 4]));
 * await fs.open("/other", { create: true });
 * const after = fs.crash({ seed: 1, keepUnsynced: 0 });
 * assert.deepEqual(await after.readFile("/wal.log"), new Uint8Array([1, 2]));
 * assert.deepEqual(await after.list("/"), ["wal.log"]);
 * assert.deepEqual(await fs.readFile("/wal.log"), new Uint8Array([1, 2, 3, 4]));
 * ```
 */
export class MemoryFileSystem implements FileSystem {
  readonly name = "memory";
  /** The fake process id written into lock files. */
  readonly pid: number;
  #root = new MemoryDir();
  #operations = 0;
  #onOperation: ((operation: MemoryOperation) => void) | undefined;
  #locks = new Set<string>();

  /** @param options Fake pid and operation hook. */
  constructor(options: MemoryFileSystemOptions = {}) {
    this.pid = options.pid ?? 4242;
    this.#onOperation = options.onOperation;
  }

  /** The number of operations so far that change what a crash would leave. */
  get operationCount(): number {
    return this.#operations;
  }

  #count(kind: MemoryOperationKind, path: string): void {
    this.#operations++;
    this.#onOperation?.({ count: this.#operations, kind, path });
  }

  #find(path: string): MemoryNode | undefined {
    let node: MemoryNode = this.#root;
    for (const part of segments(path)) {
      if (node.kind !== "dir") throw ioError("ENOTDIR", path);
      const next: MemoryNode | undefined = node.entries.get(part);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  #parent(path: string): { dir: MemoryDir; name: string } {
    const parts = segments(path);
    const name = parts.pop();
    if (name === undefined) throw ioError("EBUSY", path);
    const dir = this.#find(parts.join("/"));
    if (dir === undefined) throw ioError("ENOENT", path);
    if (dir.kind !== "dir") throw ioError("ENOTDIR", path);
    return { dir, name };
  }

  #file(path: string): MemoryFile {
    const node = this.#find(path);
    if (node === undefined) throw ioError("ENOENT", path);
    if (node.kind === "dir") throw ioError("EISDIR", path);
    return node;
  }

  #directory(path: string): MemoryDir {
    const node = this.#find(path);
    if (node === undefined) throw ioError("ENOENT", path);
    if (node.kind !== "dir") throw ioError("ENOTDIR", path);
    return node;
  }

  open(path: string, options: OpenOptions = {}): Promise<FileHandle> {
    return Promise.resolve().then(() => {
      const { dir, name } = this.#parent(path);
      let node = dir.entries.get(name);
      if (node !== undefined && options.exclusive === true) throw ioError("EEXIST", path);
      if (node?.kind === "dir") throw ioError("EISDIR", path);
      if (node === undefined) {
        if (options.create !== true && options.exclusive !== true) throw ioError("ENOENT", path);
        node = new MemoryFile();
        dir.entries.set(name, node);
        this.#count("create", path);
      } else if (options.truncate === true) {
        node.truncate(0);
        this.#count("truncate", path);
      }
      return new MemoryFileHandle(path, node, (kind) => this.#count(kind, path));
    });
  }

  readFile(path: string): Promise<Uint8Array> {
    return Promise.resolve().then(() => this.#file(path).content());
  }

  rename(from: string, to: string): Promise<void> {
    return Promise.resolve().then(() => {
      const source = this.#parent(from);
      const node = source.dir.entries.get(source.name);
      if (node === undefined) throw ioError("ENOENT", from);
      const target = this.#parent(to);
      const existing = target.dir.entries.get(target.name);
      if (existing === node) return;
      if (node.kind === "dir") {
        if (existing?.kind === "file") throw ioError("ENOTDIR", to);
        if (existing !== undefined && existing.entries.size > 0) throw ioError("ENOTEMPTY", to);
        const toParts = segments(to);
        for (let depth = 0; depth < toParts.length; depth++) {
          if (this.#find(toParts.slice(0, depth).join("/")) === node) throw ioError("EINVAL", to);
        }
      } else if (existing?.kind === "dir") {
        throw ioError("EISDIR", to);
      }
      source.dir.entries.delete(source.name);
      target.dir.entries.set(target.name, node);
      this.#count("rename", from);
    });
  }

  remove(path: string): Promise<void> {
    return Promise.resolve().then(() => {
      const { dir, name } = this.#parent(path);
      const node = dir.entries.get(name);
      if (node === undefined) throw ioError("ENOENT", path);
      if (node.kind === "dir" && node.entries.size > 0) throw ioError("ENOTEMPTY", path);
      dir.entries.delete(name);
      this.#count("remove", path);
    });
  }

  list(dir: string): Promise<string[]> {
    return Promise.resolve().then(() => [...this.#directory(dir).entries.keys()]);
  }

  mkdir(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    return Promise.resolve().then(() => {
      if (options.recursive !== true) {
        const { dir, name } = this.#parent(path);
        if (dir.entries.has(name)) throw ioError("EEXIST", path);
        dir.entries.set(name, new MemoryDir());
        this.#count("mkdir", path);
        return;
      }
      let dir = this.#root;
      let created = false;
      for (const part of segments(path)) {
        let next = dir.entries.get(part);
        if (next === undefined) {
          next = new MemoryDir();
          dir.entries.set(part, next);
          created = true;
        }
        if (next.kind !== "dir") throw ioError(created ? "ENOTDIR" : "EEXIST", path);
        dir = next;
      }
      if (created) this.#count("mkdir", path);
    });
  }

  stat(path: string): Promise<FileInfo> {
    return Promise.resolve().then(() => {
      const node = this.#find(path);
      if (node === undefined) throw ioError("ENOENT", path);
      return node.kind === "dir"
        ? { size: 0, isDirectory: true }
        : { size: node.size, isDirectory: false };
    });
  }

  syncDir(path: string): Promise<void> {
    return Promise.resolve().then(() => {
      const dir = this.#directory(path);
      dir.durable = new Map(dir.entries);
      this.#count("syncDir", path);
    });
  }

  lock(path: string): Promise<FileLock> {
    return Promise.resolve().then(() => {
      const key = `/${segments(path).join("/")}`;
      if (this.#locks.has(key)) throw lockedError(path, this.pid);
      const { dir, name } = this.#parent(path);
      const existing = dir.entries.get(name);
      if (existing?.kind === "dir") throw ioError("EISDIR", path);
      const file = existing ?? new MemoryFile();
      file.truncate(0);
      file.write(new TextEncoder().encode(`${this.pid}\n`), 0);
      file.sync();
      dir.entries.set(name, file);
      this.#locks.add(key);
      this.#count("lock", path);
      let released = false;
      return {
        path,
        release: () =>
          Promise.resolve().then(() => {
            if (released) return;
            released = true;
            this.#locks.delete(key);
            const parent = this.#find(segments(path).slice(0, -1).join("/"));
            if (parent?.kind === "dir" && parent.entries.get(name) === file) {
              parent.entries.delete(name);
            }
            this.#count("release", path);
          }),
      };
    });
  }

  /**
   * The filesystem a power cut right now would leave: the durable names only, each file with
   * its synced bytes and maybe part of its unsynced bytes ({@linkcode CrashOptions}), and no
   * locks held. This filesystem is not changed.
   *
   * @param options Seed and survival probability.
   * @returns A new, independent filesystem with the same `pid` and no operation hook.
   *
   * @example Seed determinism
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryFileSystem } from "./memory_fs.ts";
   * const fs = new MemoryFileSystem();
   * const file = await fs.open("/f", { create: true });
   * await fs.syncDir("/");
   * file.append(new Uint8Array(1000).fill(7));
   * const a = await fs.crash({ seed: 9 }).readFile("/f");
   * const b = await fs.crash({ seed: 9 }).readFile("/f");
   * assert.deepEqual(a, b);
   * ```
   */
  crash(options: CrashOptions = {}): MemoryFileSystem {
    const keep = options.keepUnsynced ?? 0.5;
    if (!(keep >= 0 && keep <= 1)) {
      throw new RangeError(`Cannot crash with keepUnsynced ${keep}: must be between 0 and 1`);
    }
    const random = new Random(options.seed ?? this.#operations);
    const clone = new MemoryFileSystem({ pid: this.pid });
    clone.#root = crashTree(this.#root, random, keep);
    return clone;
  }

  /**
   * Every file and directory under `/`, sorted by path, with live and synced sizes and whether
   * the name would survive a crash. For debugging and test failure messages.
   *
   * @returns The entries, the root excluded.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryFileSystem } from "./memory_fs.ts";
   * const fs = new MemoryFileSystem();
   * await fs.mkdir("/db");
   * (await fs.open("/db/a", { create: true })).append(new Uint8Array(5));
   * assert.deepEqual(fs.files(), [
   *   { path: "/db", isDirectory: true, size: 0, syncedSize: 0, durable: false },
   *   { path: "/db/a", isDirectory: false, size: 5, syncedSize: 0, durable: false },
   * ]);
   * ```
   */
  files(): MemoryEntry[] {
    const entries: MemoryEntry[] = [];
    const seen = new Set<MemoryNode>();
    const walk = (dir: MemoryDir, prefix: string, durable: boolean): void => {
      seen.add(dir);
      for (const [name, node] of dir.entries) {
        const path = `${prefix}/${name}`;
        const isDurable = durable && dir.durable.get(name) === node;
        if (node.kind === "dir") {
          entries.push({ path, isDirectory: true, size: 0, syncedSize: 0, durable: isDurable });
          if (!seen.has(node)) walk(node, path, isDurable);
        } else {
          const { size, syncedSize } = node;
          entries.push({ path, isDirectory: false, size, syncedSize, durable: isDurable });
        }
      }
    };
    walk(this.#root, "", true);
    return entries.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  }
}
