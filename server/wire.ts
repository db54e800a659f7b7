/**
 * AttributeValues on the wire: DynamoDB JSON (`{"S": "x"}`, `{"B": "<base64>"}`, `{"N": "1.50"}`)
 * to the engine's values (bytes as `Uint8Array`, numbers canonical) and back, with DynamoDB's
 * validation and serialization errors. Shared by the server and the remote client.
 *
 * @module
 */
import { MAX_NESTING_DEPTH } from "../engine/limits.ts";
import type { AttributeMap, AttributeValue } from "../engine/model/attribute_value.ts";
import { canonicalNumber } from "../engine/model/decimal.ts";
import { type DynamoError, serializationError, validationError } from "./protocol.ts";

const TYPES = ["S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"] as const;
const TYPE_SET: ReadonlySet<string> = new Set(TYPES);
const INVALID = "One or more parameter values were invalid: ";

/**
 * Encodes bytes as base64.
 *
 * @param bytes The bytes.
 * @returns The base64 text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toBase64 } from "./wire.ts";
 * assert.equal(toBase64(new Uint8Array([1, 2, 255])), "AQL/");
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes base64 as DynamoDB does, rejecting bad lengths and characters.
 *
 * @param text The base64 text.
 * @returns The bytes.
 * @throws {DynamoError} SerializationException for text that is not base64.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromBase64 } from "./wire.ts";
 * assert.deepEqual(fromBase64("AQL/"), new Uint8Array([1, 2, 255]));
 * assert.throws(() => fromBase64("abc"), { type: "SerializationException" });
 * ```
 */
export function fromBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) {
    throw serializationError(
      `Base64 encoded length is expected a multiple of 4 bytes but found: ${text.length}`,
    );
  }
  if (!BASE64.test(text)) {
    throw serializationError("Invalid last non-pad Base64 character dectected");
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** DynamoDB's SerializationException for a JSON value of the wrong type where `javaType` was due. */
export function wrongType(value: unknown, javaType: string): DynamoError {
  if (typeof value === "boolean") {
    return serializationError(
      `${value ? "TRUE" : "FALSE"}_VALUE cannot be converted to ${javaType}`,
    );
  }
  if (typeof value === "number") {
    const kind = Number.isInteger(value) ? "NUMBER_VALUE" : "DECIMAL_VALUE";
    return serializationError(`${kind} cannot be converted to ${javaType}`);
  }
  if (typeof value === "string") {
    return serializationError(`STRING_VALUE cannot be converted to ${javaType}`);
  }
  if (Array.isArray(value)) {
    return serializationError(`Unrecognized collection type class java.lang.${javaType}`);
  }
  return serializationError("Start of structure or map found where not expected");
}

function expectString(value: unknown): string {
  if (typeof value !== "string") throw wrongType(value, "String");
  return value;
}

function expectList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === "object") {
    throw serializationError("Start of structure or map found where not expected");
  }
  throw serializationError("Unexpected field type");
}

/** A canonical number, or DynamoDB's ValidationException for text that is not one. */
function number(text: string): string {
  try {
    return canonicalNumber(text);
  } catch (error) {
    throw validationError((error as Error).message);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function show(values: readonly string[]): string {
  return `[${values.join(", ")}]`;
}

function checkDuplicates(keys: readonly string[], message: () => string): void {
  if (new Set(keys).size !== keys.length) throw validationError(message());
}

/**
 * Converts one wire AttributeValue to the engine's, validating it as DynamoDB does.
 *
 * @param value The parsed JSON.
 * @param depth How deep in L and M values it sits (1 for an attribute of an item).
 * @returns The engine's value (bytes decoded, numbers canonical).
 * @throws {DynamoError} SerializationException for a JSON type mismatch; ValidationException for
 *   an empty value, more than one type, an empty or duplicated set, `NULL: false`, an invalid
 *   number, an unknown type member or nesting past 32 levels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { attributeFromWire } from "./wire.ts";
 * assert.deepEqual(attributeFromWire({ N: "1.50" }), { N: "1.5" });
 * assert.deepEqual(attributeFromWire({ B: "AQI=" }), { B: new Uint8Array([1, 2]) });
 * assert.throws(() => attributeFromWire({}), /Supplied AttributeValue is empty/);
 * ```
 */
export function attributeFromWire(value: unknown, depth = 1): AttributeValue {
  if (!isObject(value)) {
    if (Array.isArray(value)) {
      throw serializationError(
        "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue",
      );
    }
    if (value === null || value === undefined) {
      throw validationError(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
      );
    }
    throw serializationError("Unexpected value type in payload");
  }
  if (depth > MAX_NESTING_DEPTH) {
    throw validationError("Nesting Levels have exceeded supported limits");
  }
  let type: string | undefined;
  for (const key in value) {
    if (!TYPE_SET.has(key)) {
      throw validationError(
        `Unknown parameter in AttributeValue: "${key}", must be one of: ${TYPES.join(", ")}`,
      );
    }
    if (value[key] === null) continue;
    if (type !== undefined) {
      throw validationError(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
      );
    }
    type = key;
  }
  if (type === undefined) {
    throw validationError(
      "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
    );
  }
  const raw = value[type];
  switch (type) {
    case "S":
      return { S: expectString(raw) };
    case "N":
      return { N: number(expectString(raw)) };
    case "B":
      return { B: fromBase64(expectString(raw)) };
    case "BOOL":
      if (typeof raw !== "boolean") throw wrongType(raw, "Boolean");
      return { BOOL: raw };
    case "NULL":
      if (typeof raw !== "boolean") throw wrongType(raw, "Boolean");
      if (!raw) {
        throw validationError(`${INVALID}Null attribute value types must have the value of true`);
      }
      return { NULL: true };
    case "L":
      return { L: expectList(raw).map((element) => attributeFromWire(element, depth + 1)) };
    case "M":
      return { M: mapFromWire(raw, depth + 1) };
    default:
      return setFromWire(type, expectList(raw));
  }
}

function setFromWire(type: string, list: unknown[]): AttributeValue {
  if (type === "SS") {
    const strings = list.map(expectString);
    if (strings.length === 0) throw validationError(`${INVALID}An string set  may not be empty`);
    checkDuplicates(
      strings,
      () => `${INVALID}Input collection ${show(strings)} contains duplicates.`,
    );
    return { SS: strings };
  }
  if (type === "NS") {
    const numbers = list.map((element) => number(expectString(element)));
    if (numbers.length === 0) throw validationError(`${INVALID}An number set  may not be empty`);
    checkDuplicates(numbers, () => "Input collection contains duplicates");
    return { NS: numbers };
  }
  const texts = list.map(expectString);
  if (texts.length === 0) throw validationError(`${INVALID}Binary sets should not be empty`);
  const blobs = texts.map(fromBase64);
  checkDuplicates(
    blobs.map(toBase64),
    () => `${INVALID}Input collection ${show(texts)}of type BS contains duplicates.`,
  );
  return { BS: blobs };
}

/**
 * Converts a wire map of AttributeValues (an item, a key, `ExpressionAttributeValues`).
 *
 * @param value The parsed JSON object.
 * @param depth The depth of its values (1 for an item's attributes).
 * @returns The engine's map.
 * @throws {DynamoError} as {@linkcode attributeFromWire}; SerializationException when `value`
 *   is not an object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mapFromWire } from "./wire.ts";
 * assert.deepEqual(mapFromWire({ pk: { S: "a" }, n: { N: "007" } }), {
 *   pk: { S: "a" },
 *   n: { N: "7" },
 * });
 * ```
 */
export function mapFromWire(value: unknown, depth = 1): AttributeMap {
  if (!isObject(value)) {
    if (Array.isArray(value)) {
      throw serializationError(
        "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>",
      );
    }
    throw serializationError("Unexpected field type");
  }
  const map: Record<string, AttributeValue> = {};
  for (const name in value) {
    if (value[name] === null) continue;
    map[name] = attributeFromWire(value[name], depth);
  }
  return map;
}

/** A wire AttributeValue: the engine's shape with bytes as base64 text. */
export type WireValue = Record<string, unknown>;

/**
 * Converts an engine AttributeValue to wire JSON (bytes become base64).
 *
 * @param value The engine's value.
 * @returns The wire value; values without bytes are returned as they are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { attributeToWire } from "./wire.ts";
 * assert.deepEqual(attributeToWire({ L: [{ B: new Uint8Array([1]) }] }), { L: [{ B: "AQ==" }] });
 * ```
 */
export function attributeToWire(value: AttributeValue): WireValue {
  const v = value as Partial<Record<(typeof TYPES)[number], unknown>>;
  if (v.B !== undefined) return { B: toBase64(v.B as Uint8Array) };
  if (v.BS !== undefined) return { BS: (v.BS as Uint8Array[]).map(toBase64) };
  if (v.L !== undefined) return { L: (v.L as AttributeValue[]).map(attributeToWire) };
  if (v.M !== undefined) return { M: mapToWire(v.M as AttributeMap) };
  return value as WireValue;
}

/**
 * Converts an engine map (item, key) to wire JSON.
 *
 * @param map The engine's map.
 * @returns The wire map.
 */
export function mapToWire(map: AttributeMap): Record<string, WireValue> {
  const wire: Record<string, WireValue> = {};
  for (const name in map) wire[name] = attributeToWire(map[name]!);
  return wire;
}
