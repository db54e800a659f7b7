import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { DenoFileSystem, mapDenoError } from "../../../engine/fs/deno_fs.ts";
import { assertIoError, runFileSystemConformance } from "./conformance.ts";

const onDeno = typeof (globalThis as { Deno?: { version?: unknown } }).Deno?.version === "object";

async function makeFixture() {
  const root = await Deno.makeTempDir({ prefix: "kstone-deno-fs-" });
  return {
    fs: new DenoFileSystem(),
    root,
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
}

if (!onDeno) {
  test("DenoFileSystem conformance suite runs on Deno only", {
    skip: "DenoFileSystem needs the Deno runtime",
  }, () => {});
} else {
  runFileSystemConformance("DenoFileSystem", makeFixture);

  test("DenoFileSystem.lock() refuses a lock file held by another live process", async () => {
    const { fs, root, cleanup } = await makeFixture();
    try {
      const path = `${root}/LOCK`;
      await Deno.writeTextFile(path, `${process.ppid}\n`);
      await assert.rejects(fs.lock(path), {
        code: "LOCKED",
        message: `Database is locked: ${path} is held by process ${process.ppid}`,
      });
    } finally {
      await cleanup();
    }
  });

  test("DenoFileSystem.syncDir() fsyncs a directory opened read-only", async () => {
    const { fs, root, cleanup } = await makeFixture();
    try {
      await fs.mkdir(`${root}/db`);
      await fs.syncDir(`${root}/db`);
      await fs.syncDir(root);
      assert.deepEqual(await fs.list(root), ["db"]);
    } finally {
      await cleanup();
    }
  });

  test("mapDenoError() maps a real Deno.errors.NotFound to ENOENT", async () => {
    const error = await Deno.stat("/kstone-missing").catch((cause: unknown) => cause);
    assert.ok(error instanceof Deno.errors.NotFound);
    assertIoError(mapDenoError(error, "/kstone-missing"), "ENOENT", "/kstone-missing");
  });
}

test("mapDenoError() maps Deno error classes that carry no code", () => {
  const cases: Array<[string, string]> = [
    ["PermissionDenied", "EACCES"],
    ["NotCapable", "EACCES"],
    ["AlreadyExists", "EEXIST"],
    ["NotFound", "ENOENT"],
    ["IsADirectory", "EISDIR"],
    ["Unknown", "EIO"],
  ];
  for (const [name, errno] of cases) {
    const cause = Object.assign(new Error(name), { name });
    const error = mapDenoError(cause, "/db/wal.log");
    assert.equal(error.errno, errno, name);
    assert.equal(error.cause, cause);
  }
  assertIoError(mapDenoError(new Error("no code"), "/f"), "EIO", "/f");
});

test("mapDenoError() prefers the POSIX code Deno sets", () => {
  const cause = Object.assign(new Error("No space left on device (os error 28)"), {
    code: "ENOSPC",
  });
  assert.equal(
    mapDenoError(cause, "/db/wal.log").message,
    "IO error: No space left on device (os error 28): /db/wal.log",
  );
});

test("new DenoFileSystem() throws a TypeError outside Deno", {
  skip: onDeno ? "running on Deno" : false,
}, () => {
  assert.throws(() => new DenoFileSystem(), TypeError);
});
