/**
 * Tools that damage or copy a `MemoryFileSystem` the way the store tests need: the directory a
 * killed process leaves (every live name and byte, no lock held), byte flips, truncation.
 *
 * @module
 */
import type { FileHandle, FileSystem, OpenOptions } from "../../engine/fs/file_system.ts";
import { MemoryFileSystem, type MemoryFileSystemOptions } from "../../engine/fs/memory_fs.ts";
import { ForwardingFileSystem } from "./forwarding_fs.ts";

/**
 * What a killed process (not a power cut) leaves: every live file with every byte written, synced
 * or not, and no lock held (a fresh instance holds none; the stale `LOCK` file is taken over).
 * The copy is of one instant: if background work changes the filesystem while it is read, it is
 * read again.
 *
 * @param fs The filesystem the process was using.
 * @param options Options of the copy, e.g. an `onOperation` hook (it sees the copying too).
 * @returns A new, independent filesystem.
 */
export async function processKillCopy(
  fs: MemoryFileSystem,
  options: MemoryFileSystemOptions = {},
): Promise<MemoryFileSystem> {
  let entries: ReturnType<MemoryFileSystem["files"]>;
  let contents: Uint8Array[];
  while (true) {
    const before = fs.operationCount;
    entries = fs.files();
    contents = [];
    try {
      for (const entry of entries) {
        contents.push(entry.isDirectory ? new Uint8Array(0) : await fs.readFile(entry.path));
      }
    } catch {
      continue; // a file went away meanwhile
    }
    if (fs.operationCount === before) break;
  }
  const copy = new MemoryFileSystem({ ...options, pid: fs.pid });
  const dirs: string[] = ["/"];
  for (const [i, entry] of entries.entries()) {
    if (entry.isDirectory) {
      await copy.mkdir(entry.path);
      dirs.push(entry.path);
      continue;
    }
    const file = await copy.open(entry.path, { create: true });
    file.write(contents[i]!, 0);
    await file.datasync();
    file.close();
  }
  for (const dir of dirs) await copy.syncDir(dir);
  return copy;
}

/**
 * XORs one byte of a file (a bit-rot or a stray write).
 *
 * @param fs The filesystem.
 * @param path The file.
 * @param offset The byte; negative counts from the end.
 * @param mask What to XOR it with. @default 0xff
 */
export async function flipByte(fs: FileSystem, path: string, offset: number, mask = 0xff) {
  const file = await fs.open(path);
  try {
    const at = offset < 0 ? file.size() + offset : offset;
    if (at < 0 || at >= file.size()) {
      throw new RangeError(`Cannot flip byte ${offset} of ${path}: it has ${file.size()} bytes`);
    }
    const byte = new Uint8Array(1);
    file.read(byte, at);
    byte[0] = byte[0]! ^ mask;
    file.write(byte, at);
    await file.datasync();
  } finally {
    file.close();
  }
}

/**
 * Cuts a file to `size` bytes, durably.
 *
 * @param fs The filesystem.
 * @param path The file.
 * @param size The new size; negative cuts that many bytes off the end.
 */
export async function truncateFile(fs: FileSystem, path: string, size: number): Promise<void> {
  const file = await fs.open(path);
  try {
    file.truncate(size < 0 ? file.size() + size : size);
    await file.datasync();
  } finally {
    file.close();
  }
}

/**
 * Reads a file's size.
 *
 * @param fs The filesystem.
 * @param path The file.
 * @returns Its size in bytes.
 */
export async function fileSize(fs: FileSystem, path: string): Promise<number> {
  return (await fs.stat(path)).size;
}

/** A filesystem wrapper that counts the handles opened and not yet closed, to find leaks. */
export class HandleCountingFileSystem extends ForwardingFileSystem {
  /** Handles open now. */
  openHandles = 0;

  /** @param inner The filesystem to wrap. */
  constructor(inner: FileSystem) {
    super(inner, `counting(${inner.name})`);
  }

  override async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    const inner = await this.inner.open(path, options);
    this.openHandles++;
    let closed = false;
    return {
      path: inner.path,
      size: () => inner.size(),
      read: (buffer, position) => inner.read(buffer, position),
      write: (data, position) => inner.write(data, position),
      append: (data) => inner.append(data),
      truncate: (size) => inner.truncate(size),
      datasync: () => inner.datasync(),
      datasyncSync: () => inner.datasyncSync(),
      close: () => {
        if (!closed) this.openHandles--;
        closed = true;
        inner.close();
      },
    };
  }
}
