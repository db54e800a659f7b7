/**
 * Key rules re-exported by `key_codec.ts`: the bytes a partition key hashes to, its stripe, and
 * DynamoDB's checks on key values.
 *
 * @module
 */
import type { AttributeValue, KeyType } from "../model/attribute_value.ts";
import { validation } from "../errors.ts";
import { MAX_PARTITION_KEY_SIZE, MAX_SORT_KEY_SIZE, STRIPE_COUNT } from "../limits.ts";
import { isCanonicalNumber } from "../model/decimal.ts";
import { crc32 } from "./crc32.ts";
import { makeCrcTables } from "./_crc_tables.ts";
import { utf8Length } from "./_utf8.ts";

const encoder = new TextEncoder();
// CRC-32's byte table (the first 256 entries), for hashing short ASCII text char by char.
const CRC_TABLE = makeCrcTables(0xedb88320);

/**
 * The bytes a partition key hashes to: UTF-8 of an S, UTF-8 of the canonical text of an N,
 * the bytes of a B.
 *
 * @param pk The partition key value.
 * @returns The bytes (for B, the value's own array).
 * @throws {KstoneError} `VALIDATION` when `pk` is not S, N or B.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { partitionKeyBytes } from "./key_codec.ts";
 * assert.deepEqual(partitionKeyBytes({ N: "12" }), new Uint8Array([0x31, 0x32]));
 * ```
 */
export function partitionKeyBytes(pk: AttributeValue): Uint8Array {
  const v = pk as { S?: string; N?: string; B?: Uint8Array };
  if (v.S !== undefined) return encoder.encode(v.S);
  if (v.N !== undefined) return encoder.encode(v.N);
  if (v.B !== undefined) return v.B;
  throw validation("Cannot hash key: the partition key must be of type S, N or B");
}

/**
 * The stripe of a partition: `crc32(partitionKeyBytes(pk)) % 256`.
 *
 * @param pk The partition key value.
 * @returns 0 to 255.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stripeOf } from "./key_codec.ts";
 * assert.equal(stripeOf({ S: "user#123" }), 125);
 * ```
 */
export function stripeOf(pk: AttributeValue): number {
  const text = (pk as { S?: string }).S;
  return text === undefined ? crc32(partitionKeyBytes(pk)) % STRIPE_COUNT : stripeOfText(text);
}

/**
 * The stripe of a partition whose key bytes are a string's UTF-8: an S value, or the canonical
 * text of an N value.
 *
 * @param text The S value or canonical number text.
 * @returns 0 to 255, `crc32(utf8(text)) % 256`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stripeOf, stripeOfText } from "./key_codec.ts";
 * assert.equal(stripeOfText("42"), stripeOf({ N: "42" }));
 * assert.equal(stripeOfText("user#123"), 125);
 * ```
 */
export function stripeOfText(text: string): number {
  if (text.length <= 256) {
    // Short ASCII (the usual partition key): its char codes are its UTF-8 bytes, so hash them
    // one by one, without encoding or copying them.
    let crc = -1;
    let i = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      crc = CRC_TABLE[(crc ^ c) & 0xff]! ^ (crc >>> 8);
    }
    if (i === text.length) return ((crc ^ -1) >>> 0) % STRIPE_COUNT;
  }
  return crc32(encoder.encode(text)) % STRIPE_COUNT;
}

/**
 * Checks a key attribute's value against DynamoDB's rules: type S, N or B; S and B not empty;
 * at most 2048 bytes for a partition key and 1024 for a sort key; N canonical.
 *
 * @param name The key attribute's name, for messages.
 * @param value The value.
 * @param role Whether it is the partition (hash) or sort (range) key.
 * @throws {KstoneError} `VALIDATION` naming the rule, the limit and the actual size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateKeyValue } from "./key_codec.ts";
 * validateKeyValue("pk", { S: "user#1" }, "partition");
 * assert.throws(() => validateKeyValue("pk", { S: "x".repeat(3000) }, "partition"), {
 *   message:
 *     "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of 2048 bytes: actual 3000",
 * });
 * ```
 */
export function validateKeyValue(
  name: string,
  value: AttributeValue,
  role: "partition" | "sort",
): void {
  const v = value as { S?: string; N?: string; B?: Uint8Array };
  let size: number;
  let type: KeyType;
  if (v.S !== undefined) {
    type = "S";
    size = utf8Length(v.S);
  } else if (v.B !== undefined) {
    type = "B";
    size = v.B.length;
  } else if (v.N !== undefined) {
    if (!isCanonicalNumber(v.N)) {
      throw validation(
        `One or more parameter values were invalid: Key ${name} is not a canonical number: ${v.N}`,
      );
    }
    return;
  } else {
    let actual = "unknown";
    for (const key in value) actual = key;
    throw validation(
      `One or more parameter values were invalid: Type mismatch for key ${name} expected: S, N or B actual: ${actual}`,
    );
  }
  if (size === 0) {
    throw validation(
      `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${
        type === "S" ? "string" : "binary"
      } value. Key: ${name}`,
    );
  }
  if (role === "partition" && size > MAX_PARTITION_KEY_SIZE) {
    throw validation(
      `One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of ${MAX_PARTITION_KEY_SIZE} bytes: actual ${size}`,
    );
  }
  if (role === "sort" && size > MAX_SORT_KEY_SIZE) {
    throw validation(
      `One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of ${MAX_SORT_KEY_SIZE} bytes: actual ${size}`,
    );
  }
}
