/**
 * The open database's view of its catalog: the live table definitions by name, the ids to
 * allocate, and the {@linkcode ApiTable} each definition gives the operations. Changes go
 * through {@linkcode TableRegistry.save}, which writes the catalog row and registers the new
 * definition in the same synchronous step, so a table is never in use without its row.
 *
 * @module
 */
import type { ApiTable } from "../api/context.ts";
import { KstoneError } from "../errors.ts";
import type { Store } from "../store/store.ts";
import {
  catalogLocation,
  DEFAULT_TABLE_ID,
  encodeDefinition,
  FIRST_USER_TABLE_ID,
  loadCatalog,
  type TableDefinition,
} from "./catalog.ts";
import type { KeySchema } from "./key_schema.ts";

/** The default table's key schema: `pk` and an optional `sk`, both strings. */
export const DEFAULT_SCHEMA: KeySchema = {
  partitionKey: { name: "pk", type: "S" },
  sortKey: { name: "sk", type: "S" },
};

/** The default table's definition until a change (such as time to live) gives it a row. */
const DEFAULT_DEFINITION: TableDefinition = {
  id: DEFAULT_TABLE_ID,
  name: "",
  keySchema: DEFAULT_SCHEMA,
  createdAt: 0,
  status: "ACTIVE",
};

/**
 * The operations' view of a table definition: the indexes writes maintain, the TTL attribute
 * when time to live is on, and the stream when one is enabled.
 *
 * @param definition The table.
 * @returns The table as the operations see it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { apiTableOf } from "./table_registry.ts";
 * const table = apiTableOf({
 *   id: 2,
 *   name: "users",
 *   keySchema: { partitionKey: { name: "id", type: "S" } },
 *   createdAt: 0,
 *   status: "ACTIVE",
 *   ttl: { attributeName: "expires", enabled: true },
 * });
 * assert.equal(table.ttlAttribute, "expires");
 * assert.equal(table.stream, undefined);
 * ```
 */
export function apiTableOf(definition: TableDefinition): ApiTable {
  const indexes = (definition.indexes ?? []).filter((index) => index.status !== "DELETING");
  const stream = definition.streams?.at(-1);
  const table: {
    -readonly [K in keyof ApiTable]: ApiTable[K];
  } = {
    id: definition.id,
    name: definition.name,
    keySchema: definition.keySchema,
    sortKeyOptional: definition.id === DEFAULT_TABLE_ID,
  };
  if (indexes.length > 0) table.indexes = indexes;
  if (definition.ttl?.enabled === true) table.ttlAttribute = definition.ttl.attributeName;
  if (stream?.enabled === true) table.stream = stream;
  return table;
}

/**
 * The live tables of an open database.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createStore } from "../store/open.ts";
 * import { MemoryFileSystem } from "../fs/memory_fs.ts";
 * import { TableRegistry } from "./table_registry.ts";
 * const store = await createStore(new MemoryFileSystem(), "/db.keystone", {});
 * const tables = new TableRegistry(store);
 * await tables.save({
 *   id: tables.allocateId(),
 *   name: "users",
 *   keySchema: { partitionKey: { name: "id", type: "S" } },
 *   createdAt: Date.now(),
 *   status: "ACTIVE",
 * });
 * assert.deepEqual(tables.names(), ["users"]);
 * assert.equal(tables.api("users").id, 2);
 * await store.close();
 * ```
 */
export class TableRegistry {
  readonly #store: Store;
  readonly #byName = new Map<string, TableDefinition>();
  readonly #api = new Map<TableDefinition, ApiTable>();
  readonly #all = new Map<number, TableDefinition>();
  readonly #listeners: ((definition: TableDefinition) => void)[] = [];
  #default: TableDefinition = DEFAULT_DEFINITION;
  #nextId = FIRST_USER_TABLE_ID;

  /**
   * Loads the catalog.
   *
   * @param store The open store.
   */
  constructor(store: Store) {
    this.#store = store;
    for (const definition of loadCatalog(store)) this.#register(definition);
  }

  /**
   * A fresh keyspace id for a table, an index or a stream; never reused, even after a crash,
   * once a catalog row naming it is written.
   *
   * @returns The id.
   */
  allocateId(): number {
    return this.#nextId++;
  }

  /**
   * The live definition of a table.
   *
   * @param name The table's name; `""` is the default table.
   * @returns The definition, or `undefined` when there is no such table.
   */
  get(name: string): TableDefinition | undefined {
    return name === "" ? this.#default : this.#byName.get(name);
  }

  /**
   * The current definition of a table by id, deleted ones included.
   *
   * @param id The table's id.
   * @returns The definition, or `undefined`.
   */
  byId(id: number): TableDefinition | undefined {
    return id === DEFAULT_TABLE_ID ? this.#default : this.#all.get(id);
  }

  /** Every definition ever saved, deleted tables included (for reclaim and stream reads). */
  all(): Iterable<TableDefinition> {
    return this.#all.values();
  }

  /** The names of the live tables, sorted (the default table is not listed). */
  names(): string[] {
    return [...this.#byName.keys()].sort();
  }

  /** How many named tables are live. */
  get size(): number {
    return this.#byName.size;
  }

  /**
   * The operations' view of a live table.
   *
   * @param name The table's name; `""` is the default table.
   * @returns The table.
   * @throws {KstoneError} RESOURCE_NOT_FOUND when there is no such table.
   */
  api(name: string): ApiTable {
    const definition = typeof name === "string" ? this.get(name) : undefined;
    if (definition === undefined) throw tableNotFound(String(name));
    let table = this.#api.get(definition);
    if (table === undefined) {
      table = apiTableOf(definition);
      this.#api.set(definition, table);
    }
    return table;
  }

  /**
   * Whether a definition is still the live one of its table (not deleted nor replaced by a
   * newer version, as an UpdateTable makes).
   *
   * @param definition A definition.
   * @returns Whether it is current.
   */
  isCurrent(definition: TableDefinition): boolean {
    return this.byId(definition.id) === definition;
  }

  /**
   * Calls `listener` after every {@linkcode save}, once the new definition is live (the
   * database re-arms its time-to-live and stream-retention tasks).
   *
   * @param listener Called with the saved definition.
   */
  onSave(listener: (definition: TableDefinition) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Writes a table's definition to the catalog and makes it the live one. The row is committed
   * and registered in one synchronous step; the promise resolves once it is durable.
   *
   * @param definition The new definition (`status: "DELETED"` drops the table).
   * @returns Resolves when durable.
   * @throws {KstoneError} CLOSED or FAILED when the store cannot commit; nothing changes then.
   */
  save(definition: TableDefinition): Promise<void> {
    const durable = this.#store.commit([{
      ...catalogLocation(definition.id),
      value: encodeDefinition(definition),
    }]);
    this.#register(definition);
    for (const listener of this.#listeners) listener(definition);
    return durable;
  }

  #register(definition: TableDefinition): void {
    this.#nextId = Math.max(this.#nextId, definition.id + 1);
    for (const index of definition.indexes ?? []) {
      this.#nextId = Math.max(this.#nextId, index.id + 1);
    }
    for (const stream of definition.streams ?? []) {
      this.#nextId = Math.max(this.#nextId, stream.id + 1);
    }
    for (const id of definition.droppedIndexIds ?? []) {
      this.#nextId = Math.max(this.#nextId, id + 1);
    }
    if (definition.id === DEFAULT_TABLE_ID) {
      this.#default = definition;
      return;
    }
    const previous = this.#all.get(definition.id);
    if (previous !== undefined) this.#byName.delete(previous.name);
    this.#all.set(definition.id, definition);
    if (definition.status === "ACTIVE") this.#byName.set(definition.name, definition);
  }
}

/**
 * DynamoDB's error for an unknown table.
 *
 * @param name The table's name.
 * @returns The RESOURCE_NOT_FOUND error.
 */
export function tableNotFound(name: string): KstoneError {
  return new KstoneError(
    "RESOURCE_NOT_FOUND",
    `Requested resource not found: Table: ${name} not found`,
  );
}
