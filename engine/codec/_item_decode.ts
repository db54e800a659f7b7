/**
 * The item decoder, re-exported by `item_codec.ts`. See docs/format/item_encoding.md.
 *
 * @module
 */
import type { AttributeMap, AttributeValue } from "../model/attribute_value.ts";
import { corruption, KstoneError } from "../errors.ts";
import { MAX_NESTING_DEPTH } from "../limits.ts";
import { readVarint, varintLength } from "./varint.ts";
import { TextCache } from "./_text_cache.ts";
import { plainNumber } from "../model/number_value.ts";
import { setProperty } from "../model/set_property.ts";
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

const EMPTY = new Uint8Array(0);

let src: Uint8Array = EMPTY;
let at = 0;

function getVarint(): number {
  const b = src[at];
  if (b !== undefined && b < 0x80) {
    at++;
    return b;
  }
  const value = readVarint(src, at);
  at += varintLength(value);
  return value;
}

/** Reads a count and checks that at least `count` more bytes exist. */
function getCount(): number {
  const count = getVarint();
  if (count > src.length - at) throw corruption(`item count ${count} at offset ${at} is too big`);
  return count;
}

function getLength(): number {
  const n = getVarint();
  if (n > src.length - at) throw corruption(`item field of ${n} bytes at offset ${at} is cut`);
  return n;
}

// Names and short values repeat from item to item: each has a cache (see `_text_cache.ts`).
const names = new TextCache(1024, 32);
const texts = new TextCache(4096, 24);

function getString(): string {
  const n = getLength();
  at += n;
  return texts.decode(src, at - n, at);
}

function getName(): string {
  const n = getLength();
  at += n;
  return names.decode(src, at - n, at);
}

function getNumberText(): string {
  const n = getLength();
  at += n;
  return numberText(at - n, at);
}

function numberText(start: number, end: number): string {
  let out = "";
  for (let i = start; i < end; i++) {
    const c = src[i]!;
    // Digits, "-" and "." only: the characters of canonical number text.
    if (c > 57 || c < 45 || c === 47) throw corruption(`item number at offset ${start} is bad`);
    out += String.fromCharCode(c);
  }
  if (end === start) throw corruption(`item number at offset ${start} is empty`);
  return out;
}

/**
 * Reads number text of the form `-?digits(.digits)?` in `src[start, end)`, at most 15
 * characters, straight from the bytes. The result is exactly `Number(text)`: the digits make an
 * integer below 2^53 and the divisor a power of ten below 10^22, both exact, and one division
 * rounds correctly. NaN for any other text.
 */
function smallNumber(start: number, end: number): number {
  const first = src[start] === 45 ? start + 1 : start;
  let i = first;
  let digits = 0;
  for (; i < end; i++) {
    const d = src[i]! - 48;
    if (d < 0 || d > 9) break;
    digits = digits * 10 + d;
  }
  if (i === first) return NaN;
  let divisor = 1;
  if (i < end) {
    if (src[i] !== 46 || i + 1 === end) return NaN;
    for (i++; i < end; i++) {
      const d = src[i]! - 48;
      if (d < 0 || d > 9) return NaN;
      digits = digits * 10 + d;
      divisor *= 10;
    }
  }
  const value = divisor === 1 ? digits : digits / divisor;
  return first === start ? value : -value;
}

function getBytes(): Uint8Array {
  const n = getLength();
  const out = src.slice(at, at + n);
  at += n;
  return out;
}

function getMap(level: number): AttributeMap {
  const count = getCount();
  const out: Record<string, AttributeValue> = {};
  for (let i = 0; i < count; i++) {
    const name = getName();
    setProperty(out, name, getValue(level));
  }
  return out;
}

function getValue(level: number): AttributeValue {
  const tag = src[at++];
  switch (tag) {
    case T_S:
      return { S: getString() };
    case T_N:
      return { N: getNumberText() };
    case T_B:
      return { B: getBytes() };
    case T_FALSE:
      return { BOOL: false };
    case T_TRUE:
      return { BOOL: true };
    case T_NULL:
      return { NULL: true };
    case T_L: {
      if (level >= MAX_NESTING_DEPTH) throw corruption(`item nests too deep at offset ${at}`);
      const count = getCount();
      const list: AttributeValue[] = new Array(count);
      for (let i = 0; i < count; i++) list[i] = getValue(level + 1);
      return { L: list };
    }
    case T_M:
      if (level >= MAX_NESTING_DEPTH) throw corruption(`item nests too deep at offset ${at}`);
      return { M: getMap(level + 1) };
    case T_SS:
    case T_NS:
    case T_BS: {
      const count = getCount();
      if (count === 0) throw corruption(`item set at offset ${at} is empty`);
      const items: Array<string | Uint8Array> = new Array(count);
      for (let i = 0; i < count; i++) {
        items[i] = tag === T_SS ? getString() : tag === T_NS ? getNumberText() : getBytes();
      }
      return tag === T_SS
        ? { SS: items as string[] }
        : tag === T_NS
        ? { NS: items as string[] }
        : { BS: items as Uint8Array[] };
    }
    default:
      throw corruption(`item value at offset ${at - 1} has unknown tag ${tag}`);
  }
}

function begin(bytes: Uint8Array): void {
  const version = bytes[0];
  if (version !== ITEM_FORMAT_VERSION) {
    if (version === undefined || version === 0) throw corruption("item has no format version");
    throw new KstoneError(
      "NOT_SUPPORTED",
      `Item format version ${version} is newer than this kstone supports (${ITEM_FORMAT_VERSION})`,
    );
  }
  src = bytes;
  at = 1;
}

function end(): void {
  if (at !== src.length) throw corruption(`item has ${src.length - at} extra bytes`);
}

/**
 * Decodes an item made by {@linkcode encodeItem}. Strings and byte values are copied out of
 * `bytes`.
 *
 * @param bytes The encoded item.
 * @returns The item.
 * @throws {KstoneError} `CORRUPTION` when the bytes are not a well-formed item;
 * `NOT_SUPPORTED` when they were written by a newer format version.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeItem, encodeItem } from "./item_codec.ts";
 * const item = { pk: { S: "user#1" }, tags: { SS: ["a", "b"] }, n: { N: "-1.5" } };
 * assert.deepEqual(decodeItem(encodeItem(item)), item);
 * ```
 */
export function decodeItem(bytes: Uint8Array): AttributeMap {
  begin(bytes);
  try {
    const item = getMap(1);
    end();
    return item;
  } finally {
    src = EMPTY;
  }
}

function getPlainMap(level: number): Record<string, unknown> {
  const count = getCount();
  const out: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const name = getName();
    const value = getPlainValue(level);
    if (name === "__proto__") setProperty(out, name, value);
    else out[name] = value;
  }
  return out;
}

function getPlainValue(level: number): unknown {
  const tag = src[at++];
  switch (tag) {
    case T_S:
      return getString();
    case T_N: {
      const n = getLength();
      at += n;
      // Up to 15 characters, plainNumber gives Number(text): most numbers skip the text.
      const value = n <= 15 ? smallNumber(at - n, at) : NaN;
      return value === value ? value : plainNumber(numberText(at - n, at));
    }
    case T_B:
      return getBytes();
    case T_FALSE:
      return false;
    case T_TRUE:
      return true;
    case T_NULL:
      return null;
    case T_L: {
      if (level >= MAX_NESTING_DEPTH) throw corruption(`item nests too deep at offset ${at}`);
      const count = getCount();
      const list: unknown[] = new Array(count);
      for (let i = 0; i < count; i++) list[i] = getPlainValue(level + 1);
      return list;
    }
    case T_M:
      if (level >= MAX_NESTING_DEPTH) throw corruption(`item nests too deep at offset ${at}`);
      return getPlainMap(level + 1);
    case T_SS:
    case T_NS:
    case T_BS: {
      const count = getCount();
      if (count === 0) throw corruption(`item set at offset ${at} is empty`);
      const items: unknown[] = new Array(count);
      for (let i = 0; i < count; i++) {
        items[i] = tag === T_SS ? getString() : tag === T_NS ? getNumberText() : getBytes();
      }
      return new Set(tag === T_NS ? items.map((text) => plainNumber(text as string)) : items);
    }
    default:
      throw corruption(`item value at offset ${at - 1} has unknown tag ${tag}`);
  }
}

/**
 * Decodes an item made by {@linkcode encodeItem} straight to plain JS, without building its
 * AttributeMap: exactly what `unmarshallItem(decodeItem(bytes))` gives (numbers as numbers or
 * NumberValues, sets as `Set`s, binary as copied Uint8Arrays), with the same errors.
 *
 * @param bytes The encoded item.
 * @returns The plain item.
 * @throws {KstoneError} As {@linkcode decodeItem}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodePlainItem, encodeItem } from "./item_codec.ts";
 * const bytes = encodeItem({ pk: { S: "user#1" }, tags: { SS: ["a"] }, n: { N: "-1.5" } });
 * assert.deepEqual(decodePlainItem(bytes), { pk: "user#1", tags: new Set(["a"]), n: -1.5 });
 * ```
 */
export function decodePlainItem(bytes: Uint8Array): Record<string, unknown> {
  begin(bytes);
  try {
    const item = getPlainMap(1);
    end();
    return item;
  } catch (error) {
    // A number text that is not canonical fails in plainNumber, maybe before a fault further
    // on that decodeItem, which reads everything before unmarshalling, reports first.
    decodeItem(bytes);
    throw error;
  } finally {
    src = EMPTY;
  }
}
