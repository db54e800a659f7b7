/**
 * The binary encoding of an item (an {@linkcode AttributeMap}) and DynamoDB's item size rules.
 * See docs/format/item_encoding.md.
 *
 * ```
 * item  = version(0x01) count:varint (name value){count}
 * name  = len:varint utf8
 * value = 01 len utf8 | 02 len ascii | 03 len bytes        ; S, N (canonical text), B
 *       | 04 | 05 | 06                                     ; BOOL false, BOOL true, NULL
 *       | 07 count value{count}                            ; L
 *       | 08 count (name value){count}                     ; M
 *       | 09 count (len utf8){count}                       ; SS
 *       | 0A count (len ascii){count}                      ; NS
 *       | 0B count (len bytes){count}                      ; BS
 * ```
 *
 * @module
 */
import type { AttributeMap, AttributeValue } from "../model/attribute_value.ts";
import { KstoneError, validation } from "../errors.ts";
import { MAX_ATTRIBUTE_NAME_SIZE, MAX_ITEM_SIZE, MAX_NESTING_DEPTH } from "../limits.ts";
import { numberFromJs } from "../model/decimal.ts";
import { NumberValue } from "../model/number_value.ts";
import { varintLength, writeVarint } from "./varint.ts";
import { copyOut } from "./_byte_pool.ts";
import {
  ITEM_FORMAT_VERSION,
  T_B,
  T_BS,
  T_FALSE,
  T_L,
  T_M,
  T_N,
  T_NS,
  T_NULL,
  T_S,
  T_SS,
  T_TRUE,
} from "./_item_format.ts";
import { checkItemSize, nameSizeError, NESTING, type ValueFields } from "./_item_size.ts";

export { itemSize, utf8Length, validateItemSize } from "./_item_size.ts";
export { decodeItem, decodePlainItem } from "./_item_decode.ts";
export { ITEM_FORMAT_VERSION } from "./_item_format.ts";

const encoder = new TextEncoder();

let buf = new Uint8Array(8192);
let pos = 0;
// The item's DynamoDB size (see `_item_size.ts`), counted as it is encoded.
let size = 0;

function reserve(extra: number): void {
  if (pos + extra > buf.length) grow(pos + extra);
}

function grow(need: number): void {
  let length = buf.length * 2;
  while (length < need) length *= 2;
  const next = new Uint8Array(length);
  next.set(buf.subarray(0, pos));
  buf = next;
}

function putVarint(value: number): void {
  if (value < 0x80) {
    reserve(1);
    buf[pos++] = value;
  } else {
    reserve(8);
    pos = writeVarint(buf, pos, value);
  }
}

/** Writes `len:varint utf8`; returns the UTF-8 length. */
function putString(text: string): number {
  const n = text.length;
  if (n < 43) {
    // At most 126 UTF-8 bytes: the length is one varint byte.
    reserve(1 + n * 3);
    const out = buf;
    const start = pos + 1;
    let p = start;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        p = start + encoder.encodeInto(text, out.subarray(start)).written;
        break;
      }
      out[p++] = c;
    }
    out[pos] = p - start;
    pos = p;
    return p - start;
  }
  const most = n * 3;
  const room = varintLength(most);
  reserve(room + most);
  const written = encoder.encodeInto(text, buf.subarray(pos + room)).written;
  const need = varintLength(written);
  if (need < room) buf.copyWithin(pos + need, pos + room, pos + room + written);
  pos = writeVarint(buf, pos, written) + written;
  return written;
}

/**
 * Writes `len:varint ascii` for canonical number text and returns its DynamoDB size, as
 * `numberSize` counts it, from the same walk over the text.
 */
function putNumber(text: string): number {
  const n = text.length;
  reserve(2 + n);
  const out = buf;
  if (n < 0x80) out[pos++] = n;
  else pos = writeVarint(out, pos, n);
  let point = n;
  let first = -1; // index of the first nonzero digit
  let last = -1; // index of the last nonzero digit
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // The characters of number text, so that what is written always decodes.
    if (c > 57 || c < 45 || c === 47) {
      throw validation(`Cannot encode item: number ${JSON.stringify(text)} is not canonical`);
    }
    out[pos++] = c;
    if (c === 46) point = i;
    else if (c !== 48 && (i > 0 || c !== 45)) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (n === 0) throw validation('Cannot encode item: number "" is not canonical');
  if (first < 0) return 1;
  // As numberSize: 1, plus the pairs of digits from the first nonzero one to the last, aligned
  // on the point, plus 1 when negative.
  const lead = first < point ? point - first - 1 : point - first;
  const trail = last < point ? point - last - 1 : point - last;
  return 2 + Math.floor(lead / 2) - Math.floor(trail / 2) + (text.charCodeAt(0) === 45 ? 1 : 0);
}

function putSetCount(length: number, kind: string): void {
  if (length === 0) {
    throw validation(`One or more parameter values were invalid: An ${kind} set may not be empty`);
  }
  putVarint(length);
}

function putBytes(bytes: Uint8Array): void {
  putVarint(bytes.length);
  reserve(bytes.length);
  buf.set(bytes, pos);
  pos += bytes.length;
}

function putMap(map: AttributeMap, level: number, nested: boolean): void {
  // Write the entries after a 1-byte count, then patch the count (moving the entries in the
  // rare case of 128 or more).
  reserve(1);
  const countAt = pos++;
  let count = 0;
  if (nested) size += 3;
  for (const name in map) {
    const length = putString(name);
    if (length === 0 || length > MAX_ATTRIBUTE_NAME_SIZE) throw nameSizeError(length);
    size += nested ? length + 1 : length;
    putValue(map[name]!, level);
    count++;
  }
  if (count < 0x80) {
    buf[countAt] = count;
    return;
  }
  const extra = varintLength(count) - 1;
  reserve(extra);
  buf.copyWithin(countAt + 1 + extra, countAt + 1, pos);
  writeVarint(buf, countAt, count);
  pos += extra;
}

function putValue(value: AttributeValue, level: number): void {
  const v = value as ValueFields;
  reserve(1);
  if (v.S !== undefined) {
    buf[pos++] = T_S;
    size += putString(v.S);
  } else if (v.N !== undefined) {
    buf[pos++] = T_N;
    size += putNumber(v.N);
  } else if (v.BOOL !== undefined) {
    buf[pos++] = v.BOOL ? T_TRUE : T_FALSE;
    size += 1;
  } else if (v.M !== undefined) {
    if (level >= MAX_NESTING_DEPTH) throw validation(NESTING);
    buf[pos++] = T_M;
    putMap(v.M, level + 1, true);
  } else if (v.L !== undefined) {
    if (level >= MAX_NESTING_DEPTH) throw validation(NESTING);
    buf[pos++] = T_L;
    const list = v.L;
    putVarint(list.length);
    size += 3 + list.length;
    for (let i = 0; i < list.length; i++) putValue(list[i]!, level + 1);
  } else if (v.NULL !== undefined) {
    buf[pos++] = T_NULL;
    size += 1;
  } else if (v.B !== undefined) {
    buf[pos++] = T_B;
    putBytes(v.B);
    size += v.B.length;
  } else if (v.SS !== undefined) {
    buf[pos++] = T_SS;
    putSetCount(v.SS.length, "string");
    for (const s of v.SS) size += putString(s);
  } else if (v.NS !== undefined) {
    buf[pos++] = T_NS;
    putSetCount(v.NS.length, "number");
    for (const s of v.NS) {
      size += putNumber(s);
    }
  } else if (v.BS !== undefined) {
    buf[pos++] = T_BS;
    putSetCount(v.BS.length, "binary");
    for (const b of v.BS) {
      putBytes(b);
      size += b.length;
    }
  } else {
    throw validation("Cannot encode item: an attribute value has no known type");
  }
}

/**
 * Encodes an item. `N` values must already be canonical; they are stored as text.
 *
 * @param item The item.
 * @returns A fresh byte array.
 * @throws {KstoneError} `VALIDATION` when a value has no known type, a set is empty, a number
 * has characters other than `0-9 . -`, an attribute name has 0 or more than 65,535 bytes, or L/M
 * values nest deeper than 32 levels: whatever this
 * writes, {@linkcode decodeItem} reads back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeItem } from "./item_codec.ts";
 * assert.deepEqual(
 *   encodeItem({ a: { N: "12" } }),
 *   new Uint8Array([0x01, 0x01, 0x01, 0x61, 0x02, 0x02, 0x31, 0x32]),
 * );
 * ```
 */
export function encodeItem(item: AttributeMap): Uint8Array {
  pos = 0;
  size = 0;
  try {
    reserve(1);
    buf[pos++] = ITEM_FORMAT_VERSION;
    putMap(item, 1, false);
    return copyOut(buf, 0, pos);
  } finally {
    pos = 0;
    if (buf.length > 1 << 20) buf = new Uint8Array(8192);
  }
}

/**
 * Checks an item as `validateItemSize` does and encodes it, in one walk: the item's DynamoDB
 * size is counted while it is encoded.
 *
 * @param item The item.
 * @returns A fresh byte array, as {@linkcode encodeItem}.
 * @throws {KstoneError} `VALIDATION` as {@linkcode encodeItem} and `validateItemSize`: for an
 * item over 400 KB or an attribute name of 0 or more than 65,535 bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeItem, encodeValidItem } from "./item_codec.ts";
 * assert.deepEqual(encodeValidItem({ a: { N: "12" } }), encodeItem({ a: { N: "12" } }));
 * assert.throws(() => encodeValidItem({ a: { S: "x".repeat(409_600) } }), /maximum allowed size/);
 * ```
 */
export function encodeValidItem(item: AttributeMap): Uint8Array {
  const bytes = encodeItem(item);
  checkItemSize(size);
  return bytes;
}

/** Thrown inside {@linkcode encodePlainItem}'s walk when the item needs the general path. */
const BAIL = Symbol("bail");

function putPlainMap(object: Record<string, unknown>, level: number, nested: boolean): void {
  reserve(1);
  const countAt = pos++;
  let count = 0;
  if (nested) size += 3;
  for (const name in object) {
    const child = object[name];
    if (child === undefined) continue;
    const length = putString(name);
    if (length === 0 || length > MAX_ATTRIBUTE_NAME_SIZE) throw BAIL;
    size += nested ? length + 1 : length;
    putPlainValue(child, level);
    count++;
  }
  if (count >= 0x80) throw BAIL;
  buf[countAt] = count;
}

function putPlainNumber(text: string): void {
  buf[pos++] = T_N;
  size += putNumber(text);
}

function putPlainValue(value: unknown, level: number): void {
  reserve(1);
  switch (typeof value) {
    case "string":
      buf[pos++] = T_S;
      size += putString(value);
      return;
    case "number":
      if (Number.isInteger(value) && value <= 999999999999999 && value >= -999999999999999) {
        return putPlainNumber(String(value === 0 ? 0 : value));
      }
      return putPlainNumber(numberFromJs(value));
    case "boolean":
      buf[pos++] = value ? T_TRUE : T_FALSE;
      size += 1;
      return;
    case "object": {
      if (value === null) {
        buf[pos++] = T_NULL;
        size += 1;
        return;
      }
      if (level >= MAX_NESTING_DEPTH) throw BAIL;
      if (Array.isArray(value)) {
        buf[pos++] = T_L;
        putVarint(value.length);
        size += 3 + value.length;
        for (let i = 0; i < value.length; i++) {
          if (value[i] === undefined) throw BAIL;
          putPlainValue(value[i], level + 1);
        }
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) {
        buf[pos++] = T_M;
        return putPlainMap(value as Record<string, unknown>, level + 1, true);
      }
      if (value instanceof NumberValue) return putPlainNumber(value.value);
      if (value instanceof Uint8Array) {
        buf[pos++] = T_B;
        putBytes(value);
        size += value.length;
        return;
      }
      if (value instanceof Set && value.size > 0) {
        buf[pos++] = T_SS;
        putVarint(value.size);
        for (const text of value) {
          if (typeof text !== "string") throw BAIL;
          size += putString(text);
        }
        return;
      }
    }
  }
  throw BAIL;
}

/**
 * Encodes a plain JS item straight to bytes, without building its AttributeMap: the bytes
 * `encodeValidItem(marshallItem(item))` gives, for the common values (strings, numbers,
 * NumberValues, booleans, null, arrays, plain objects, Uint8Arrays and sets of strings). For
 * anything else, and for any item those two would reject, it returns `undefined` instead of
 * throwing: call them to get their error (or their result for a value handled only there).
 *
 * @param item The plain item.
 * @returns A fresh byte array, as {@linkcode encodeItem}, or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeItem, encodePlainItem } from "./item_codec.ts";
 * assert.deepEqual(encodePlainItem({ a: 12 }), encodeItem({ a: { N: "12" } }));
 * assert.equal(encodePlainItem({ a: new Date() }), undefined);
 * ```
 */
export function encodePlainItem(item: Record<string, unknown>): Uint8Array | undefined {
  if (typeof item !== "object" || item === null) return undefined;
  const proto = Object.getPrototypeOf(item);
  if (proto !== Object.prototype && proto !== null) return undefined;
  pos = 0;
  size = 0;
  try {
    reserve(1);
    buf[pos++] = ITEM_FORMAT_VERSION;
    putPlainMap(item, 1, false);
    return size > MAX_ITEM_SIZE ? undefined : copyOut(buf, 0, pos);
  } catch (error) {
    return declined(error);
  } finally {
    release();
  }
}

/** What a plain encoder returns for `error`: `undefined` when it declined the item, else throws. */
function declined(error: unknown): undefined {
  if (error === BAIL || error instanceof KstoneError) return undefined;
  throw error;
}

/** Ends a plain encoding: the buffer is empty again, and shrunk after a very large item. */
function release(): void {
  pos = 0;
  if (buf.length > 1 << 20) buf = new Uint8Array(8192);
}

/** Writes one top-level string attribute of a key. */
function putKeyAttribute(name: string, value: string): void {
  const length = putString(name);
  if (length === 0 || length > MAX_ATTRIBUTE_NAME_SIZE) throw BAIL;
  size += length;
  reserve(1);
  buf[pos++] = T_S;
  size += putString(value);
}

/**
 * {@linkcode encodePlainItem} of `{ [pkName]: pk, [skName]: sk, ...item }` (no `sk` attribute
 * when `sk` is `undefined`), without making that object: the bytes of an item stored under a
 * key given apart from its other attributes, as `db.put(key, item)` does. It returns
 * `undefined` (use the merged object then) whenever it cannot tell the two apart for sure: when
 * `item` is not an object of `Object.prototype`, holds a key attribute that is not the key's
 * value (or is an own `undefined`), or has a name starting with a digit (which could be an
 * array index, enumerated first).
 *
 * @param pkName The partition key attribute.
 * @param pk Its value.
 * @param skName The sort key attribute (unused when `sk` is `undefined`); not `pkName`.
 * @param sk Its value, or `undefined` when the key has none.
 * @param item The other attributes; it may hold the key attributes with the key's values.
 * @returns A view of the encoder's own buffer, valid until the next call of an encoder of this
 *   module (a put commits it at once, which copies it), or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodePlainItem, encodePlainItemUnderKey } from "./item_codec.ts";
 * const key = { pk: "user#1", sk: "profile" };
 * assert.deepEqual(
 *   encodePlainItemUnderKey("pk", key.pk, "sk", key.sk, { n: 1, sk: "profile" })?.slice(),
 *   encodePlainItem({ ...key, ...{ n: 1, sk: "profile" } }),
 * );
 * assert.equal(encodePlainItemUnderKey("pk", "a", "sk", undefined, { sk: "b" }), undefined);
 * ```
 */
export function encodePlainItemUnderKey(
  pkName: string,
  pk: string,
  skName: string,
  sk: string | undefined,
  item: Record<string, unknown>,
): Uint8Array | undefined {
  if (typeof item !== "object" || item === null) return undefined;
  if (Object.getPrototypeOf(item) !== Object.prototype || pkName === skName) return undefined;
  const ownPk = item[pkName];
  if (ownPk === undefined ? Object.hasOwn(item, pkName) : ownPk !== pk) return undefined;
  const ownSk = item[skName];
  if (ownSk === undefined ? Object.hasOwn(item, skName) : ownSk !== sk) return undefined;
  pos = 0;
  size = 0;
  try {
    reserve(2);
    buf[pos++] = ITEM_FORMAT_VERSION;
    const countAt = pos++;
    putKeyAttribute(pkName, pk);
    let count = 1;
    if (sk !== undefined) {
      putKeyAttribute(skName, sk);
      count++;
    }
    for (const name in item) {
      if (name === pkName || name === skName) continue;
      const first = name.charCodeAt(0);
      if (first >= 48 && first <= 57) throw BAIL;
      const child = item[name];
      if (child === undefined) continue;
      const length = putString(name);
      if (length === 0 || length > MAX_ATTRIBUTE_NAME_SIZE) throw BAIL;
      size += length;
      putPlainValue(child, 1);
      count++;
    }
    if (count >= 0x80) throw BAIL;
    buf[countAt] = count;
    return size > MAX_ITEM_SIZE ? undefined : buf.subarray(0, pos);
  } catch (error) {
    return declined(error);
  } finally {
    release();
  }
}
