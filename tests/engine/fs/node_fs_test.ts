import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { isProcessAlive, mapNodeError, NodeFileSystem } from "../../../engine/fs/node_fs.ts";
import { assertIoError, runFileSystemConformance } from "./conformance.ts";

function makeFixture() {
  const root = mkdtempSync(`${tmpdir()}/kstone-node-fs-`);
  return Promise.resolve({
    fs: new NodeFileSystem(),
    root,
    cleanup: () => Promise.resolve(rmSync(root, { recursive: true, force: true })),
  });
}

runFileSystemConformance("NodeFileSystem", makeFixture);

test("NodeFileSystem.lock() refuses a lock file held by another live process", async () => {
  const { fs, root, cleanup } = await makeFixture();
  try {
    const path = `${root}/LOCK`;
    writeFileSync(path, `${process.ppid}\n`);
    await assert.rejects(fs.lock(path), {
      code: "LOCKED",
      message: `Database is locked: ${path} is held by process ${process.ppid}`,
    });
  } finally {
    await cleanup();
  }
});

test("NodeFileSystem.lock() refuses a second holder through another instance", async () => {
  const { fs, root, cleanup } = await makeFixture();
  try {
    const lock = await fs.lock(`${root}/LOCK`);
    await assert.rejects(new NodeFileSystem().lock(`${root}/./LOCK`), { code: "LOCKED" });
    await lock.release();
  } finally {
    await cleanup();
  }
});

test("NodeFileSystem.lock() takes over a file with its own pid that it does not hold", async () => {
  const { fs, root, cleanup } = await makeFixture();
  try {
    const path = `${root}/LOCK`;
    writeFileSync(path, `${process.pid}\n`);
    const lock = await fs.lock(path);
    await lock.release();
    assert.deepEqual(await fs.list(root), []);
  } finally {
    await cleanup();
  }
});

test("NodeFileSystem lock release() leaves a lock file that another process took over", async () => {
  const { fs, root, cleanup } = await makeFixture();
  try {
    const path = `${root}/LOCK`;
    const lock = await fs.lock(path);
    writeFileSync(path, "2147483646\n");
    await lock.release();
    assert.deepEqual(await fs.list(root), ["LOCK"]);
  } finally {
    await cleanup();
  }
});

test("isProcessAlive() tells live processes from dead ones", () => {
  assert.equal(isProcessAlive(process.pid), true);
  assert.equal(isProcessAlive(2147483646), false);
});

test("mapNodeError() maps EACCES and ENOSPC codes and keeps the cause", () => {
  const denied = Object.assign(new Error("EACCES: permission denied, open"), { code: "EACCES" });
  const error = mapNodeError(denied, "/db/wal.log");
  assertIoError(error, "EACCES", "/db/wal.log");
  assert.equal(error.cause, denied);
  const full = mapNodeError(Object.assign(new Error("full"), { code: "ENOSPC" }), "/db/x");
  assert.equal(full.message, "IO error: No space left on device (os error 28): /db/x");
});

test("mapNodeError() falls back to EIO for errors without a POSIX code", () => {
  assert.equal(mapNodeError(new Error("odd"), "/f").errno, "EIO");
  assert.equal(mapNodeError(Object.assign(new Error("x"), { code: "ERR_X" }), "/f").errno, "EIO");
});

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

test(
  "NodeFileSystem.open() of an unreadable file fails with EACCES",
  { skip: isRoot ? "running as root: the kernel skips permission checks" : false },
  async () => {
    const { fs, root, cleanup } = await makeFixture();
    try {
      const path = `${root}/secret`;
      writeFileSync(path, "x");
      chmodSync(path, 0o000);
      await assert.rejects(fs.open(path), (error) => assertIoError(error, "EACCES", path));
    } finally {
      await cleanup();
    }
  },
);
