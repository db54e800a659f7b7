/**
 * A table: items addressed by their key attributes, lowered onto the store's commit and get.
 *
 * @module
 */
import { decodeItem, encodeItem, validateItemSize } from "../codec/item_codec.ts";
import { KstoneError } from "../errors.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import { marshallItem, unmarshallItem } from "../model/marshall.ts";
import type { Store } from "../store/store.ts";
import type { TableDefinition } from "./catalog.ts";
import { type ItemLocation, type KeySchema, locate } from "./key_schema.ts";

/** An item as the JS API takes and returns it: attribute names to plain values. */
export type Item = Record<string, unknown>;

/** Operation counters shared by the tables of one database. */
export interface OperationCounters {
  puts: number;
  gets: number;
  deletes: number;
}

/** What a {@linkcode Table} needs from its database. */
export interface TableContext {
  readonly store: Store;
  readonly counters: OperationCounters;
  /** Whether the table still exists. */
  isLive(definition: TableDefinition): boolean;
}

/**
 * A table of items. Get one from `Database.createTable` or `Database.table`.
 *
 * @example Put, get and delete
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * const db = await Database.memory();
 * const users = await db.createTable("users", { partitionKey: { name: "id", type: "S" } });
 * await users.put({ id: "u1", name: "Ada" });
 * assert.deepEqual(await users.get({ id: "u1" }), { id: "u1", name: "Ada" });
 * await users.delete({ id: "u1" });
 * assert.equal(await users.get({ id: "u1" }), undefined);
 * await db.close();
 * ```
 */
export class Table {
  readonly #context: TableContext;
  readonly #definition: TableDefinition;
  readonly #sortKeyOptional: boolean;

  /**
   * @param context The database's store and counters.
   * @param definition The table's catalog entry.
   * @param sortKeyOptional Whether the sort key may be absent (the default table).
   */
  constructor(context: TableContext, definition: TableDefinition, sortKeyOptional = false) {
    this.#context = context;
    this.#definition = definition;
    this.#sortKeyOptional = sortKeyOptional;
  }

  /** The table's name. */
  get name(): string {
    return this.#definition.name;
  }

  /** The table's key schema. */
  get keySchema(): KeySchema {
    return this.#definition.keySchema;
  }

  /**
   * Stores an item, replacing any item with the same key. Resolves once it is durable.
   *
   * @param item The item; it must hold the key attributes.
   * @throws {KstoneError} VALIDATION when a key attribute is missing or of the wrong type, a
   *   key is too large, the item exceeds 400 KB or holds a value that cannot be stored.
   */
  async put(item: Item): Promise<void> {
    const value = marshallItem(item);
    const location = this.#locate(value, false);
    validateItemSize(value);
    this.#context.counters.puts++;
    await this.#context.store.commit([{ ...location, value: encodeItem(value) }]);
  }

  /**
   * Reads an item by its key.
   *
   * @param key The key attributes, and nothing else.
   * @returns The item, or `undefined` when there is none.
   */
  // deno-lint-ignore require-await
  async get(key: Item): Promise<Item | undefined> {
    return this.getSync(key);
  }

  /**
   * Reads an item by its key, synchronously.
   *
   * @param key The key attributes, and nothing else.
   * @returns The item, or `undefined` when there is none.
   */
  getSync(key: Item): Item | undefined {
    const location = this.#locate(marshallItem(key), true);
    this.#context.counters.gets++;
    const bytes = this.#context.store.get(location.stripe, location.key);
    return bytes === undefined ? undefined : unmarshallItem(decodeItem(bytes));
  }

  /**
   * Deletes an item by its key; deleting a missing item succeeds. Resolves once durable.
   *
   * @param key The key attributes, and nothing else.
   */
  async delete(key: Item): Promise<void> {
    const location = this.#locate(marshallItem(key), true);
    this.#context.counters.deletes++;
    await this.#context.store.commit([{ ...location, value: null }]);
  }

  #locate(item: AttributeMap, exact: boolean): ItemLocation {
    if (!this.#context.isLive(this.#definition)) {
      throw new KstoneError(
        "RESOURCE_NOT_FOUND",
        `Requested resource not found: Table: ${this.name} not found`,
      );
    }
    return locate(
      this.#definition.id,
      this.#definition.keySchema,
      item,
      this.#sortKeyOptional,
      exact,
    );
  }
}
