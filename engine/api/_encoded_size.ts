/**
 * DynamoDB's size of an item (as `itemSize` in `engine/codec/item_codec.ts` computes it) read
 * straight from the item's encoding, without decoding strings: Query and Scan measure every
 * item they read against the 1 MB page limit, and this is several times cheaper. It walks the
 * format of docs/format/item_encoding.md; the data it reads passed its block checksum.
 *
 * @module
 */
import { corruption } from "../errors.ts";
import { readVarint, varintLength } from "../codec/varint.ts";
import {
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
} from "../codec/_item_format.ts";

const EMPTY = new Uint8Array(0);
let src: Uint8Array = EMPTY;
let at = 0;

function varint(): number {
  const b = src[at];
  if (b !== undefined && b < 0x80) {
    at++;
    return b;
  }
  const value = readVarint(src, at);
  at += varintLength(value);
  return value;
}

/** Skips `len:varint bytes` and returns `len`. */
function field(): number {
  const n = varint();
  at += n;
  return n;
}

/** DynamoDB's size of the canonical number text at `[start, end)`. */
function numberSize(start: number, end: number): number {
  const negative = src[start] === 45;
  let i = negative ? start + 1 : start;
  let exponent: number;
  let digits: number;
  if (src[i] === 48) {
    if (i + 1 === end) return 1; // zero
    i += 2; // "0."
    let zeros = 0;
    while (src[i] === 48) {
      i++;
      zeros++;
    }
    exponent = -zeros;
    digits = end - i;
  } else {
    let point = -1;
    for (let j = i; j < end; j++) {
      if (src[j] === 46) {
        point = j;
        break;
      }
    }
    if (point >= 0) {
      exponent = point - i;
      digits = end - i - 1;
    } else {
      exponent = end - i;
      let last = end - 1;
      while (src[last] === 48) last--;
      digits = last - i + 1;
    }
  }
  const lead = exponent - 1;
  const lowest = lead - digits + 1;
  return 1 + Math.floor(lead / 2) - Math.floor(lowest / 2) + 1 + (negative ? 1 : 0);
}

function value(): number {
  const tag = src[at++];
  switch (tag) {
    case T_S:
    case T_B:
      return field();
    case T_N: {
      const n = varint();
      at += n;
      return numberSize(at - n, at);
    }
    case T_FALSE:
    case T_TRUE:
    case T_NULL:
      return 1;
    case T_L: {
      let size = 3;
      for (let count = varint(); count > 0; count--) size += 1 + value();
      return size;
    }
    case T_M:
      return 3 + map(true);
    case T_SS:
    case T_BS: {
      let size = 0;
      for (let count = varint(); count > 0; count--) size += field();
      return size;
    }
    case T_NS: {
      let size = 0;
      for (let count = varint(); count > 0; count--) {
        const n = varint();
        at += n;
        size += numberSize(at - n, at);
      }
      return size;
    }
    default:
      throw corruption(`unknown item value tag ${tag} at offset ${at - 1}`);
  }
}

/** Sums `name value` entries: name bytes plus value size, plus 1 per entry inside an M. */
function map(nested: boolean): number {
  let size = 0;
  for (let count = varint(); count > 0; count--) size += field() + value() + (nested ? 1 : 0);
  return size;
}

/**
 * DynamoDB's size of an encoded item: for each attribute its name's UTF-8 length plus its
 * value's size (see `itemSize`).
 *
 * @param bytes The encoded item, as the store returns it.
 * @returns The size in bytes.
 * @throws {KstoneError} CORRUPTION on an unknown value tag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodedItemSize } from "./_encoded_size.ts";
 * import { encodeItem, itemSize } from "../codec/item_codec.ts";
 * import type { AttributeMap } from "../model/attribute_value.ts";
 * const item: AttributeMap = { pk: { S: "abc" }, n: { N: "-12.345" }, l: { L: [{ S: "xy" }, { NULL: true }] } };
 * assert.equal(encodedItemSize(encodeItem(item)), itemSize(item));
 * ```
 */
export function encodedItemSize(bytes: Uint8Array): number {
  src = bytes;
  at = 1; // the format version
  try {
    return map(false);
  } finally {
    src = EMPTY;
  }
}
