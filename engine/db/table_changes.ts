/**
 * The definition changes of UpdateTable, as pure functions of the current definition: enabling
 * or disabling the stream, and creating or deleting a global secondary index, with DynamoDB's
 * rules and messages. `TableAdmin` saves what they return and starts the background work.
 *
 * @module
 */
import { KstoneError, validation } from "../errors.ts";
import type { UpdateTableChanges } from "./admin_options.ts";
import type { StreamDefinition, StreamViewType, TableDefinition } from "./catalog.ts";
import { attributeDefinitionsOf, checkIndexSet, globalIndex } from "./index_rules.ts";
import type { TableRegistry } from "./table_registry.ts";

const INVALID = "One or more parameter values were invalid: ";
const VIEW_TYPES: readonly string[] = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"];
const ONE_INDEX_CHANGE =
  "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table";

/** What a change needs: ids to allocate and the clock. */
export interface ChangeContext {
  /** The database's tables (for fresh ids). */
  readonly tables: TableRegistry;
  /** The clock, milliseconds since the epoch. */
  readonly now: () => number;
}

/** A changed definition, and the index it created or started deleting. */
export interface DefinitionChange {
  /** The definition to save. */
  readonly definition: TableDefinition;
  /** The id of an index created (to backfill). */
  readonly created?: number;
  /** The id of an index being deleted (to remove). */
  readonly deleted?: number;
}

/**
 * Enables a new stream (none may be enabled) or disables the enabled one, which stays readable.
 *
 * @param ctx Ids and clock.
 * @param definition The table as it is.
 * @param change The stream change.
 * @returns The new definition.
 * @throws {KstoneError} VALIDATION `Table already has an enabled stream: TableName: <name>`,
 *   `Table has no stream to disable: TableName: <name>`, or for a bad view type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * await using db = await Database.memory();
 * await db.createTable("users", { partitionKey: { name: "id", type: "S" } });
 * await db.updateTable("users", { stream: { enabled: true, viewType: "KEYS_ONLY" } });
 * await assert.rejects(
 *   db.updateTable("users", { stream: { enabled: true, viewType: "KEYS_ONLY" } }),
 *   /Table already has an enabled stream: TableName: users/,
 * );
 * ```
 */
export function changeStream(
  ctx: ChangeContext,
  definition: TableDefinition,
  change: NonNullable<UpdateTableChanges["stream"]>,
): DefinitionChange {
  const streams = definition.streams ?? [];
  const latest = streams.at(-1);
  if (change.enabled === true) {
    const viewType = checkViewType(change.viewType);
    if (latest?.enabled === true) {
      throw validation(`Table already has an enabled stream: TableName: ${definition.name}`);
    }
    const createdAt = Math.max(ctx.now(), (latest?.createdAt ?? -Infinity) + 1);
    const stream = newStream(viewType, ctx.tables, createdAt);
    return { definition: { ...definition, streams: [...streams, stream] } };
  }
  if (latest?.enabled !== true) {
    throw validation(`Table has no stream to disable: TableName: ${definition.name}`);
  }
  return {
    definition: {
      ...definition,
      streams: [...streams.slice(0, -1), { ...latest, enabled: false }],
    },
  };
}

/**
 * Starts creating a global secondary index (`CREATING`, to backfill) or deleting one
 * (`DELETING`, to remove); one such change at a time per table, as DynamoDB allows.
 *
 * @param ctx Ids and clock.
 * @param definition The table as it is.
 * @param updates The index changes: exactly one.
 * @returns The new definition and the index created or deleted.
 * @throws {KstoneError} LIMIT_EXCEEDED for a second change at once; VALIDATION for a duplicate
 *   or bad index, RESOURCE_NOT_FOUND for an unknown one, with DynamoDB's messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * await using db = await Database.memory();
 * await db.createTable("users", { partitionKey: { name: "id", type: "S" } });
 * await db.updateTable("users", {
 *   globalIndexUpdates: [{ create: { name: "by_email", partitionKey: { name: "email", type: "S" } } }],
 * });
 * await assert.rejects(
 *   db.updateTable("users", { globalIndexUpdates: [{ delete: "by_email" }] }),
 *   /Only 1 online index can be created or deleted simultaneously/,
 * );
 * await db.waitForTable("users");
 * ```
 */
export function changeIndexes(
  ctx: ChangeContext,
  definition: TableDefinition,
  updates: UpdateTableChanges["globalIndexUpdates"] & object,
): DefinitionChange {
  if (updates.length === 0) {
    throw validation(`${INVALID}List of GlobalSecondaryIndexUpdates is empty`);
  }
  const names = updates.map((update) => "create" in update ? update.create?.name : update.delete);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) {
    throw validation(
      `${INVALID}Only one global secondary index update per index is allowed simultaneously. Index: ${twice}`,
    );
  }
  const indexes = definition.indexes ?? [];
  if (updates.length > 1 || indexes.some((index) => index.status !== "ACTIVE")) {
    throw new KstoneError("LIMIT_EXCEEDED", ONE_INDEX_CHANGE);
  }
  const update = updates[0]!;
  if ("create" in update) {
    if (indexes.some((index) => index.name === update.create?.name)) {
      throw validation("Attempting to create an index which already exists");
    }
    const index = globalIndex(
      update.create,
      ctx.tables.allocateId(),
      ctx.now(),
      "CREATING",
    );
    const next = [...indexes, index];
    checkIndexSet(next, "LIMIT_EXCEEDED");
    return {
      definition: {
        ...definition,
        indexes: next,
        attributeDefinitions: attributeDefinitionsOf(definition.keySchema, next),
      },
      created: index.id,
    };
  }
  const target = indexes.find((index) => index.name === update.delete);
  if (target === undefined) {
    throw new KstoneError(
      "RESOURCE_NOT_FOUND",
      `Requested resource not found: Index: ${String(update.delete)} not found`,
    );
  }
  if (target.kind !== "GLOBAL") {
    throw validation(`Cannot delete an index that is not a GlobalSecondaryIndex: ${target.name}`);
  }
  return {
    definition: {
      ...definition,
      indexes: indexes.map((index) =>
        index === target ? { ...index, status: "DELETING" as const } : index
      ),
    },
    deleted: target.id,
  };
}

/**
 * A new enabled stream with a fresh keyspace id.
 *
 * @param viewType What its records carry.
 * @param tables The database's tables (for the id).
 * @param createdAt Its creation time, milliseconds since the epoch (its label).
 * @returns The stream.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * await using db = await Database.memory();
 * const users = await db.createTable("users", { partitionKey: { name: "id", type: "S" } }, {
 *   stream: { viewType: "NEW_IMAGE" },
 * });
 * await users.put({ id: "u1" });
 * assert.equal((await users.readStream()).records[0]?.eventName, "INSERT");
 * ```
 */
export function newStream(
  viewType: StreamViewType,
  tables: TableRegistry,
  createdAt: number,
): StreamDefinition {
  return { id: tables.allocateId(), viewType, enabled: true, createdAt };
}

/**
 * Checks a stream view type.
 *
 * @param viewType The value given.
 * @returns It, typed.
 * @throws {KstoneError} VALIDATION naming the allowed values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkViewType } from "./table_changes.ts";
 * assert.equal(checkViewType("KEYS_ONLY"), "KEYS_ONLY");
 * assert.throws(() => checkViewType("ALL"), /Invalid StreamViewType: ALL/);
 * ```
 */
export function checkViewType(viewType: unknown): StreamViewType {
  if (typeof viewType !== "string" || !VIEW_TYPES.includes(viewType)) {
    throw validation(
      `Invalid StreamViewType: ${String(viewType)}: must be one of ${VIEW_TYPES.join(", ")}`,
    );
  }
  return viewType as StreamViewType;
}

/**
 * Checks a time-to-live attribute name.
 *
 * @param name The value given.
 * @returns It, typed.
 * @throws {KstoneError} VALIDATION unless it is 1 to 255 characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTtlAttribute } from "./table_changes.ts";
 * assert.equal(checkTtlAttribute("expires"), "expires");
 * assert.throws(() => checkTtlAttribute(""), /Invalid TimeToLive AttributeName/);
 * ```
 */
export function checkTtlAttribute(name: unknown): string {
  if (typeof name !== "string" || name.length === 0 || name.length > 255) {
    throw validation(
      `Invalid TimeToLive AttributeName: ${String(name)}: must be 1 to 255 characters`,
    );
  }
  return name;
}
