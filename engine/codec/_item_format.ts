/**
 * The constants of the item format, shared by the encoder (`item_codec.ts`) and the decoder
 * (`_item_decode.ts`). See docs/format/item_encoding.md.
 *
 * @module
 */

/**
 * The format version byte every encoded item starts with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeItem, ITEM_FORMAT_VERSION } from "./item_codec.ts";
 * assert.equal(encodeItem({})[0], ITEM_FORMAT_VERSION);
 * ```
 */
export const ITEM_FORMAT_VERSION = 1;

/**
 * Value tag of an S value: varint length, UTF-8. On-disk: never renumber, like every tag here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeItem } from "./item_codec.ts";
 * import { T_S } from "./_item_format.ts";
 * assert.equal(encodeItem({ a: { S: "x" } })[4], T_S);
 * ```
 */
export const T_S = 0x01;
/** Value tag of an N value: varint length, canonical number text (ASCII). On-disk: never renumber. */
export const T_N = 0x02;
/** Value tag of a B value: varint length, bytes. On-disk: never renumber. */
export const T_B = 0x03;
/** Value tag of BOOL false (no payload). On-disk: never renumber. */
export const T_FALSE = 0x04;
/** Value tag of BOOL true (no payload). On-disk: never renumber. */
export const T_TRUE = 0x05;
/** Value tag of NULL (no payload). On-disk: never renumber. */
export const T_NULL = 0x06;
/** Value tag of an L value: varint count, values. On-disk: never renumber. */
export const T_L = 0x07;
/** Value tag of an M value: varint count, name/value pairs. On-disk: never renumber. */
export const T_M = 0x08;
/** Value tag of an SS value: varint count (at least 1), strings. On-disk: never renumber. */
export const T_SS = 0x09;
/** Value tag of an NS value: varint count (at least 1), number texts. On-disk: never renumber. */
export const T_NS = 0x0a;
/** Value tag of a BS value: varint count (at least 1), byte strings. On-disk: never renumber. */
export const T_BS = 0x0b;
