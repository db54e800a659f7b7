/**
 * A filesystem wrapper that delays every asynchronous call by a seeded random number of event
 * loop turns before passing it on, so that syncs, renames and directory syncs started in one
 * order may complete in another, as on a real disk. Wrapping a `MemoryFileSystem`, whose syncs
 * take effect when called, this widens the windows a power cut can fall into (e.g. between a
 * flush's MANIFEST update and the WAL sync of the records it flushed).
 *
 * @module
 */
import type {
  FileHandle,
  FileInfo,
  FileLock,
  FileSystem,
  OpenOptions,
} from "../../engine/fs/file_system.ts";
import { Rng } from "./random.ts";

/** Delays asynchronous calls by 0 to `maxTurns` microtask turns, now and then by a timer. */
export class JitterFileSystem implements FileSystem {
  readonly name: string;
  readonly inner: FileSystem;
  readonly #rng: Rng;
  readonly #maxTurns: number;

  /**
   * @param inner The filesystem to wrap.
   * @param seed Seeds the delays.
   * @param maxTurns The longest delay, in microtask turns. @default 40
   */
  constructor(inner: FileSystem, seed: number, maxTurns = 40) {
    this.inner = inner;
    this.name = `jitter(${inner.name})`;
    this.#rng = new Rng(seed);
    this.#maxTurns = maxTurns;
  }

  async #delay(): Promise<void> {
    if (this.#rng.chance(0.02)) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      return;
    }
    for (let turns = this.#rng.int(this.#maxTurns + 1); turns > 0; turns--) await null;
  }

  async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    await this.#delay();
    const inner = await this.inner.open(path, options);
    return {
      path: inner.path,
      size: () => inner.size(),
      read: (buffer, position) => inner.read(buffer, position),
      write: (data, position) => inner.write(data, position),
      append: (data) => inner.append(data),
      truncate: (size) => inner.truncate(size),
      datasync: async () => {
        await this.#delay();
        await inner.datasync();
      },
      datasyncSync: () => inner.datasyncSync(),
      close: () => inner.close(),
    };
  }

  async readFile(path: string): Promise<Uint8Array> {
    await this.#delay();
    return await this.inner.readFile(path);
  }

  async rename(from: string, to: string): Promise<void> {
    await this.#delay();
    await this.inner.rename(from, to);
  }

  async remove(path: string): Promise<void> {
    await this.#delay();
    await this.inner.remove(path);
  }

  async list(dir: string): Promise<string[]> {
    await this.#delay();
    return await this.inner.list(dir);
  }

  async mkdir(path: string, options?: { recursive?: boolean }): Promise<void> {
    await this.#delay();
    await this.inner.mkdir(path, options);
  }

  async stat(path: string): Promise<FileInfo> {
    await this.#delay();
    return await this.inner.stat(path);
  }

  async syncDir(path: string): Promise<void> {
    await this.#delay();
    await this.inner.syncDir(path);
  }

  async lock(path: string): Promise<FileLock> {
    await this.#delay();
    return await this.inner.lock(path);
  }
}
