/**
 * DynamoDB's item size rules, re-exported by `item_codec.ts`: the size of an item is the sum of
 * its attribute names' UTF-8 lengths and its values' sizes ("DynamoDB item sizes and formats").
 *
 * @module
 */
import type { AttributeMap, AttributeValue } from "../model/attribute_value.ts";
import { validation } from "../errors.ts";
import { MAX_ATTRIBUTE_NAME_SIZE, MAX_ITEM_SIZE, MAX_NESTING_DEPTH } from "../limits.ts";
import { utf8Length } from "./_utf8.ts";

export { utf8Length };

/**
 * An AttributeValue seen as optional fields, to test its type with `!== undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ValueFields } from "./_item_size.ts";
 * const value: ValueFields = { N: "1" };
 * assert.equal(value.S, undefined);
 * ```
 */
export type ValueFields = {
  S?: string;
  N?: string;
  M?: AttributeMap;
  L?: readonly AttributeValue[];
  BOOL?: boolean;
  NULL?: true;
  B?: Uint8Array;
  SS?: readonly string[];
  NS?: readonly string[];
  BS?: readonly Uint8Array[];
};

/**
 * DynamoDB's message for L/M values nested deeper than 32 levels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NESTING } from "./_item_size.ts";
 * assert.match(NESTING, /^Nesting Levels have exceeded supported limits/);
 * ```
 */
export const NESTING =
  "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit";

function valueSize(value: AttributeValue, level: number): number {
  const v = value as ValueFields;
  if (v.S !== undefined) return utf8Length(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.M !== undefined) {
    if (level >= MAX_NESTING_DEPTH) throw validation(NESTING);
    let size = 3;
    for (const name in v.M) size += 1 + nameSize(name) + valueSize(v.M[name]!, level + 1);
    return size;
  }
  if (v.L !== undefined) {
    if (level >= MAX_NESTING_DEPTH) throw validation(NESTING);
    let size = 3;
    for (const element of v.L) size += 1 + valueSize(element, level + 1);
    return size;
  }
  if (v.B !== undefined) return v.B.length;
  let size = 0;
  if (v.SS !== undefined) { for (const s of v.SS) size += utf8Length(s); }
  else if (v.NS !== undefined) { for (const s of v.NS) size += numberSize(s); }
  else if (v.BS !== undefined) { for (const b of v.BS) size += b.length; }
  else throw validation("Cannot size item: an attribute value has no known type");
  return size;
}

/**
 * The DynamoDB size of a number: 1 byte, plus 1 per pair of significant digits counted from
 * the decimal point, plus 1 when negative.
 *
 * @param canonical The canonical text of the number.
 * @returns Its size in bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numberSize } from "./_item_size.ts";
 * assert.deepEqual(["0", "1", "12.5", "-0.001", "123456789"].map(numberSize), [1, 2, 3, 3, 6]);
 * ```
 */
export function numberSize(canonical: string): number {
  // From the canonical text, without building the digits: `negative`, the count of significant
  // digits and the decimal exponent of the first one, as `decomposeNumber` would give them.
  if (canonical === "0") return 1;
  const n = canonical.length;
  const negative = canonical.charCodeAt(0) === 45;
  const start = negative ? 1 : 0;
  let point = n;
  let first = -1; // index of the first nonzero digit
  let last = -1; // index of the last nonzero digit
  for (let i = start; i < n; i++) {
    const c = canonical.charCodeAt(i);
    if (c === 46) point = i;
    else if (c !== 48) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return 1;
  // The decimal exponent of each: its place relative to the point.
  const lead = first < point ? point - first - 1 : point - first;
  const trail = last < point ? point - last - 1 : point - last;
  const pairs = Math.floor(lead / 2) - Math.floor(trail / 2) + 1;
  return 1 + pairs + (negative ? 1 : 0);
}

function nameSize(name: string): number {
  const size = utf8Length(name);
  if (size === 0 || size > MAX_ATTRIBUTE_NAME_SIZE) throw nameSizeError(size);
  return size;
}

/**
 * Computes an item's size by DynamoDB's rules: for each attribute the UTF-8 length of its name
 * plus its value's size. S: UTF-8 length; N: 1 byte per two significant digits (aligned on the
 * decimal point) + 1, + 1 more when negative, zero is 1; B: length; BOOL, NULL: 1; L and M:
 * 3 + for each element 1 + its size (for M also its name); sets: the sum of their elements.
 *
 * @param item The item.
 * @returns The size in bytes.
 * @throws {KstoneError} `VALIDATION` when an attribute name is empty or over 64 KB, or values
 * nest deeper than 32 levels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { itemSize } from "./item_codec.ts";
 * assert.equal(itemSize({ pk: { S: "abc" }, n: { N: "12345" }, l: { L: [{ S: "xy" }] } }), 17);
 * ```
 */
export function itemSize(item: AttributeMap): number {
  let size = 0;
  for (const name in item) size += nameSize(name) + valueSize(item[name]!, 1);
  return size;
}

/**
 * Checks an item against DynamoDB's item limits: at most 400 KB by {@linkcode itemSize}, names
 * of 1 byte to 64 KB, and at most 32 levels of nesting.
 *
 * @param item The item.
 * @returns The item's size, for callers that account capacity.
 * @throws {KstoneError} `VALIDATION`, e.g. "Item size has exceeded the maximum allowed size:
 * limit 409600 bytes (400 KB), actual 409601 bytes".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateItemSize } from "./item_codec.ts";
 * assert.equal(validateItemSize({ a: { S: "x" } }), 2);
 * assert.throws(() => validateItemSize({ a: { S: "x".repeat(409600) } }), /maximum allowed size/);
 * ```
 */
export function validateItemSize(item: AttributeMap): number {
  return checkItemSize(itemSize(item));
}

/**
 * Checks an item size against DynamoDB's 400 KB limit.
 *
 * @param size The item's size, as {@linkcode itemSize} counts it.
 * @returns The size.
 * @throws {KstoneError} `VALIDATION` when it is over 400 KB.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkItemSize } from "./_item_size.ts";
 * assert.equal(checkItemSize(10), 10);
 * assert.throws(() => checkItemSize(409_601), /maximum allowed size/);
 * ```
 */
export function checkItemSize(size: number): number {
  if (size > MAX_ITEM_SIZE) {
    throw validation(
      `Item size has exceeded the maximum allowed size: limit ${MAX_ITEM_SIZE} bytes (400 KB), actual ${size} bytes`,
    );
  }
  return size;
}

/**
 * The error for an attribute name of 0 or more than 65,535 bytes.
 *
 * @param size The name's UTF-8 length.
 * @returns The `VALIDATION` error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nameSizeError } from "./_item_size.ts";
 * assert.match(nameSizeError(0).message, /attribute name size must be 1 to 65535 bytes: actual 0/);
 * ```
 */
export function nameSizeError(size: number): Error {
  return validation(
    `One or more parameter values were invalid: attribute name size must be 1 to ${MAX_ATTRIBUTE_NAME_SIZE} bytes: actual ${size}`,
  );
}
