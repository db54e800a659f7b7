/**
 * The constants of the key encoding, shared by the encoder (`key_codec.ts`) and the decoder
 * (`_key_decode.ts`). See docs/format/key_encoding.md.
 *
 * @module
 */

/**
 * Component tag of a B value (`"B"`). On-disk: never renumber.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeKey, KEY_TAG_B } from "./key_codec.ts";
 * assert.equal(encodeKey(1, { B: new Uint8Array([7]) })[4], KEY_TAG_B);
 * ```
 */
export const KEY_TAG_B = 0x42;
/**
 * Component tag of an N value (`"N"`). On-disk: never renumber.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeKey, KEY_TAG_N } from "./key_codec.ts";
 * assert.equal(encodeKey(1, { N: "7" })[4], KEY_TAG_N);
 * ```
 */
export const KEY_TAG_N = 0x4e;
/**
 * Component tag of an S value (`"S"`). On-disk: never renumber.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeKey, KEY_TAG_S } from "./key_codec.ts";
 * assert.equal(encodeKey(1, { S: "a" })[4], KEY_TAG_S);
 * ```
 */
export const KEY_TAG_S = 0x53;

/**
 * Sign byte of a negative N component. On-disk: never renumber (nor the two below).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeKey } from "./key_codec.ts";
 * import { N_NEGATIVE } from "./_key_format.ts";
 * assert.equal(encodeKey(1, { N: "-1" })[5], N_NEGATIVE);
 * ```
 */
export const N_NEGATIVE = 0x01;
/** Sign byte of the N component of zero. On-disk: never renumber. */
export const N_ZERO = 0x02;
/** Sign byte of a positive N component. On-disk: never renumber. */
export const N_POSITIVE = 0x03;
