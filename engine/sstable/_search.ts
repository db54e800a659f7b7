/**
 * Byte-string comparison for binary searches over sorted keys that share long prefixes (kstone
 * keys start with a table id and often a common partition-key prefix). A search keeps the
 * common prefix length of the searched key with its lower and upper bounds; every key between
 * the bounds shares the smaller of the two, so each probe skips it.
 *
 * @module
 */

let common = 0;

/**
 * Compares the stored key `data[start, start + length)` with `key`, assuming their first `skip`
 * bytes are equal, and records their common prefix length for {@linkcode commonPrefix}.
 *
 * @param data The bytes holding the stored key.
 * @param start Where the stored key starts.
 * @param length The stored key's length.
 * @param key The searched key.
 * @param skip Bytes known equal.
 * @returns Negative when the stored key sorts first, zero when equal, positive when after.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commonPrefix, compareStored } from "./_search.ts";
 * const data = new Uint8Array([9, 1, 2, 3]);
 * assert.ok(compareStored(data, 1, 3, new Uint8Array([1, 2, 4]), 0) < 0);
 * assert.equal(commonPrefix(), 2);
 * assert.equal(compareStored(data, 1, 3, new Uint8Array([1, 2, 3]), 2), 0);
 * ```
 */
export function compareStored(
  data: Uint8Array,
  start: number,
  length: number,
  key: Uint8Array,
  skip: number,
): number {
  const keyLength = key.length;
  const n = length < keyLength ? length : keyLength;
  for (let i = skip; i < n; i++) {
    const d = data[start + i]! - key[i]!;
    if (d !== 0) {
      common = i;
      return d;
    }
  }
  common = n;
  return length - keyLength;
}

/**
 * The common prefix length found by the last {@linkcode compareStored} call.
 *
 * @returns A byte count.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commonPrefix, compareStored } from "./_search.ts";
 * compareStored(new Uint8Array([1, 2]), 0, 2, new Uint8Array([1, 3]), 0);
 * assert.equal(commonPrefix(), 1);
 * ```
 */
export function commonPrefix(): number {
  return common;
}
