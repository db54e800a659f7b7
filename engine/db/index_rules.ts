/**
 * DynamoDB's rules for secondary indexes: names, counts, key schemas, projections, and the
 * attribute definitions a table and its indexes share.
 *
 * @module
 */
import { KstoneError, validation } from "../errors.ts";
import type { GlobalIndexOptions, LocalIndexOptions } from "./admin_options.ts";
import type { IndexDefinition, Projection } from "./catalog.ts";
import { checkKeySchema, type KeyAttribute, type KeySchema } from "./key_schema.ts";

/** Local secondary indexes a table may have. */
export const MAX_LOCAL_INDEXES = 5;
/** Global secondary indexes a table may have. */
export const MAX_GLOBAL_INDEXES = 20;
/** Non-key attributes the INCLUDE projections of one table may name, summed over its indexes. */
export const MAX_PROJECTED_ATTRIBUTES = 100;

const INVALID = "One or more parameter values were invalid: ";
const INDEX_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/**
 * Builds a local secondary index, checking it against the table's key.
 *
 * @param table The table's key schema.
 * @param options The index.
 * @param id The index's keyspace id.
 * @param now Its creation time.
 * @returns The ACTIVE index.
 * @throws {KstoneError} VALIDATION with DynamoDB's wording for a bad name, key or projection,
 *   or a table without a sort key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localIndex } from "./index_rules.ts";
 * const table = { partitionKey: { name: "pk", type: "S" }, sortKey: { name: "sk", type: "S" } } as const;
 * const index = localIndex(table, { name: "by_date", sortKey: { name: "date", type: "S" } }, 3, 0);
 * assert.equal(index.keySchema.partitionKey.name, "pk");
 * assert.throws(() => localIndex({ partitionKey: table.partitionKey }, { name: "by_date", sortKey: { name: "date", type: "S" } }, 3, 0), /range key/);
 * ```
 */
export function localIndex(
  table: KeySchema,
  options: LocalIndexOptions,
  id: number,
  now: number,
): IndexDefinition {
  const name = checkIndexName(options?.name);
  if (table.sortKey === undefined) {
    throw validation(
      `${INVALID}Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex`,
    );
  }
  if (options.sortKey === undefined) {
    throw validation(`${INVALID}Index KeySchema does not have a range key for index: ${name}`);
  }
  const keySchema = checkKeySchema({ partitionKey: table.partitionKey, sortKey: options.sortKey });
  if (options.sortKey.name === table.sortKey.name) {
    throw validation(
      `${INVALID}Index KeySchema must not be the same as the table KeySchema for index: ${name}`,
    );
  }
  return {
    id,
    name,
    kind: "LOCAL",
    keySchema,
    projection: checkProjection(options.projection),
    status: "ACTIVE",
    createdAt: now,
  };
}

/**
 * Builds a global secondary index.
 *
 * @param options The index.
 * @param id The index's keyspace id.
 * @param now Its creation time.
 * @param status `ACTIVE` at table creation, `CREATING` when added to a table with items.
 * @returns The index.
 * @throws {KstoneError} VALIDATION for a bad name, key or projection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { globalIndex } from "./index_rules.ts";
 * const index = globalIndex({ name: "by_email", partitionKey: { name: "email", type: "S" } }, 3, 0, "CREATING");
 * assert.deepEqual(index.projection, { type: "ALL" });
 * assert.throws(() => globalIndex({ name: "x", partitionKey: { name: "email", type: "S" } }, 3, 0, "ACTIVE"), /index name/);
 * ```
 */
export function globalIndex(
  options: GlobalIndexOptions,
  id: number,
  now: number,
  status: "CREATING" | "ACTIVE",
): IndexDefinition {
  const name = checkIndexName(options?.name);
  if (options.partitionKey === undefined) {
    throw validation(`${INVALID}Index KeySchema does not have a hash key for index: ${name}`);
  }
  const keySchema = checkKeySchema(
    options.sortKey === undefined
      ? { partitionKey: options.partitionKey }
      : { partitionKey: options.partitionKey, sortKey: options.sortKey },
  );
  return {
    id,
    name,
    kind: "GLOBAL",
    keySchema,
    projection: checkProjection(options.projection),
    status,
    createdAt: now,
  };
}

/**
 * Checks a table's set of indexes together: unique names, counts and the projected attribute
 * total. Indexes being deleted still count, as in DynamoDB.
 *
 * @param indexes Every index of the table.
 * @param limitCode The code for too many GSIs: VALIDATION at CreateTable, LIMIT_EXCEEDED at
 *   UpdateTable, as DynamoDB answers.
 * @throws {KstoneError} VALIDATION or LIMIT_EXCEEDED with DynamoDB's wording.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkIndexSet, globalIndex } from "./index_rules.ts";
 * const a = globalIndex({ name: "byA", partitionKey: { name: "a", type: "S" } }, 3, 0, "ACTIVE");
 * assert.throws(() => checkIndexSet([a, { ...a, id: 4 }]), /Duplicate index name: byA/);
 * ```
 */
export function checkIndexSet(
  indexes: readonly IndexDefinition[],
  limitCode: "VALIDATION" | "LIMIT_EXCEEDED" = "VALIDATION",
): void {
  const names = new Set<string>();
  let locals = 0;
  let globals = 0;
  let projected = 0;
  for (const index of indexes) {
    if (names.has(index.name)) throw validation(`${INVALID}Duplicate index name: ${index.name}`);
    names.add(index.name);
    if (index.kind === "LOCAL") locals++;
    else globals++;
    projected += index.projection.nonKeyAttributes?.length ?? 0;
  }
  if (locals > MAX_LOCAL_INDEXES) {
    throw validation(
      `${INVALID}Number of LocalSecondaryIndexes exceeds per-table limit of ${MAX_LOCAL_INDEXES}`,
    );
  }
  if (globals > MAX_GLOBAL_INDEXES) {
    throw new KstoneError(
      limitCode,
      `${INVALID}GlobalSecondaryIndex count exceeds the per-table limit of ${MAX_GLOBAL_INDEXES}`,
    );
  }
  if (projected > MAX_PROJECTED_ATTRIBUTES) {
    throw validation(
      `${INVALID}Number of projected attributes in all indexes exceeds limit of ${MAX_PROJECTED_ATTRIBUTES}`,
    );
  }
}

/**
 * The attribute definitions of a table and its indexes: each key attribute once, with its type.
 *
 * @param keySchema The table's key.
 * @param indexes Its indexes.
 * @returns The definitions, the table's keys first.
 * @throws {KstoneError} VALIDATION when one attribute is given two types.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { attributeDefinitionsOf, globalIndex } from "./index_rules.ts";
 * const table = { partitionKey: { name: "id", type: "S" } } as const;
 * const byEmail = globalIndex({ name: "byEmail", partitionKey: { name: "email", type: "S" } }, 3, 0, "ACTIVE");
 * assert.deepEqual(attributeDefinitionsOf(table, [byEmail]).map((a) => a.name), ["id", "email"]);
 * const clash = globalIndex({ name: "byId", partitionKey: { name: "id", type: "N" } }, 4, 0, "ACTIVE");
 * assert.throws(() => attributeDefinitionsOf(table, [clash]), /id/);
 * ```
 */
export function attributeDefinitionsOf(
  keySchema: KeySchema,
  indexes: readonly IndexDefinition[],
): KeyAttribute[] {
  const types = new Map<string, KeyAttribute>();
  const add = (attribute: KeyAttribute | undefined) => {
    if (attribute === undefined) return;
    const known = types.get(attribute.name);
    if (known === undefined) {
      types.set(attribute.name, { name: attribute.name, type: attribute.type });
    } else if (known.type !== attribute.type) {
      throw validation(
        `${INVALID}Attribute ${attribute.name} is defined with two types: ${known.type} and ${attribute.type}`,
      );
    }
  };
  for (const schema of [keySchema, ...indexes.map((index) => index.keySchema)]) {
    add(schema.partitionKey);
    add(schema.sortKey);
  }
  return [...types.values()];
}

function checkIndexName(name: unknown): string {
  if (typeof name !== "string" || !INDEX_NAME.test(name)) {
    throw validation(
      `Invalid index name: ${String(name)}: must be 3 to 255 characters of [A-Za-z0-9_.-]`,
    );
  }
  return name;
}

function checkProjection(projection: Projection | undefined): Projection {
  if (projection === undefined) return { type: "ALL" };
  const { type, nonKeyAttributes } = projection;
  if (type !== "ALL" && type !== "KEYS_ONLY" && type !== "INCLUDE") {
    throw validation(`${INVALID}Unknown ProjectionType: ${String(type)}`);
  }
  if (type !== "INCLUDE") {
    if (nonKeyAttributes !== undefined) {
      throw validation(`${INVALID}ProjectionType is ${type}, but NonKeyAttributes is specified`);
    }
    return { type };
  }
  if (nonKeyAttributes === undefined || nonKeyAttributes.length === 0) {
    throw validation(`${INVALID}ProjectionType is INCLUDE, but NonKeyAttributes is not specified`);
  }
  const seen = new Set<string>();
  for (const name of nonKeyAttributes) {
    if (typeof name !== "string" || name.length === 0 || name.length > 255) {
      throw validation(`${INVALID}Invalid NonKeyAttributes name: ${String(name)}`);
    }
    if (seen.has(name)) {
      throw validation(`${INVALID}Duplicate element in NonKeyAttributes: ${name}`);
    }
    seen.add(name);
  }
  return { type, nonKeyAttributes: [...nonKeyAttributes] };
}
