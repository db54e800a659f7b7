import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { currentRuntime, defaultFileSystem } from "../../../engine/fs/runtime_fs.ts";

test("currentRuntime() names the runtime running the tests", () => {
  const global = globalThis as { Deno?: unknown; Bun?: unknown };
  const expected = global.Deno !== undefined ? "deno" : global.Bun !== undefined ? "bun" : "node";
  assert.equal(currentRuntime(), expected);
});

test("defaultFileSystem() picks Deno's adapter on Deno and node:fs elsewhere", () => {
  assert.equal(defaultFileSystem().name, currentRuntime() === "deno" ? "deno" : "node");
});

test("defaultFileSystem() reads back what it wrote", async () => {
  const root = mkdtempSync(`${tmpdir()}/kstone-runtime-fs-`);
  try {
    const fs = defaultFileSystem();
    const file = await fs.open(`${root}/a.bin`, { create: true });
    file.append(new Uint8Array([1, 2, 3]));
    await file.datasync();
    file.close();
    assert.deepEqual(await fs.readFile(`${root}/a.bin`), new Uint8Array([1, 2, 3]));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
