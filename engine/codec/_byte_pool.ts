/**
 * A slab allocator for the small byte arrays the codecs return (encoded keys and items).
 *
 * Allocating an ArrayBuffer is slow in V8 (about half a microsecond for a few bytes under
 * Deno, ten times the cost of a view), so arrays of up to {@linkcode POOLED_MAX} bytes are views
 * into shared 64 KB slabs, as Node's `Buffer.allocUnsafe` pools them. A result's `buffer` is
 * thus the whole slab: always use `byteOffset` and `byteLength` with it. A slab is freed when
 * every view into it is gone, so values handed to users (decoded B attributes) are not pooled.
 *
 * @module
 */

/**
 * Largest array served from a slab; bigger ones get their own ArrayBuffer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allocate, POOLED_MAX } from "./_byte_pool.ts";
 * assert.equal(allocate(POOLED_MAX + 1).buffer.byteLength, POOLED_MAX + 1);
 * ```
 */
export const POOLED_MAX = 4096;

const SLAB_SIZE = 65536;

let slab = new ArrayBuffer(SLAB_SIZE);
let used = 0;

/**
 * Allocates a zero-filled byte array, from a shared slab when it is small.
 *
 * @param length The size in bytes.
 * @returns A new array no other allocation overlaps.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allocate } from "./_byte_pool.ts";
 * const a = allocate(3);
 * const b = allocate(3);
 * a.fill(1);
 * assert.deepEqual(b, new Uint8Array(3));
 * ```
 */
export function allocate(length: number): Uint8Array {
  if (length > POOLED_MAX) return new Uint8Array(length);
  if (used + length > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    used = 0;
  }
  const out = new Uint8Array(slab, used, length);
  used += (length + 7) & ~7;
  return out;
}

/**
 * Copies `source[start, end)` into a new array from {@linkcode allocate}.
 *
 * @param source The bytes to copy from.
 * @param start The first index.
 * @param end The index after the last.
 * @returns The copy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { copyOut } from "./_byte_pool.ts";
 * assert.deepEqual(copyOut(new Uint8Array([1, 2, 3]), 1, 3), new Uint8Array([2, 3]));
 * ```
 */
export function copyOut(source: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  const out = allocate(n);
  // A short copy (an encoded key) costs less by hand than through a subarray and `set`.
  if (n <= 48) { for (let i = 0; i < n; i++) out[i] = source[start + i]!; }
  else out.set(source.subarray(start, end));
  return out;
}
