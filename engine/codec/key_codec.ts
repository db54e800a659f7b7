/**
 * The order-preserving key encoding of kstone's one keyspace. See docs/format/key_encoding.md.
 *
 * ```
 * key       = table-id(u32 BE) pk-component [sk-component]
 * component = 0x42 escaped-bytes 00 01                  ; B
 *           | 0x53 escaped-utf8  00 01                  ; S
 *           | 0x4E 02                                   ; N zero
 *           | 0x4E 03 exp      pair{1..19} 00           ; N positive
 *           | 0x4E 01 (~exp)   (~pair){1..19} FF        ; N negative
 * ```
 *
 * Byte order of keys is: table id, then partition key value, then "no sort key" before any
 * sort key, then sort key value, where S compare by UTF-8 bytes, B by bytes and N numerically.
 *
 * @module
 */
import type { AttributeValue } from "../model/attribute_value.ts";
import { validation } from "../errors.ts";
import { decomposeNumber } from "../model/decimal.ts";
import { copyOut } from "./_byte_pool.ts";
import { KEY_TAG_B, KEY_TAG_N, KEY_TAG_S, N_NEGATIVE, N_POSITIVE, N_ZERO } from "./_key_format.ts";

export { partitionKeyBytes, stripeOf, stripeOfText, validateKeyValue } from "./_key_rules.ts";
export { type DecodedKey, decodeKey } from "./_key_decode.ts";
export { KEY_TAG_B, KEY_TAG_N, KEY_TAG_S } from "./_key_format.ts";

const encoder = new TextEncoder();

let scratch = new Uint8Array(512);
let pos = 0;

function ensure(extra: number): void {
  if (pos + extra <= scratch.length) return;
  let size = scratch.length * 2;
  while (size < pos + extra) size *= 2;
  const next = new Uint8Array(size);
  next.set(scratch.subarray(0, pos));
  scratch = next;
}

function writeTableId(tableId: number): void {
  if (!(tableId >= 0 && tableId <= 0xffffffff) || tableId !== Math.floor(tableId)) {
    throw new RangeError(`Cannot encode key: table id ${tableId} is not a u32`);
  }
  ensure(4);
  scratch[pos++] = tableId >>> 24;
  scratch[pos++] = (tableId >>> 16) & 0xff;
  scratch[pos++] = (tableId >>> 8) & 0xff;
  scratch[pos++] = tableId & 0xff;
}

/** Copies bytes, writing each 0x00 as 00 FF. */
function writeEscaped(bytes: Uint8Array): void {
  ensure(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    scratch[pos++] = b;
    if (b === 0) scratch[pos++] = 0xff;
  }
}

/** Writes a string's UTF-8 bytes, escaped; ASCII without a TextEncoder call. */
function writeEscapedString(text: string): void {
  ensure(text.length * 3);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      writeEscaped(encoder.encode(text.slice(i)));
      return;
    }
    scratch[pos++] = c;
    if (c === 0) scratch[pos++] = 0xff;
  }
}

function writeNumber(canonical: string): void {
  const { negative, digits, exponent } = decomposeNumber(canonical);
  writeDigits(negative, digits, digits.length, exponent);
}

/** Writes an integer's number component: its digits, trailing zeros dropped, and exponent. */
function writeInteger(value: number): void {
  const text = String(value < 0 ? -value : value);
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 48) end--;
  writeDigits(value < 0, text, end, text.length);
}

/** Writes the number component of ±0.d1…dn × 10^exponent, the digits being `digits[0, end)`. */
function writeDigits(negative: boolean, digits: string, end: number, exponent: number): void {
  ensure(24);
  if (end === 0) {
    scratch[pos++] = N_ZERO;
    return;
  }
  const flip = negative ? 0xff : 0x00;
  scratch[pos++] = negative ? N_NEGATIVE : N_POSITIVE;
  scratch[pos++] = (exponent + 129) ^ flip;
  for (let i = 0; i < end; i += 2) {
    const hi = digits.charCodeAt(i) - 48;
    const lo = i + 1 < end ? digits.charCodeAt(i + 1) - 48 : 0;
    scratch[pos++] = (hi * 10 + lo + 1) ^ flip;
  }
  scratch[pos++] = flip;
}

function writeComponent(value: AttributeValue, what: string): void {
  const v = value as { S?: string; N?: string; B?: Uint8Array };
  if (v.S !== undefined) {
    ensure(1);
    scratch[pos++] = KEY_TAG_S;
    writeEscapedString(v.S);
  } else if (v.N !== undefined) {
    ensure(1);
    scratch[pos++] = KEY_TAG_N;
    writeNumber(v.N);
    return;
  } else if (v.B !== undefined) {
    ensure(1);
    scratch[pos++] = KEY_TAG_B;
    writeEscaped(v.B);
  } else {
    throw validation(`Cannot encode key: the ${what} must be of type S, N or B`);
  }
  ensure(2);
  scratch[pos++] = 0x00;
  scratch[pos++] = 0x01;
}

function take(): Uint8Array {
  const out = copyOut(scratch, 0, pos);
  pos = 0;
  return out;
}

/**
 * Encodes a primary key. The values must be valid key values (see
 * {@linkcode validateKeyValue}); `N` values must be canonical.
 *
 * @param tableId The table id, a u32.
 * @param pk The partition key value (S, N or B).
 * @param sk The sort key value, absent for tables without one.
 * @returns The key bytes; with no `sk` they equal {@linkcode partitionPrefix}.
 * @throws {KstoneError} `VALIDATION` when a value is not S, N or B.
 * @throws {RangeError} When `tableId` is not a u32.
 *
 * @example The default table's key for pk "user#123", sk "profile"
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeKey } from "./key_codec.ts";
 * const key = encodeKey(1, { S: "user#123" }, { S: "profile" });
 * assert.equal(
 *   Array.from(key, (b) => b.toString(16).padStart(2, "0")).join(" "),
 *   "00 00 00 01 53 75 73 65 72 23 31 32 33 00 01 53 70 72 6f 66 69 6c 65 00 01",
 * );
 * ```
 */
export function encodeKey(tableId: number, pk: AttributeValue, sk?: AttributeValue): Uint8Array {
  pos = 0;
  try {
    writeTableId(tableId);
    writeComponent(pk, "partition key");
    if (sk !== undefined) writeComponent(sk, "sort key");
  } catch (error) {
    pos = 0;
    throw error;
  }
  return take();
}

/**
 * {@linkcode encodeKey} for key values given as plain JS: a string is an S value, a number an N
 * value. Numbers must be integers of at most 15 digits (so that `String(value)` is their
 * canonical text); strings must be valid S key values.
 *
 * @param tableId The table id, a u32.
 * @param pk The partition key value.
 * @param sk The sort key value, absent for tables without one.
 * @returns The key bytes, those {@linkcode encodeKey} gives for `{ S: pk }` or `{ N: String(pk) }`.
 * @throws {RangeError} When `tableId` is not a u32.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeKey, encodePlainKey } from "./key_codec.ts";
 * assert.deepEqual(encodePlainKey(2, "user#1", -1200), encodeKey(2, { S: "user#1" }, { N: "-1200" }));
 * ```
 */
export function encodePlainKey(
  tableId: number,
  pk: string | number,
  sk?: string | number,
): Uint8Array {
  pos = 0;
  try {
    writeTableId(tableId);
    writePlainComponent(pk);
    if (sk !== undefined) writePlainComponent(sk);
  } catch (error) {
    pos = 0;
    throw error;
  }
  return take();
}

function writePlainComponent(value: string | number): void {
  ensure(1);
  if (typeof value === "number") {
    scratch[pos++] = KEY_TAG_N;
    writeInteger(value);
    return;
  }
  scratch[pos++] = KEY_TAG_S;
  writeEscapedString(value);
  ensure(2);
  scratch[pos++] = 0x00;
  scratch[pos++] = 0x01;
}

/**
 * The 4-byte prefix every key of a table starts with.
 *
 * @param tableId The table id, a u32.
 * @returns The big-endian table id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tablePrefix } from "./key_codec.ts";
 * assert.deepEqual(tablePrefix(258), new Uint8Array([0, 0, 1, 2]));
 * ```
 */
export function tablePrefix(tableId: number): Uint8Array {
  pos = 0;
  writeTableId(tableId);
  return take();
}

/**
 * The prefix every key of one partition has and no key of another partition has. It is also
 * the key of that partition's item without a sort key, which sorts before all the others.
 *
 * @param tableId The table id.
 * @param pk The partition key value.
 * @returns The prefix bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeKey, partitionPrefix } from "./key_codec.ts";
 * import { startsWith } from "./bytes.ts";
 * const prefix = partitionPrefix(1, { S: "a" });
 * assert.ok(startsWith(encodeKey(1, { S: "a" }, { N: "5" }), prefix));
 * assert.ok(!startsWith(encodeKey(1, { S: "ab" }), prefix));
 * ```
 */
export function partitionPrefix(tableId: number, pk: AttributeValue): Uint8Array {
  return encodeKey(tableId, pk);
}

/**
 * The prefix of the keys whose sort key begins with `prefix`, for `begins_with(sk, :p)`: every
 * such key starts with the returned bytes, and no other key does.
 *
 * @param tableId The table id.
 * @param pk The partition key value.
 * @param prefix An S or B value: the start of the sort key.
 * @returns The prefix bytes (no terminator after the sort key bytes).
 * @throws {KstoneError} `VALIDATION` when `prefix` is not S or B.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeKey, sortKeyPrefix } from "./key_codec.ts";
 * import { startsWith } from "./bytes.ts";
 * const prefix = sortKeyPrefix(1, { S: "u" }, { S: "order#" });
 * assert.ok(startsWith(encodeKey(1, { S: "u" }, { S: "order#17" }), prefix));
 * assert.ok(!startsWith(encodeKey(1, { S: "u" }, { S: "order" }), prefix));
 * ```
 */
export function sortKeyPrefix(
  tableId: number,
  pk: AttributeValue,
  prefix: AttributeValue,
): Uint8Array {
  const p = prefix as { S?: string; B?: Uint8Array };
  if (p.S === undefined && p.B === undefined) {
    throw validation(
      "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
    );
  }
  pos = 0;
  try {
    writeTableId(tableId);
    writeComponent(pk, "partition key");
    ensure(1);
    if (p.S !== undefined) {
      scratch[pos++] = KEY_TAG_S;
      writeEscapedString(p.S);
    } else {
      scratch[pos++] = KEY_TAG_B;
      writeEscaped(p.B!);
    }
  } catch (error) {
    pos = 0;
    throw error;
  }
  return take();
}

/**
 * The smallest byte string greater than every string that starts with `prefix`: the exclusive
 * upper bound of a prefix scan.
 *
 * @param prefix The prefix.
 * @returns The bound, or `undefined` when there is none (the prefix is empty or all `0xFF`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prefixEnd } from "./key_codec.ts";
 * assert.deepEqual(prefixEnd(new Uint8Array([1, 2, 0xff])), new Uint8Array([1, 3]));
 * assert.equal(prefixEnd(new Uint8Array([0xff])), undefined);
 * ```
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  let n = prefix.length;
  while (n > 0 && prefix[n - 1] === 0xff) n--;
  if (n === 0) return undefined;
  const out = prefix.slice(0, n);
  out[n - 1]!++;
  return out;
}
