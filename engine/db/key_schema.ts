/**
 * Key schemas: which attributes of an item form its key, and the checks DynamoDB makes on them.
 *
 * @module
 */
import {
  encodeKey,
  encodePlainKey,
  stripeOf,
  stripeOfText,
  validateKeyValue,
} from "../codec/key_codec.ts";
import { validation } from "../errors.ts";
import { MAX_PARTITION_KEY_SIZE, MAX_SORT_KEY_SIZE } from "../limits.ts";
import {
  type AttributeMap,
  type AttributeValue,
  type KeyType,
  typeOf,
} from "../model/attribute_value.ts";

/** One key attribute: its name and type. */
export interface KeyAttribute {
  /** The attribute name. */
  readonly name: string;
  /** `"S"`, `"N"` or `"B"`. */
  readonly type: KeyType;
}

/** A table's key: a partition key and an optional sort key. */
export interface KeySchema {
  /** The partition (hash) key. */
  readonly partitionKey: KeyAttribute;
  /** The sort (range) key, if the table has one. */
  readonly sortKey?: KeyAttribute;
}

/** Where an item lives in the store. */
export interface ItemLocation {
  /** The partition key's stripe. */
  readonly stripe: number;
  /** The encoded key. */
  readonly key: Uint8Array;
}

/**
 * Checks a key schema's shape.
 *
 * @param schema The schema to check.
 * @returns The schema, frozen.
 * @throws {KstoneError} VALIDATION when a name is empty or a type is not S, N or B.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkKeySchema } from "./key_schema.ts";
 * assert.throws(() => checkKeySchema({ partitionKey: { name: "id", type: "BOOL" as "S" } }), /type/);
 * ```
 */
export function checkKeySchema(schema: KeySchema): KeySchema {
  const check = (attribute: KeyAttribute | undefined, role: string) => {
    if (attribute === undefined) return;
    if (
      typeof attribute.name !== "string" || attribute.name.length === 0 ||
      attribute.name.length > 255
    ) {
      throw validation(`Invalid ${role} key name: must be 1 to 255 characters`);
    }
    if (attribute.type !== "S" && attribute.type !== "N" && attribute.type !== "B") {
      throw validation(
        `Invalid ${role} key type for ${attribute.name}: must be S, N or B, got ${
          String(attribute.type)
        }`,
      );
    }
  };
  check(schema.partitionKey, "partition");
  check(schema.sortKey, "sort");
  if (schema.sortKey !== undefined && schema.sortKey.name === schema.partitionKey.name) {
    throw validation(
      "Invalid key schema: the partition key and sort key must have different names",
    );
  }
  return Object.freeze({ ...schema });
}

/**
 * Locates an item (or a key given as an item) in the store, checking the key attributes.
 *
 * @param tableId The table's id in the keyspace.
 * @param schema The table's key schema.
 * @param item The item or key.
 * @param sortKeyOptional Whether the sort key may be absent (the default table's `sk`).
 * @param exact Whether `item` must hold nothing but the key attributes (a Key argument).
 * @returns The stripe and encoded key.
 * @throws {KstoneError} VALIDATION with DynamoDB's wording when a key attribute is missing,
 *   of the wrong type, too large, or (with `exact`) when other attributes are present.
 */
export function locate(
  tableId: number,
  schema: KeySchema,
  item: AttributeMap,
  sortKeyOptional = false,
  exact = false,
): ItemLocation {
  const pk = keyValue(item, schema.partitionKey, "partition");
  const sortKey = schema.sortKey;
  let sk: AttributeValue | undefined;
  if (sortKey !== undefined && (!sortKeyOptional || item[sortKey.name] !== undefined)) {
    sk = keyValue(item, sortKey, "sort");
  }
  if (exact) {
    const expected = sk === undefined ? 1 : 2;
    if (Object.keys(item).length !== expected) {
      throw validation("The provided key element does not match the schema");
    }
  }
  return { stripe: stripeOf(pk), key: encodeKey(tableId, pk, sk) };
}

/**
 * {@linkcode locate} for a plain JS item (or key) whose key values take the common shapes: a
 * non-empty string of at most a third of the size limit (in UTF-16 units) for an S attribute,
 * an integer of at most 15 digits for an N attribute. It builds no AttributeValue.
 *
 * @param tableId The table's id in the keyspace.
 * @param schema The table's key schema.
 * @param item The plain item or key.
 * @param sortKeyOptional Whether the sort key may be absent (the default table's `sk`).
 * @param exact Whether `item` must hold nothing but the key attributes (a Key argument).
 * @returns The location {@linkcode locate} gives for the marshalled item, or `undefined` when
 *   `item` is not a plain object, a key value takes another shape or is missing, or (with
 *   `exact`) another property is present: locate the marshalled item then, for its location
 *   or DynamoDB's error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { locate, locatePlain } from "./key_schema.ts";
 * const schema = { partitionKey: { name: "pk", type: "S" as const }, sortKey: { name: "n", type: "N" as const } };
 * assert.deepEqual(locatePlain(2, schema, { pk: "a", n: 7 }), locate(2, schema, { pk: { S: "a" }, n: { N: "7" } }));
 * assert.equal(locatePlain(2, schema, { pk: "a", n: 0.5 }), undefined);
 * assert.equal(locatePlain(2, schema, { pk: "a", n: 7, x: 1 }, false, true), undefined);
 * ```
 */
export function locatePlain(
  tableId: number,
  schema: KeySchema,
  item: Readonly<Record<string, unknown>>,
  sortKeyOptional = false,
  exact = false,
): ItemLocation | undefined {
  if (typeof item !== "object" || item === null) return undefined;
  const proto = Object.getPrototypeOf(item);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const sortKey = schema.sortKey;
  const sk = sortKey === undefined ? undefined : item[sortKey.name];
  if (exact) {
    let count = 0;
    for (const _ in item) count++;
    if (count !== (sk === undefined ? 1 : 2)) return undefined;
  }
  return locatePlainKey(tableId, schema, item[schema.partitionKey.name], sk, sortKeyOptional);
}

/**
 * {@linkcode locatePlain} of the key given as its two values: where the item whose key
 * attributes hold `pk` and `sk` lives.
 *
 * @param tableId The table's id in the keyspace.
 * @param schema The table's key schema.
 * @param pk The partition key value.
 * @param sk The sort key value, or `undefined` when absent (ignored without a sort key).
 * @param sortKeyOptional Whether the sort key may be absent (the default table's `sk`).
 * @returns The location, or `undefined` as {@linkcode locatePlain} returns it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { locatePlain, locatePlainKey } from "./key_schema.ts";
 * const schema = { partitionKey: { name: "pk", type: "S" as const }, sortKey: { name: "sk", type: "S" as const } };
 * assert.deepEqual(locatePlainKey(0, schema, "a", "b"), locatePlain(0, schema, { pk: "a", sk: "b" }));
 * assert.equal(locatePlainKey(0, schema, "a", undefined), undefined);
 * ```
 */
export function locatePlainKey(
  tableId: number,
  schema: KeySchema,
  pk: unknown,
  sk: unknown,
  sortKeyOptional = false,
): ItemLocation | undefined {
  const pkValue = plainKeyValue(pk, schema.partitionKey.type, MAX_PARTITION_KEY_SIZE);
  if (pkValue === undefined) return undefined;
  const sortKey = schema.sortKey;
  let skValue: string | number | undefined;
  if (sortKey !== undefined && (!sortKeyOptional || sk !== undefined)) {
    skValue = plainKeyValue(sk, sortKey.type, MAX_SORT_KEY_SIZE);
    if (skValue === undefined) return undefined;
  }
  return {
    stripe: stripeOfText(typeof pkValue === "string" ? pkValue : String(pkValue)),
    key: encodePlainKey(tableId, pkValue, skValue),
  };
}

/** The value when it is a valid key value of the common shapes for its type, else undefined. */
function plainKeyValue(
  value: unknown,
  type: KeyType,
  maxSize: number,
): string | number | undefined {
  if (type === "S") {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    return typeof value === "string" && value.length > 0 && value.length * 3 <= maxSize
      ? value
      : undefined;
  }
  return type === "N" && typeof value === "number" && Number.isInteger(value) &&
      value <= 999999999999999 && value >= -999999999999999
    ? value
    : undefined;
}

function keyValue(
  item: AttributeMap,
  attribute: KeyAttribute,
  role: "partition" | "sort",
): AttributeValue {
  const value = item[attribute.name];
  if (value === undefined) {
    throw validation(
      `One or more parameter values were invalid: Missing the key ${attribute.name} in the item`,
    );
  }
  const type = typeOf(value);
  if (type !== attribute.type) {
    throw validation(
      `One or more parameter values were invalid: Type mismatch for key ${attribute.name} expected: ${attribute.type} actual: ${type}`,
    );
  }
  validateKeyValue(attribute.name, value, role);
  return value;
}
