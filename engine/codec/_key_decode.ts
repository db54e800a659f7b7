/**
 * The key decoder, re-exported by `key_codec.ts`. See docs/format/key_encoding.md.
 *
 * @module
 */
import type { AttributeValue } from "../model/attribute_value.ts";
import { corruption } from "../errors.ts";
import { composeNumber } from "../model/decimal.ts";
import { decodeUtf8 } from "./_utf8.ts";
import { KEY_TAG_B, KEY_TAG_N, KEY_TAG_S, N_NEGATIVE, N_POSITIVE, N_ZERO } from "./_key_format.ts";

/**
 * A decoded key; see {@linkcode decodeKey}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DecodedKey, decodeKey, encodeKey } from "./key_codec.ts";
 * const key: DecodedKey = decodeKey(encodeKey(1, { S: "a" }));
 * assert.equal(key.sk, undefined);
 * ```
 */
export interface DecodedKey {
  /** The table id. */
  readonly tableId: number;
  /** The partition key value. */
  readonly pk: AttributeValue;
  /** The sort key value, when the key has one. */
  readonly sk?: AttributeValue;
}

/** Where the component {@linkcode readComponent} last read ends. */
let componentEnd = 0;

/** Reads the component at `start`; it ends at `componentEnd`. */
function readComponent(bytes: Uint8Array, start: number): AttributeValue {
  const tag = bytes[start];
  if (tag === KEY_TAG_S || tag === KEY_TAG_B) {
    // Find the 00 01 terminator, counting 00 FF escapes.
    let i = start + 1;
    let escapes = 0;
    for (;;) {
      if (i >= bytes.length) throw corruption(`key component at offset ${start} is unterminated`);
      if (bytes[i] !== 0) {
        i++;
        continue;
      }
      const next = bytes[i + 1];
      if (next === 0x01) break;
      if (next !== 0xff) throw corruption(`key component at offset ${start} has a bad escape`);
      escapes++;
      i += 2;
    }
    componentEnd = i + 2;
    if (escapes === 0) {
      return tag === KEY_TAG_B
        ? { B: bytes.slice(start + 1, i) }
        : { S: decodeUtf8(bytes, start + 1, i) };
    }
    const raw = new Uint8Array(i - start - 1 - escapes);
    for (let j = start + 1, n = 0; j < i; j++) {
      raw[n++] = bytes[j]!;
      if (bytes[j] === 0) j++;
    }
    return tag === KEY_TAG_B ? { B: raw } : { S: decodeUtf8(raw, 0, raw.length) };
  }
  if (tag === KEY_TAG_N) return readNumber(bytes, start);
  throw corruption(`key component at offset ${start} has unknown tag ${tag}`);
}

function readNumber(bytes: Uint8Array, start: number): AttributeValue {
  const sign = bytes[start + 1];
  if (sign === N_ZERO) {
    componentEnd = start + 2;
    return { N: "0" };
  }
  if (sign !== N_POSITIVE && sign !== N_NEGATIVE) {
    throw corruption(`number key component at offset ${start} has a bad sign byte`);
  }
  const flip = sign === N_NEGATIVE ? 0xff : 0x00;
  const expByte = bytes[start + 2];
  if (expByte === undefined) throw corruption(`number key component at offset ${start} is cut`);
  let digits = "";
  let i = start + 3;
  for (;;) {
    const b = bytes[i++];
    if (b === undefined) throw corruption(`number key component at offset ${start} is cut`);
    const pair = (b ^ flip) - 1;
    if (pair === -1) break;
    if (pair > 99 || digits.length >= 38) {
      throw corruption(`number key component at offset ${start} has a bad digit byte`);
    }
    digits += pair < 10 ? `0${pair}` : String(pair);
  }
  if (digits.endsWith("0")) digits = digits.slice(0, -1);
  if (digits === "" || digits.startsWith("0") || digits.endsWith("0")) {
    throw corruption(`number key component at offset ${start} is not canonical`);
  }
  const exponent = (expByte ^ flip) - 129;
  componentEnd = i;
  return { N: composeNumber({ negative: flip !== 0, digits, exponent }) };
}

/**
 * Decodes key bytes made by {@linkcode encodeKey}.
 *
 * @param bytes The key.
 * @returns Table id, partition key and, when present, sort key.
 * @throws {KstoneError} `CORRUPTION` when the bytes are not a well-formed key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeKey, encodeKey } from "./key_codec.ts";
 * const key = encodeKey(7, { N: "-1.5" }, { B: new Uint8Array([0, 1]) });
 * assert.deepEqual(decodeKey(key), {
 *   tableId: 7,
 *   pk: { N: "-1.5" },
 *   sk: { B: new Uint8Array([0, 1]) },
 * });
 * ```
 */
export function decodeKey(bytes: Uint8Array): DecodedKey {
  if (bytes.length < 5) throw corruption(`key of ${bytes.length} bytes is too short`);
  const tableId = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const pk = readComponent(bytes, 4);
  if (componentEnd === bytes.length) return { tableId, pk };
  const sk = readComponent(bytes, componentEnd);
  if (componentEnd !== bytes.length) {
    throw corruption(`key has ${bytes.length - componentEnd} extra bytes`);
  }
  return { tableId, pk, sk };
}
