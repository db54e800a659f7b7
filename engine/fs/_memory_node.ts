/**
 * The inodes of `MemoryFileSystem`: files that remember their bytes as of the last datasync,
 * directories that remember their entries as of the last `syncDir`, and the function that
 * builds the tree a power cut would leave; and the handle `open` returns. Private to `engine/fs`.
 *
 * @module
 */

import { ioError } from "../errors.ts";
import type { FileHandle } from "./file_system.ts";
import type { Random } from "./_random.ts";

/** Operations that change what a crash would leave; each adds one to `operationCount`. */
export type MemoryOperationKind =
  | "create"
  | "write"
  | "append"
  | "truncate"
  | "sync"
  | "rename"
  | "remove"
  | "mkdir"
  | "syncDir"
  | "lock"
  | "release";

/**
 * A directory: its live entries and its durable entries (as of the last `syncDir`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryDir, MemoryFile } from "./_memory_node.ts";
 * const dir = new MemoryDir();
 * dir.entries.set("a", new MemoryFile());
 * assert.equal(dir.durable.size, 0);
 * ```
 */
export class MemoryDir {
  /** Always `"dir"`. */
  readonly kind = "dir";
  /** The names readers see now. */
  entries: Map<string, MemoryNode> = new Map();
  /** The names a crash would leave: a copy of `entries` taken by the last `syncDir`. */
  durable: Map<string, MemoryNode> = new Map();
}

/** A file or a directory. */
export type MemoryNode = MemoryFile | MemoryDir;

function grow(buffer: Uint8Array, needed: number, keep: number): Uint8Array {
  if (needed <= buffer.length) return buffer;
  const larger = new Uint8Array(Math.max(needed, buffer.length * 2, 64));
  larger.set(buffer.subarray(0, keep));
  return larger;
}

/**
 * A file's bytes: `data` (what reads see) and `synced` (the bytes as of the last datasync),
 * both in buffers that grow by doubling, so appends and syncs cost the bytes they touch.
 * Below `#dirtyFrom` the two are equal; a sync copies only from there on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryFile } from "./_memory_node.ts";
 * import { Random } from "./_random.ts";
 * const file = MemoryFile.synced(new Uint8Array([1, 2]));
 * file.write(new Uint8Array([3]), 2);
 * assert.equal(file.size, 3);
 * assert.equal(file.syncedSize, 2);
 * assert.deepEqual(file.crashImage(new Random(1), 0), new Uint8Array([1, 2]));
 * ```
 */
export class MemoryFile {
  /** Always `"file"`. */
  readonly kind = "file";
  #data: Uint8Array = new Uint8Array(0);
  #length = 0;
  #synced: Uint8Array = new Uint8Array(0);
  #syncedLength = 0;
  #dirtyFrom = 0;

  /**
   * A file whose bytes are all synced.
   * @param bytes The content; copied.
   */
  static synced(bytes: Uint8Array): MemoryFile {
    const file = new MemoryFile();
    file.write(bytes, 0);
    file.sync();
    return file;
  }

  /** The size readers see. */
  get size(): number {
    return this.#length;
  }

  /** The size as of the last datasync. */
  get syncedSize(): number {
    return this.#syncedLength;
  }

  /** Whether there are writes since the last sync. */
  get dirty(): boolean {
    return this.#dirtyFrom !== this.#length || this.#length !== this.#syncedLength;
  }

  /** Copies out up to `buffer.length` bytes at `position`; returns the count. */
  read(buffer: Uint8Array, position: number): number {
    const count = Math.max(0, Math.min(buffer.length, this.#length - position));
    buffer.set(this.#data.subarray(position, position + count));
    return count;
  }

  /** A copy of the whole content. */
  content(): Uint8Array {
    return this.#data.slice(0, this.#length);
  }

  /** Writes `data` at `position`, zero-filling any gap past the end. */
  write(data: Uint8Array, position: number): void {
    const end = position + data.length;
    if (end > this.#length) {
      this.#data = grow(this.#data, end, this.#length);
      this.#dirtyFrom = Math.min(this.#dirtyFrom, this.#length);
      this.#length = end;
    }
    this.#data.set(data, position);
    this.#dirtyFrom = Math.min(this.#dirtyFrom, position);
  }

  /** Cuts or zero-extends the file to `size` bytes. */
  truncate(size: number): void {
    if (size < this.#length) {
      this.#data.fill(0, size, this.#length);
    } else {
      this.#data = grow(this.#data, size, this.#length);
    }
    this.#dirtyFrom = Math.min(this.#dirtyFrom, this.#length, size);
    this.#length = size;
  }

  /** Makes the current bytes the synced bytes. */
  sync(): void {
    this.#synced = grow(this.#synced, this.#length, this.#syncedLength);
    this.#synced.set(this.#data.subarray(this.#dirtyFrom, this.#length), this.#dirtyFrom);
    this.#syncedLength = this.#length;
    this.#dirtyFrom = this.#length;
  }

  /**
   * The bytes a power cut would leave: the synced bytes, plus, with probability `keep`, a
   * prefix of the unsynced tail whose length is uniform in 1..tail (else none of it); each run
   * of unsynced overwrites inside the synced length is new with probability `keep`, else old.
   * An unsynced shrink is kept with probability `keep`.
   */
  crashImage(random: Random, keep: number): Uint8Array {
    const synced = this.#syncedLength;
    const live = this.#length;
    if (!this.dirty) return this.#synced.slice(0, synced);
    let length: number;
    if (live >= synced) {
      const tail = live - synced;
      length = synced + (tail > 0 && random.chance(keep) ? 1 + random.int(tail) : 0);
    } else {
      length = random.chance(keep) ? live : synced;
    }
    const image = new Uint8Array(length);
    image.set(this.#synced.subarray(0, Math.min(synced, length)));
    if (length > synced) image.set(this.#data.subarray(synced, length), synced);
    const end = Math.min(synced, live, length);
    let i = Math.min(this.#dirtyFrom, end);
    while (i < end) {
      if (this.#data[i] === this.#synced[i]) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < end && this.#data[j] !== this.#synced[j]) j++;
      if (random.chance(keep)) image.set(this.#data.subarray(i, j), i);
      i = j;
    }
    return image;
  }
}

/**
 * Builds the live tree a power cut would leave: from the durable entries of `root` down, each
 * file replaced by its {@linkcode MemoryFile.crashImage}. An inode reachable under two names
 * stays one inode. Names are visited in sorted order so a seed gives one outcome.
 *
 * @param root The root directory of the crashed filesystem.
 * @param random The seeded source of every choice.
 * @param keep The probability that unsynced bytes survive.
 * @returns The new root, whose live and durable entries are equal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crashTree, MemoryDir, MemoryFile } from "./_memory_node.ts";
 * import { Random } from "./_random.ts";
 * const root = new MemoryDir();
 * root.entries.set("kept", MemoryFile.synced(new Uint8Array([1])));
 * root.durable = new Map(root.entries);
 * root.entries.set("lost", new MemoryFile());
 * const after = crashTree(root, new Random(1), 0.5);
 * assert.deepEqual([...after.entries.keys()], ["kept"]);
 * ```
 */
export function crashTree(root: MemoryDir, random: Random, keep: number): MemoryDir {
  const copies = new Map<MemoryNode, MemoryNode>();
  const copyDir = (dir: MemoryDir): MemoryDir => {
    const copy = new MemoryDir();
    copies.set(dir, copy);
    for (const name of [...dir.durable.keys()].sort()) {
      const node = dir.durable.get(name) as MemoryNode;
      let child = copies.get(node);
      if (child === undefined) {
        child = node.kind === "dir"
          ? copyDir(node)
          : MemoryFile.synced(node.crashImage(random, keep));
        copies.set(node, child);
      }
      copy.entries.set(name, child);
    }
    copy.durable = new Map(copy.entries);
    return copy;
  };
  return copyDir(root);
}

function checkPosition(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Cannot use ${what} ${value}: must be a non-negative integer`);
  }
}

/**
 * An open file of `MemoryFileSystem`; reports its mutating calls through `count`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryFile, MemoryFileHandle } from "./_memory_node.ts";
 * const kinds: string[] = [];
 * const handle = new MemoryFileHandle("/f", new MemoryFile(), (kind) => kinds.push(kind));
 * handle.append(new Uint8Array([1]));
 * handle.datasyncSync();
 * assert.deepEqual(kinds, ["append", "sync"]);
 * ```
 */
export class MemoryFileHandle implements FileHandle {
  readonly path: string;
  #file: MemoryFile;
  #count: (kind: MemoryOperationKind) => void;
  #closed = false;

  constructor(path: string, file: MemoryFile, count: (kind: MemoryOperationKind) => void) {
    this.path = path;
    this.#file = file;
    this.#count = count;
  }

  #open(): MemoryFile {
    if (this.#closed) throw ioError("EBADF", this.path);
    return this.#file;
  }

  size(): number {
    return this.#open().size;
  }

  read(buffer: Uint8Array, position: number): number {
    checkPosition(position, "position");
    return this.#open().read(buffer, position);
  }

  write(data: Uint8Array, position: number): void {
    checkPosition(position, "position");
    this.#open().write(data, position);
    this.#count("write");
  }

  append(data: Uint8Array): void {
    const file = this.#open();
    file.write(data, file.size);
    this.#count("append");
  }

  truncate(size: number): void {
    checkPosition(size, "size");
    this.#open().truncate(size);
    this.#count("truncate");
  }

  datasync(): Promise<void> {
    try {
      this.datasyncSync(); // takes effect now: later writes are not covered
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  datasyncSync(): void {
    this.#open().sync();
    this.#count("sync");
  }

  close(): void {
    this.#closed = true;
  }
}
