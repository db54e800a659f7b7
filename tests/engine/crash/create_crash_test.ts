import { test } from "node:test";
import assert from "node:assert/strict";
import { Database } from "../../../engine/db/database.ts";
import { KstoneError } from "../../../engine/errors.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";

const DIR = "/srv/data/new.keystone";

test("Database.create() cut by a power cut at any operation leaves no database or an empty one that works", async () => {
  const clones: { fs: MemoryFileSystem; at: string }[] = [];
  const fs = new MemoryFileSystem({
    onOperation(operation) {
      for (const keepUnsynced of [0, 0.5, 1]) {
        clones.push({
          fs: fs.crash({ seed: operation.count, keepUnsynced }),
          at:
            `${operation.count} ${operation.kind} ${operation.path} (keepUnsynced ${keepUnsynced})`,
        });
      }
    },
  });
  const created = await Database.create(DIR, { fs });
  await created.close();
  assert.ok(clones.length >= 30, `create made only ${clones.length / 3} operations`);

  let opened = 0;
  for (const { fs: clone, at } of clones) {
    let db: Database;
    try {
      db = await Database.open(DIR, { fs: clone });
      opened++;
    } catch (error) {
      assert.ok(error instanceof KstoneError, `after ${at}: ${error}`);
      assert.equal(error.errno, "ENOENT", `after ${at}: ${error.message}`);
      db = await Database.create(DIR, { fs: clone });
    }
    assert.equal(await db.get("user#1"), undefined, `after ${at}`);
    assert.notEqual(db.health().status, "unhealthy", `after ${at}`);
    await db.put("user#1", { ok: true });
    await db.close();
    const again = await Database.open(DIR, { fs: clone });
    assert.deepEqual(await again.get("user#1"), { pk: "user#1", ok: true }, `after ${at}`);
    await again.close();
  }
  assert.ok(opened > 0, "a power cut late in create leaves a database");
});
