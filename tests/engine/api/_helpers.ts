/**
 * Helpers of the operation tests: a fresh database with a few tables, and assertions on
 * KstoneError codes and messages.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Database, KstoneError, MemoryFileSystem } from "../../../mod.ts";
import type { ApiContext } from "../../../engine/api/context.ts";

/** The directory the tests' databases live in. */
export const DIR = "/data/ops.keystone";

/** A database with `orders` (pk `customer` S, sk `ts` N) and `users` (pk `id` S). */
export interface Fixture {
  fs: MemoryFileSystem;
  db: Database;
  ctx: ApiContext;
}

/**
 * Creates the fixture's database.
 *
 * @param options Store tuning.
 * @returns The fixture.
 */
export async function fixture(
  options: Parameters<typeof Database.create>[1] = {},
): Promise<Fixture> {
  const fs = new MemoryFileSystem();
  const db = await Database.create(DIR, { fs, ...options });
  await db.createTable("orders", {
    partitionKey: { name: "customer", type: "S" },
    sortKey: { name: "ts", type: "N" },
  });
  await db.createTable("users", { partitionKey: { name: "id", type: "S" } });
  return { fs, db, ctx: db.apiContext() };
}

/**
 * Asserts that a promise rejects with a KstoneError of `code`, and `message` when given.
 *
 * @param promise The operation.
 * @param code The expected code.
 * @param message The exact message, or a pattern.
 * @returns The error, for more checks.
 */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  message?: string | RegExp,
): Promise<KstoneError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof KstoneError, `expected a KstoneError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (typeof message === "string") assert.equal(caught.message, message);
  else if (message !== undefined) assert.match(caught.message, message);
  return caught;
}
