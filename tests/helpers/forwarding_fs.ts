/**
 * A filesystem that hands every call to another one: the base of test wrappers that watch or
 * change only how files are opened (`HandleCountingFileSystem`, the WAL tests' gated one).
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

/** Forwards every call to `inner`; subclasses override what they watch. */
export class ForwardingFileSystem implements FileSystem {
  readonly name: string;
  readonly inner: FileSystem;

  /**
   * @param inner The filesystem to forward to.
   * @param name This filesystem's name.
   */
  constructor(inner: FileSystem, name: string) {
    this.inner = inner;
    this.name = name;
  }

  open(path: string, options?: OpenOptions): Promise<FileHandle> {
    return this.inner.open(path, options);
  }
  readFile(path: string): Promise<Uint8Array> {
    return this.inner.readFile(path);
  }
  rename(from: string, to: string): Promise<void> {
    return this.inner.rename(from, to);
  }
  remove(path: string): Promise<void> {
    return this.inner.remove(path);
  }
  list(dir: string): Promise<string[]> {
    return this.inner.list(dir);
  }
  mkdir(path: string, options?: { recursive?: boolean }): Promise<void> {
    return this.inner.mkdir(path, options);
  }
  stat(path: string): Promise<FileInfo> {
    return this.inner.stat(path);
  }
  syncDir(path: string): Promise<void> {
    return this.inner.syncDir(path);
  }
  lock(path: string): Promise<FileLock> {
    return this.inner.lock(path);
  }
}
