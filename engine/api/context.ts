/**
 * What the DynamoDB operations of `engine/api/` need from a database: its store and a way to
 * resolve a table name. `Database` and `Table` build one; the server will too.
 *
 * @module
 */
import type { IndexDefinition, StreamDefinition } from "../db/catalog.ts";
import type { KeySchema } from "../db/key_schema.ts";
import type { Store } from "../store/store.ts";

/** A table as the operations see it. */
export interface ApiTable {
  /** The table's id in the keyspace. */
  readonly id: number;
  /** The table's name, for messages. */
  readonly name: string;
  /** The key schema. */
  readonly keySchema: KeySchema;
  /** Whether items may lack the sort key (only the default table's `sk`). */
  readonly sortKeyOptional: boolean;
  /** The indexes writes maintain (`CREATING` and `ACTIVE` ones). @default none */
  readonly indexes?: readonly IndexDefinition[];
  /** The attribute holding items' expiry, when time to live is enabled. @default none */
  readonly ttlAttribute?: string;
  /** The stream writes add records to, when one is enabled. @default none */
  readonly stream?: StreamDefinition;
}

/** Operation counters the operations bump (shared with `Database.stats()`). */
export interface ApiCounters {
  /** Items written by put, update and batch or transaction puts. */
  puts: number;
  /** Items read by get, batch get and transaction gets. */
  gets: number;
  /** Items deleted. */
  deletes: number;
}

/**
 * The store and table resolver the operations run against.
 *
 * @example A context over one table
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ApiContext, ApiTable } from "./context.ts";
 * import { createStore } from "../store/open.ts";
 * import { MemoryFileSystem } from "../fs/memory_fs.ts";
 * const store = await createStore(new MemoryFileSystem(), "/db.keystone", {});
 * const users: ApiTable = {
 *   id: 2,
 *   name: "users",
 *   keySchema: { partitionKey: { name: "id", type: "S" } },
 *   sortKeyOptional: false,
 * };
 * const ctx: ApiContext = { store, table: () => users };
 * assert.equal(ctx.table("users").id, 2);
 * await store.close();
 * ```
 */
export interface ApiContext {
  /** The open store. */
  readonly store: Store;
  /**
   * Resolves a table name.
   *
   * @throws {KstoneError} RESOURCE_NOT_FOUND when there is no such table.
   */
  table(name: string): ApiTable;
  /** Counters to bump, when the database keeps them. */
  readonly counters?: ApiCounters;
  /**
   * The clock, in milliseconds since the epoch, that decides which items have expired and
   * stamps stream records. Tests inject one. @default Date.now
   */
  readonly now?: () => number;
}
