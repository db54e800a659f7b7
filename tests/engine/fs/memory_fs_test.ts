import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem, type MemoryOperation } from "../../../engine/fs/memory_fs.ts";
import { assertIoError, runFileSystemConformance } from "./conformance.ts";

runFileSystemConformance("MemoryFileSystem", async () => {
  const fs = new MemoryFileSystem();
  await fs.mkdir("/root");
  return { fs, root: "/root", cleanup: () => Promise.resolve() };
});

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (value: string) => new TextEncoder().encode(value);

/** A filesystem with a durable, empty `/db`. */
async function dbFs(): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  await fs.mkdir("/db");
  await fs.syncDir("/");
  return fs;
}

/** Creates `/db/<name>` holding `data`, synced, with its name synced. */
async function durableFile(fs: MemoryFileSystem, name: string, data: Uint8Array) {
  const file = await fs.open(`/db/${name}`, { create: true });
  file.write(data, 0);
  await file.datasync();
  await fs.syncDir("/db");
  return file;
}

test("MemoryFileSystem.crash() keeps synced bytes", async () => {
  const fs = await dbFs();
  const file = await durableFile(fs, "wal.log", bytes(1, 2, 3));
  file.append(bytes(4, 5));
  for (let seed = 0; seed < 20; seed++) {
    for (const keepUnsynced of [0, 0.5, 1]) {
      const data = await fs.crash({ seed, keepUnsynced }).readFile("/db/wal.log");
      assert.deepEqual(data.subarray(0, 3), bytes(1, 2, 3));
    }
  }
});

test("MemoryFileSystem.crash() with keepUnsynced 0 keeps exactly the synced bytes", async () => {
  const fs = await dbFs();
  const file = await durableFile(fs, "wal.log", bytes(1, 2, 3));
  file.append(bytes(4, 5));
  file.write(bytes(9), 0);
  file.datasyncSync();
  file.append(bytes(6));
  file.write(bytes(8), 1);
  assert.deepEqual(
    await fs.crash({ keepUnsynced: 0 }).readFile("/db/wal.log"),
    bytes(9, 2, 3, 4, 5),
  );
});

test("MemoryFileSystem.crash() keeps a random prefix of an unsynced tail", async () => {
  const fs = await dbFs();
  const file = await durableFile(fs, "wal.log", bytes(1, 2));
  const tail = new Uint8Array(100).map((_, i) => i + 10);
  file.append(tail);
  const lengths = new Set<number>();
  for (let seed = 0; seed < 200; seed++) {
    const data = await fs.crash({ seed }).readFile("/db/wal.log");
    assert.ok(data.length >= 2 && data.length <= 102, `length ${data.length}`);
    assert.deepEqual(data, bytes(1, 2, ...tail).subarray(0, data.length));
    lengths.add(data.length);
  }
  assert.ok(lengths.has(2), "some crashes lose the whole tail");
  assert.ok(lengths.size > 20, `prefix lengths vary: ${lengths.size}`);
});

test("MemoryFileSystem.crash() keeps unsynced overwrites run by run, old or new", async () => {
  const fs = await dbFs();
  const file = await durableFile(fs, "f", new Uint8Array(8));
  file.write(bytes(1, 1), 1);
  file.write(bytes(2, 2), 5);
  const seen = new Set<string>();
  for (let seed = 0; seed < 100; seed++) {
    const data = await fs.crash({ seed }).readFile("/db/f");
    assert.equal(data.length, 8);
    const first = data.subarray(1, 3).join();
    const second = data.subarray(5, 7).join();
    assert.ok(first === "0,0" || first === "1,1", first);
    assert.ok(second === "0,0" || second === "2,2", second);
    seen.add(`${first}|${second}`);
  }
  assert.equal(seen.size, 4, "each run is chosen on its own");
});

test("MemoryFileSystem.crash() keeps or undoes an unsynced truncate", async () => {
  const fs = await dbFs();
  const file = await durableFile(fs, "f", bytes(1, 2, 3, 4));
  file.truncate(1);
  assert.deepEqual(await fs.crash({ keepUnsynced: 0 }).readFile("/db/f"), bytes(1, 2, 3, 4));
  assert.deepEqual(await fs.crash({ keepUnsynced: 1 }).readFile("/db/f"), bytes(1));
});

test("MemoryFileSystem.crash() loses a file whose creation was not dir-synced", async () => {
  const fs = await dbFs();
  const file = await fs.open("/db/000-1.sst", { create: true });
  file.append(bytes(1));
  await file.datasync();
  assert.deepEqual(await fs.crash().list("/db"), []);
  await fs.syncDir("/db");
  assert.deepEqual(await fs.crash().readFile("/db/000-1.sst"), bytes(1));
});

test("MemoryFileSystem.crash() undoes a rename that was not dir-synced", async () => {
  const fs = await dbFs();
  await durableFile(fs, "MANIFEST", text("old"));
  await durableFile(fs, "MANIFEST.tmp", text("new"));
  await fs.rename("/db/MANIFEST.tmp", "/db/MANIFEST");
  const lost = fs.crash();
  assert.deepEqual(await lost.readFile("/db/MANIFEST"), text("old"));
  assert.deepEqual((await lost.list("/db")).sort(), ["MANIFEST", "MANIFEST.tmp"]);
});

test("MemoryFileSystem.crash() keeps a dir-synced rename", async () => {
  const fs = await dbFs();
  await durableFile(fs, "MANIFEST", text("old"));
  await durableFile(fs, "MANIFEST.tmp", text("new"));
  await fs.rename("/db/MANIFEST.tmp", "/db/MANIFEST");
  await fs.syncDir("/db");
  const kept = fs.crash();
  assert.deepEqual(await kept.readFile("/db/MANIFEST"), text("new"));
  assert.deepEqual(await kept.list("/db"), ["MANIFEST"]);
});

test("MemoryFileSystem.crash() brings back a removed file until the removal is dir-synced", async () => {
  const fs = await dbFs();
  await durableFile(fs, "old.sst", bytes(7));
  await fs.remove("/db/old.sst");
  assert.deepEqual(await fs.crash().readFile("/db/old.sst"), bytes(7));
  await fs.syncDir("/db");
  assert.deepEqual(await fs.crash().list("/db"), []);
});

test("MemoryFileSystem.crash() loses a directory until its parent is dir-synced", async () => {
  const fs = new MemoryFileSystem();
  await fs.mkdir("/data/db", { recursive: true });
  await fs.syncDir("/data/db");
  assert.deepEqual(await fs.crash().list("/"), []);
  await fs.syncDir("/");
  assert.deepEqual(await fs.crash().list("/data"), []);
  await fs.syncDir("/data");
  assert.deepEqual(await fs.crash().list("/data/db"), []);
});

test("MemoryFileSystem.crash() with the same seed gives the same filesystem", async () => {
  const fs = await dbFs();
  for (let i = 0; i < 5; i++) {
    const file = await durableFile(fs, `f${i}`, bytes(i));
    file.append(new Uint8Array(500).fill(i + 1));
    file.write(bytes(99), 0);
  }
  const image = async (seed: number) => {
    const after = fs.crash({ seed });
    const files = await Promise.all([0, 1, 2, 3, 4].map((i) => after.readFile(`/db/f${i}`)));
    return files.map((data) => data.join()).join("|");
  };
  assert.equal(await image(7), await image(7));
  assert.notEqual(await image(7), await image(8));
});

test("MemoryFileSystem.crash() leaves the original and the clone independent", async () => {
  const fs = await dbFs();
  const file = await durableFile(fs, "f", bytes(1));
  const clone = fs.crash();
  file.append(bytes(2));
  const cloned = await clone.open("/db/f");
  cloned.append(bytes(3));
  assert.deepEqual(await fs.readFile("/db/f"), bytes(1, 2));
  assert.deepEqual(await clone.readFile("/db/f"), bytes(1, 3));
});

test("MemoryFileSystem.crash() drops held locks but keeps a durable lock file", async () => {
  const fs = await dbFs();
  await fs.lock("/db/LOCK");
  await fs.syncDir("/db");
  const after = fs.crash();
  assert.deepEqual(await after.list("/db"), ["LOCK"]);
  const lock = await after.lock("/db/LOCK");
  await lock.release();
  await assert.rejects(fs.lock("/db/LOCK"), { code: "LOCKED" });
});

test("MemoryFileSystem.lock() names its fake pid", async () => {
  const fs = new MemoryFileSystem({ pid: 77 });
  await fs.lock("/LOCK");
  assert.deepEqual(await fs.readFile("/LOCK"), text("77\n"));
  await assert.rejects(fs.lock("/LOCK"), {
    message: "Database is locked: /LOCK is held by process 77",
  });
});

test("MemoryFileSystem.operationCount counts the operations a crash can observe", async () => {
  const events: MemoryOperation[] = [];
  const fs = new MemoryFileSystem({ onOperation: (event) => events.push(event) });
  const file = await fs.open("/f", { create: true });
  file.append(bytes(1));
  file.write(bytes(2), 0);
  await file.datasync();
  await fs.syncDir("/");
  file.read(new Uint8Array(1), 0);
  await fs.stat("/f");
  await fs.rename("/f", "/g");
  assert.equal(fs.operationCount, 6);
  assert.deepEqual(events.map((event) => `${event.count}:${event.kind}`), [
    "1:create",
    "2:append",
    "3:write",
    "4:sync",
    "5:syncDir",
    "6:rename",
  ]);
});

test("MemoryFileSystem onOperation can crash-clone at every point of a workload", async () => {
  const clones: MemoryFileSystem[] = [];
  const fs = new MemoryFileSystem({
    onOperation: () => clones.push(fs.crash({ keepUnsynced: 0 })),
  });
  const tmp = await fs.open("/MANIFEST.tmp", { create: true });
  tmp.append(text("v2"));
  await tmp.datasync();
  await fs.rename("/MANIFEST.tmp", "/MANIFEST");
  await fs.syncDir("/");
  const states = await Promise.all(clones.map(async (clone) => (await clone.list("/")).join()));
  assert.deepEqual(states, ["", "", "", "", "MANIFEST"]);
});

test("MemoryFileSystem.datasync() covers only writes made before the call", async () => {
  const fs = await dbFs();
  const file = await durableFile(fs, "wal.log", bytes());
  file.append(bytes(1));
  const pending = file.datasync();
  file.append(bytes(2));
  await pending;
  assert.deepEqual(await fs.crash({ keepUnsynced: 0 }).readFile("/db/wal.log"), bytes(1));
});

test("MemoryFileSystem.files() lists paths, sizes and durability", async () => {
  const fs = await dbFs();
  const file = await durableFile(fs, "a", bytes(1, 2));
  file.append(bytes(3));
  await fs.open("/db/b", { create: true });
  assert.deepEqual(fs.files(), [
    { path: "/db", isDirectory: true, size: 0, syncedSize: 0, durable: true },
    { path: "/db/a", isDirectory: false, size: 3, syncedSize: 2, durable: true },
    { path: "/db/b", isDirectory: false, size: 0, syncedSize: 0, durable: false },
  ]);
});

test("MemoryFileSystem appends and syncs stay fast on a large file", async () => {
  const fs = await dbFs();
  const file = await fs.open("/db/wal.log", { create: true });
  const record = new Uint8Array(100).fill(1);
  for (let i = 0; i < 100_000; i++) {
    file.append(record);
    if (i % 10 === 0) file.datasyncSync();
  }
  assert.equal(file.size(), 10_000_000);
  assert.equal(fs.files()[1]?.syncedSize, 9_999_100);
});

test("MemoryFileSystem resolves relative paths, '.' and '..' from the root", async () => {
  const fs = new MemoryFileSystem();
  await fs.mkdir("db");
  (await fs.open("/db/./x/../a", { create: true })).append(bytes(1));
  assert.deepEqual(await fs.readFile("db/a"), bytes(1));
  assert.deepEqual(await fs.list("/db/"), ["a"]);
  await assert.rejects(fs.list("/db/a"), (error) => assertIoError(error, "ENOTDIR", "/db/a"));
});

test("MemoryFileSystem.rename() refuses to move a directory into itself", async () => {
  const fs = new MemoryFileSystem();
  await fs.mkdir("/a/b", { recursive: true });
  await assert.rejects(fs.rename("/a", "/a/b/c"), { errno: "EINVAL" });
  await fs.rename("/a", "/z");
  assert.deepEqual(await fs.list("/z"), ["b"]);
});

test("MemoryFileSystem handles reject a negative position with RangeError", async () => {
  const file = await new MemoryFileSystem().open("/f", { create: true });
  assert.throws(() => file.write(bytes(1), -1), RangeError);
  assert.throws(() => file.read(new Uint8Array(1), 1.5), RangeError);
});

test("MemoryFileSystem.crash() rejects keepUnsynced outside 0..1", () => {
  assert.throws(() => new MemoryFileSystem().crash({ keepUnsynced: 2 }), RangeError);
});
