/**
 * The index tests' database: table `orders` (keys `customer` S and `id` S) with a local index
 * and two global indexes of different projections, and the check that every index equals the
 * recomputation from the table's items.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Database, MemoryFileSystem } from "../../../mod.ts";
import type { ApiContext, ApiTable } from "../../../engine/api/context.ts";
import type { IndexDefinition } from "../../../engine/db/catalog.ts";
import {
  actualTableIndexEntries,
  expectedIndexEntries,
  storedItems,
} from "../../helpers/index_model.ts";

/** The directory the tests' databases live in. */
export const DIR = "/data/index.keystone";

/** The fixture's table and its indexes. */
export const ORDERS = {
  keySchema: {
    partitionKey: { name: "customer", type: "S" as const },
    sortKey: { name: "id", type: "S" as const },
  },
  options: {
    /** `customer` then `amount` (N); stores only keys. */
    localIndexes: [{
      name: "byAmount",
      sortKey: { name: "amount", type: "N" as const },
      projection: { type: "KEYS_ONLY" as const },
    }],
    globalIndexes: [
      /** `status` then `placed` (S); stores keys, `note` and `amount`. */
      {
        name: "byStatus",
        partitionKey: { name: "status", type: "S" as const },
        sortKey: { name: "placed", type: "S" as const },
        projection: { type: "INCLUDE" as const, nonKeyAttributes: ["note", "amount"] },
      },
      /** `email` alone; stores whole items. */
      {
        name: "byEmail",
        partitionKey: { name: "email", type: "S" as const },
        projection: { type: "ALL" as const },
      },
    ],
  },
};

/** A database with the `orders` table. */
export interface IndexFixture {
  fs: MemoryFileSystem;
  db: Database;
  ctx: ApiContext;
}

/**
 * Creates the fixture.
 *
 * @param options Database options (a clock, store tuning).
 * @param ttl The time-to-live attribute to enable, if any.
 * @returns The fixture.
 */
export async function indexFixture(
  options: Parameters<typeof Database.create>[1] = {},
  ttl?: string,
): Promise<IndexFixture> {
  const fs = new MemoryFileSystem();
  const db = await Database.create(DIR, { fs, ...options });
  await db.createTable("orders", ORDERS.keySchema, {
    ...ORDERS.options,
    ...(ttl === undefined ? {} : { ttl: { attributeName: ttl } }),
  });
  return { fs, db, ctx: db.apiContext() };
}

/**
 * An index of the fixture's table, by name.
 *
 * @param ctx The database.
 * @param name The index's name.
 * @returns Its definition.
 */
export function indexOf(ctx: ApiContext, name: string): IndexDefinition {
  const index = ctx.table("orders").indexes?.find((index) => index.name === name);
  assert.ok(index !== undefined, `no index ${name}`);
  return index;
}

/**
 * Asserts that every index of a table holds exactly the entries its items give.
 *
 * @param ctx The database.
 * @param table The table. @default orders
 */
export function assertIndexesMatch(ctx: ApiContext, table: ApiTable = ctx.table("orders")): void {
  assert.deepEqual(
    actualTableIndexEntries(ctx.store, table),
    expectedIndexEntries(storedItems(ctx.store, table.id), table),
  );
}
