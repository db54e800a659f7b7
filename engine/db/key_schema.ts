/**
 * Key schemas: which attributes of an item form its key, and the checks DynamoDB makes on them.
 *
 * @module
 */
import { encodeKey, stripeOf, validateKeyValue } from "../codec/key_codec.ts";
import { validation } from "../errors.ts";
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
