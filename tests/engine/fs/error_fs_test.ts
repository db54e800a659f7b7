import { test } from "node:test";
import assert from "node:assert/strict";
import { KstoneError } from "../../../engine/errors.ts";
import { ErrorFileSystem, InjectedFault, isInjectedFault } from "../../../engine/fs/error_fs.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { assertIoError, runFileSystemConformance } from "./conformance.ts";

runFileSystemConformance("ErrorFileSystem", async () => {
  const inner = new MemoryFileSystem();
  await inner.mkdir("/root");
  return { fs: new ErrorFileSystem(inner), root: "/root", cleanup: () => Promise.resolve() };
});

const bytes = (...values: number[]) => new Uint8Array(values);

/** The error `action` throws, asserting it throws one. */
function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  assert.fail("expected the call to throw");
}

test("ErrorFileSystem.inject() fails the nth matching call only", async () => {
  const fs = new ErrorFileSystem(new MemoryFileSystem());
  const fault = fs.inject({ op: "write", nth: 3 });
  const file = await fs.open("/f", { create: true });
  file.write(bytes(1), 0);
  file.write(bytes(2), 1);
  const error = thrown(() => file.write(bytes(3), 2));
  assertIoError(error, "EIO", "/f");
  assert.ok(isInjectedFault(error));
  file.write(bytes(4), 2);
  assert.equal(fault.fired, 1);
  assert.deepEqual(await fs.readFile("/f"), bytes(1, 2, 4));
});

test("ErrorFileSystem.inject() fails `times` calls in a row, or all with Infinity", async () => {
  const fs = new ErrorFileSystem(new MemoryFileSystem());
  const twice = fs.inject({ op: "mkdir", times: 2 });
  await assert.rejects(fs.mkdir("/a"), isInjectedFault);
  await assert.rejects(fs.mkdir("/a"), isInjectedFault);
  await fs.mkdir("/a");
  assert.equal(twice.fired, 2);
  const always = fs.inject({ op: "stat", nth: 2, times: Infinity });
  await fs.stat("/a");
  for (let i = 0; i < 5; i++) await assert.rejects(fs.stat("/a"), isInjectedFault);
  assert.equal(always.fired, 5);
});

test("ErrorFileSystem.inject() uses the errno asked for, with its OS message", async () => {
  const fs = new ErrorFileSystem(new MemoryFileSystem());
  fs.inject({ op: "append", errno: "ENOSPC" });
  const file = await fs.open("/wal.log", { create: true });
  const error = thrown(() => file.append(bytes(1)));
  assertIoError(error, "ENOSPC", "/wal.log");
  assert.ok(error instanceof KstoneError && error.cause instanceof InjectedFault);
  assert.deepEqual(error.cause.rule, { op: "append", errno: "ENOSPC" });
});

test("ErrorFileSystem.inject() with partial tears a write: half the data, then the error", async () => {
  const fs = new ErrorFileSystem(new MemoryFileSystem());
  const file = await fs.open("/f", { create: true });
  fs.inject({ op: "append", partial: true });
  assert.ok(isInjectedFault(thrown(() => file.append(bytes(1, 2, 3, 4, 5)))));
  assert.deepEqual(await fs.readFile("/f"), bytes(1, 2));
  fs.inject({ op: "write", partial: 1 });
  assert.ok(isInjectedFault(thrown(() => file.write(bytes(7, 8, 9), 0))));
  assert.deepEqual(await fs.readFile("/f"), bytes(7, 2));
});

test("ErrorFileSystem.inject() with a path only fails calls on matching paths", async () => {
  const fs = new ErrorFileSystem(new MemoryFileSystem());
  const fault = fs.inject({ op: "open", path: ".sst", times: Infinity });
  (await fs.open("/wal.log", { create: true })).close();
  await assert.rejects(fs.open("/000-1.sst", { create: true }), isInjectedFault);
  fs.inject({ op: "rename", path: "MANIFEST" });
  await assert.rejects(fs.rename("/wal.log", "/MANIFEST"), (error) => {
    assertIoError(error, "EIO", "/wal.log");
    return isInjectedFault(error);
  });
  assert.equal(fault.fired, 1);
});

test("ErrorFileSystem.inject() with op 'any' fails whatever comes next", async () => {
  const fs = new ErrorFileSystem(new MemoryFileSystem());
  fs.inject({ op: "any", nth: 2 });
  await fs.mkdir("/a");
  await assert.rejects(fs.list("/a"), isInjectedFault);
  assert.deepEqual(await fs.list("/a"), []);
});

test("ErrorFileSystem 'sync' faults fail datasync() as a rejection and datasyncSync() as a throw", async () => {
  const fs = new ErrorFileSystem(new MemoryFileSystem());
  const file = await fs.open("/f", { create: true });
  fs.inject({ op: "sync", times: 2 });
  const pending = file.datasync();
  assert.ok(pending instanceof Promise);
  await assert.rejects(pending, isInjectedFault);
  assert.ok(isInjectedFault(thrown(() => file.datasyncSync())));
  await file.datasync();
});

test("ErrorFileSystem.calls() counts calls per operation, failed ones included", async () => {
  const fs = new ErrorFileSystem(new MemoryFileSystem());
  fs.inject({ op: "sync" });
  const file = await fs.open("/f", { create: true });
  file.append(bytes(1));
  await assert.rejects(file.datasync());
  file.datasyncSync();
  file.read(new Uint8Array(1), 0);
  await fs.syncDir("/");
  assert.equal(fs.calls("open"), 1);
  assert.equal(fs.calls("append"), 1);
  assert.equal(fs.calls("sync"), 2);
  assert.equal(fs.calls("read"), 1);
  assert.equal(fs.calls("syncDir"), 1);
  assert.equal(fs.calls("remove"), 0);
  assert.equal(fs.calls("any"), 6);
});

test("ErrorFileSystem.clear() and cancel() stop rules from firing", async () => {
  const fs = new ErrorFileSystem(new MemoryFileSystem());
  const fault = fs.inject({ op: "stat", times: Infinity });
  fault.cancel();
  await fs.stat("/");
  fs.inject({ op: "stat", times: Infinity });
  fs.inject({ op: "list", times: Infinity });
  fs.clear();
  await fs.stat("/");
  assert.deepEqual(await fs.list("/"), []);
  assert.equal(fault.fired, 0);
});

test("ErrorFileSystem passes real errors of the inner filesystem through unmarked", async () => {
  const fs = new ErrorFileSystem(new MemoryFileSystem());
  await assert.rejects(fs.stat("/missing"), (error) => {
    assertIoError(error, "ENOENT", "/missing");
    return !isInjectedFault(error);
  });
});

test("ErrorFileSystem.inject() rejects a zero or fractional nth", () => {
  const fs = new ErrorFileSystem(new MemoryFileSystem());
  assert.throws(() => fs.inject({ op: "open", nth: 0 }), RangeError);
  assert.throws(() => fs.inject({ op: "open", nth: 1.5 }), RangeError);
  assert.throws(() => fs.inject({ op: "open", times: 0 }), RangeError);
});

test("ErrorFileSystem over a MemoryFileSystem: a torn append leaves a prefix, before and after a crash", async () => {
  const memory = new MemoryFileSystem();
  const fs = new ErrorFileSystem(memory);
  const file = await fs.open("/wal.log", { create: true });
  await fs.syncDir("/");
  file.append(bytes(1, 2));
  await file.datasync();
  fs.inject({ op: "append", partial: true, errno: "ENOSPC" });
  assert.ok(isInjectedFault(thrown(() => file.append(bytes(3, 4, 5, 6)))));
  assert.deepEqual(await fs.readFile("/wal.log"), bytes(1, 2, 3, 4));
  for (let seed = 0; seed < 10; seed++) {
    const data = await memory.crash({ seed }).readFile("/wal.log");
    assert.deepEqual(data, bytes(1, 2, 3, 4).subarray(0, data.length));
    assert.ok(data.length >= 2);
  }
});
