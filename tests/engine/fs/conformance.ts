/**
 * The executable contract of `engine/fs/file_system.ts`: every FileSystem implementation's test
 * file calls {@linkcode runFileSystemConformance} with a factory for a fresh, empty root.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { KstoneError } from "../../../engine/errors.ts";
import type { FileSystem } from "../../../engine/fs/file_system.ts";

/** A fresh filesystem with an empty directory to work in. */
export interface FileSystemFixture {
  /** The filesystem under test. */
  fs: FileSystem;
  /** An existing, empty directory. */
  root: string;
  /** Removes whatever the test left. */
  cleanup(): Promise<void>;
}

/** Makes a fresh fixture per test. */
export type MakeFileSystem = () => Promise<FileSystemFixture>;

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (value: string) => new TextEncoder().encode(value);

/** Asserts `error` is the IO_ERROR `ioError(errno, path)` would build, message included. */
export function assertIoError(error: unknown, errno: string, path: string): true {
  const texts: Record<string, string> = {
    ENOENT: "No such file or directory (os error 2)",
    EEXIST: "File exists (os error 17)",
    EACCES: "Permission denied (os error 13)",
    ENOTEMPTY: "Directory not empty (os error 39)",
    EISDIR: "Is a directory (os error 21)",
    ENOTDIR: "Not a directory (os error 20)",
    EBADF: "Bad file descriptor (os error 9)",
    EIO: "Input/output error (os error 5)",
    ENOSPC: "No space left on device (os error 28)",
  };
  assert.ok(error instanceof KstoneError, `expected a KstoneError, got ${error}`);
  assert.equal(error.code, "IO_ERROR");
  assert.equal(error.errno, errno);
  assert.equal(error.message, `IO error: ${texts[errno] ?? errno}: ${path}`);
  return true;
}

/** Runs `body` on a fresh fixture and cleans up afterwards. */
function withFs(
  makeFs: MakeFileSystem,
  body: (fs: FileSystem, root: string) => Promise<void>,
): () => Promise<void> {
  return async () => {
    const fixture = await makeFs();
    try {
      await body(fixture.fs, fixture.root);
    } finally {
      await fixture.cleanup();
    }
  };
}

async function writeFile(fs: FileSystem, path: string, data: Uint8Array): Promise<void> {
  const file = await fs.open(path, { create: true, truncate: true });
  file.write(data, 0);
  file.close();
}

/**
 * Registers one test per rule of the FileSystem contract, titled `<name>.<method>() ...`.
 *
 * @param name The implementation's class name, e.g. `"NodeFileSystem"`.
 * @param makeFs Makes a fresh fixture for each test.
 */
export function runFileSystemConformance(name: string, makeFs: MakeFileSystem): void {
  const it = (title: string, body: (fs: FileSystem, root: string) => Promise<void>) =>
    test(`${name}.${title}`, withFs(makeFs, body));

  it("open() of a missing file without create fails with ENOENT", async (fs, root) => {
    const path = `${root}/missing.bin`;
    await assert.rejects(fs.open(path), (error) => assertIoError(error, "ENOENT", path));
  });

  it("open() with create makes an empty file and keeps an existing one", async (fs, root) => {
    const path = `${root}/a.bin`;
    const file = await fs.open(path, { create: true });
    assert.equal(file.path, path);
    assert.equal(file.size(), 0);
    file.append(bytes(1, 2));
    file.close();
    const again = await fs.open(path, { create: true });
    assert.equal(again.size(), 2);
    again.close();
  });

  it("open() exclusive fails with EEXIST when the file exists", async (fs, root) => {
    const path = `${root}/a.bin`;
    const file = await fs.open(path, { exclusive: true });
    file.close();
    await assert.rejects(
      fs.open(path, { exclusive: true }),
      (error) => assertIoError(error, "EEXIST", path),
    );
  });

  it("open() with truncate cuts the file to zero bytes", async (fs, root) => {
    const path = `${root}/a.bin`;
    await writeFile(fs, path, bytes(1, 2, 3));
    const file = await fs.open(path, { truncate: true });
    assert.equal(file.size(), 0);
    file.close();
    assert.deepEqual(await fs.readFile(path), bytes());
  });

  it("read() reads at an offset and reads short only at end of file", async (fs, root) => {
    const file = await fs.open(`${root}/a.bin`, { create: true });
    file.append(bytes(10, 11, 12, 13, 14));
    const two = new Uint8Array(2);
    assert.equal(file.read(two, 1), 2);
    assert.deepEqual(two, bytes(11, 12));
    const four = new Uint8Array(4);
    assert.equal(file.read(four, 3), 2);
    assert.deepEqual(four.subarray(0, 2), bytes(13, 14));
    assert.equal(file.read(four, 5), 0);
    assert.equal(file.read(four, 100), 0);
    file.close();
  });

  it(
    "read(), write(), append() and truncate() in any order agree with a byte model",
    async (fs, root) => {
      // Back-to-back reads and writes where the last one ended (which an adapter may serve
      // without moving the cursor) mixed with jumps, appends and truncations.
      let seed = 99;
      const random = (n: number) => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return (seed >>> 8) % n;
      };
      let model = new Uint8Array(0);
      const file = await fs.open(`${root}/a.bin`, { create: true });
      let next = 0;
      for (let step = 0; step < 400; step++) {
        const op = random(10);
        const at = random(3) === 0 ? random(model.length + 8) : next;
        const length = random(40);
        if (op < 4) {
          const out = new Uint8Array(length).fill(0xee);
          const read = file.read(out, at);
          const expected = model.subarray(Math.min(at, model.length), at + length);
          assert.equal(read, expected.length, `step ${step}`);
          assert.deepEqual(out.subarray(0, read), expected, `step ${step}`);
          next = at + read;
        } else if (op < 7) {
          // Not empty: an empty write past the end grows a memory file but not a real one.
          const data = new Uint8Array(length + 1).map(() => random(256));
          file.write(data, at);
          const grown = new Uint8Array(Math.max(model.length, at + data.length));
          grown.set(model);
          grown.set(data, at);
          model = grown;
          next = at + data.length;
        } else if (op < 9) {
          const data = new Uint8Array(length).map(() => random(256));
          file.append(data);
          const grown = new Uint8Array(model.length + length);
          grown.set(model);
          grown.set(data, model.length);
          model = grown;
        } else {
          const size = random(model.length + 1);
          file.truncate(size);
          model = model.slice(0, size);
        }
        assert.equal(file.size(), model.length, `step ${step}`);
      }
      file.close();
      assert.deepEqual(await fs.readFile(`${root}/a.bin`), model);
    },
  );

  it("write() writes at an offset, zero-filling a gap past the end", async (fs, root) => {
    const path = `${root}/a.bin`;
    const file = await fs.open(path, { create: true });
    file.write(bytes(1, 2, 3), 0);
    file.write(bytes(9), 1);
    file.write(bytes(7, 7), 5);
    assert.equal(file.size(), 7);
    file.close();
    assert.deepEqual(await fs.readFile(path), bytes(1, 9, 3, 0, 0, 7, 7));
  });

  it("write() and read() handle a megabyte in one call", async (fs, root) => {
    const file = await fs.open(`${root}/big.bin`, { create: true });
    const data = new Uint8Array(1 << 20).map((_, i) => i % 251);
    file.write(data, 0);
    const out = new Uint8Array(data.length);
    assert.equal(file.read(out, 0), data.length);
    assert.deepEqual(out, data);
    file.close();
  });

  it("append() writes at the end of the file", async (fs, root) => {
    const path = `${root}/a.bin`;
    const file = await fs.open(path, { create: true });
    file.append(bytes(1));
    file.write(bytes(2, 3), 1);
    file.append(bytes(4));
    file.close();
    assert.deepEqual(await fs.readFile(path), bytes(1, 2, 3, 4));
  });

  it("truncate() shrinks a file and extends it with zeros", async (fs, root) => {
    const path = `${root}/a.bin`;
    const file = await fs.open(path, { create: true });
    file.append(bytes(1, 2, 3, 4));
    file.truncate(2);
    assert.equal(file.size(), 2);
    file.truncate(3);
    file.close();
    assert.deepEqual(await fs.readFile(path), bytes(1, 2, 0));
  });

  it("datasync() and datasyncSync() succeed and keep the bytes", async (fs, root) => {
    const path = `${root}/a.bin`;
    const file = await fs.open(path, { create: true });
    file.append(bytes(1));
    await file.datasync();
    file.append(bytes(2));
    file.datasyncSync();
    file.close();
    assert.deepEqual(await fs.readFile(path), bytes(1, 2));
  });

  it("close() twice is a no-op and a closed handle fails with EBADF", async (fs, root) => {
    const path = `${root}/a.bin`;
    const file = await fs.open(path, { create: true });
    file.close();
    file.close();
    assert.throws(() => file.read(new Uint8Array(1), 0), (error) => {
      return assertIoError(error, "EBADF", path);
    });
  });

  it("readFile() reads a whole file and fails with ENOENT when missing", async (fs, root) => {
    await writeFile(fs, `${root}/a.bin`, text("hello"));
    assert.deepEqual(await fs.readFile(`${root}/a.bin`), text("hello"));
    const missing = `${root}/missing`;
    await assert.rejects(fs.readFile(missing), (error) => assertIoError(error, "ENOENT", missing));
  });

  it("rename() moves a file and replaces the target", async (fs, root) => {
    await writeFile(fs, `${root}/MANIFEST`, text("old"));
    await writeFile(fs, `${root}/MANIFEST.tmp`, text("new"));
    await fs.rename(`${root}/MANIFEST.tmp`, `${root}/MANIFEST`);
    assert.deepEqual(await fs.readFile(`${root}/MANIFEST`), text("new"));
    assert.deepEqual(await fs.list(root), ["MANIFEST"]);
    const missing = `${root}/missing`;
    await assert.rejects(
      fs.rename(missing, `${root}/x`),
      (error) => assertIoError(error, "ENOENT", missing),
    );
  });

  it("remove() deletes a file and fails with ENOENT when missing", async (fs, root) => {
    const path = `${root}/a.bin`;
    await writeFile(fs, path, bytes(1));
    await fs.remove(path);
    assert.deepEqual(await fs.list(root), []);
    await assert.rejects(fs.remove(path), (error) => assertIoError(error, "ENOENT", path));
  });

  it("remove() deletes an empty directory, not a full one", async (fs, root) => {
    await fs.mkdir(`${root}/full/empty`, { recursive: true });
    await assert.rejects(
      fs.remove(`${root}/full`),
      (error) => assertIoError(error, "ENOTEMPTY", `${root}/full`),
    );
    await fs.remove(`${root}/full/empty`);
    await fs.remove(`${root}/full`);
    assert.deepEqual(await fs.list(root), []);
  });

  it("list() names a directory's entries and fails with ENOENT when missing", async (fs, root) => {
    await writeFile(fs, `${root}/b`, bytes());
    await writeFile(fs, `${root}/a`, bytes());
    await fs.mkdir(`${root}/dir`);
    assert.deepEqual((await fs.list(root)).sort(), ["a", "b", "dir"]);
    const missing = `${root}/missing`;
    await assert.rejects(fs.list(missing), (error) => assertIoError(error, "ENOENT", missing));
  });

  it("mkdir() needs the parent unless recursive and refuses an existing path", async (fs, root) => {
    const deep = `${root}/a/b/c`;
    await assert.rejects(fs.mkdir(deep), (error) => assertIoError(error, "ENOENT", deep));
    await fs.mkdir(deep, { recursive: true });
    await fs.mkdir(deep, { recursive: true });
    assert.equal((await fs.stat(deep)).isDirectory, true);
    await assert.rejects(fs.mkdir(deep), (error) => assertIoError(error, "EEXIST", deep));
  });

  it("stat() describes files and directories and fails with ENOENT", async (fs, root) => {
    await writeFile(fs, `${root}/a.bin`, bytes(1, 2, 3));
    assert.deepEqual(await fs.stat(`${root}/a.bin`), { size: 3, isDirectory: false });
    assert.deepEqual(await fs.stat(root), { size: 0, isDirectory: true });
    const missing = `${root}/missing`;
    await assert.rejects(fs.stat(missing), (error) => assertIoError(error, "ENOENT", missing));
  });

  it("syncDir() syncs a directory and fails with ENOENT when missing", async (fs, root) => {
    await writeFile(fs, `${root}/a`, bytes(1));
    await fs.syncDir(root);
    const missing = `${root}/missing`;
    await assert.rejects(fs.syncDir(missing), (error) => assertIoError(error, "ENOENT", missing));
  });

  it("open() handles stay readable after their name is removed", async (fs, root) => {
    const path = `${root}/old.sst`;
    await writeFile(fs, path, bytes(5, 6));
    const file = await fs.open(path);
    await fs.remove(path);
    const out = new Uint8Array(2);
    assert.equal(file.read(out, 0), 2);
    assert.deepEqual(out, bytes(5, 6));
    file.close();
  });

  it("open() handles keep the old file after a rename replaces its name", async (fs, root) => {
    await writeFile(fs, `${root}/MANIFEST`, text("old"));
    const file = await fs.open(`${root}/MANIFEST`);
    await writeFile(fs, `${root}/next`, text("new"));
    await fs.rename(`${root}/next`, `${root}/MANIFEST`);
    const out = new Uint8Array(3);
    assert.equal(file.read(out, 0), 3);
    assert.deepEqual(out, text("old"));
    file.close();
  });

  it("lock() writes the pid and a second lock() fails with LOCKED", async (fs, root) => {
    const path = `${root}/LOCK`;
    const lock = await fs.lock(path);
    assert.equal(lock.path, path);
    const pid = Number(new TextDecoder().decode(await fs.readFile(path)).trim());
    assert.ok(Number.isInteger(pid) && pid > 0);
    await assert.rejects(fs.lock(path), (error) => {
      assert.ok(error instanceof KstoneError);
      assert.equal(error.code, "LOCKED");
      assert.equal(error.message, `Database is locked: ${path} is held by process ${pid}`);
      return true;
    });
    await lock.release();
    await lock.release();
    assert.deepEqual(await fs.list(root), []);
    const again = await fs.lock(path);
    await again.release();
  });

  it("lock() takes over a lock file left by a dead process", async (fs, root) => {
    const path = `${root}/LOCK`;
    await writeFile(fs, path, text("2147483646\n"));
    const lock = await fs.lock(path);
    const holder = new TextDecoder().decode(await fs.readFile(path)).trim();
    assert.notEqual(holder, "2147483646");
    await lock.release();
    assert.deepEqual(await fs.list(root), []);
  });

  it("lock() takes over an empty or garbled lock file", async (fs, root) => {
    const path = `${root}/LOCK`;
    for (const content of ["", "not a pid"]) {
      await writeFile(fs, path, text(content));
      const lock = await fs.lock(path);
      assert.match(new TextDecoder().decode(await fs.readFile(path)), /^\d+\n$/);
      await lock.release();
    }
  });
}
