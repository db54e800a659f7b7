/**
 * Frees the memory of buffers the engine knows to be dead, at once.
 *
 * A dropped `ArrayBuffer` keeps its memory until a full garbage collection finds it, and V8 and
 * JSC run those rarely while the heap itself is small: the memtables a flush wrote and the block
 * cache of a closed database (tens of MiB) would stay resident while their successors grow
 * beside them, adding their size to the process's peak. Detaching a buffer
 * (`ArrayBuffer.prototype.transfer(0)`) frees its memory now, so the next buffers reuse it.
 * Runtimes without `transfer` keep the old behaviour.
 *
 * Only buffers nothing can read any more may be released: every view of a released buffer
 * reads as empty.
 *
 * @module
 */

type Transfer = (this: ArrayBuffer, length?: number) => ArrayBuffer;

const transfer = (ArrayBuffer.prototype as { transfer?: Transfer }).transfer;

/**
 * Frees `buffer` now; a zero-length, shared or already detached buffer is left alone.
 *
 * @param buffer The buffer (every view of it reads as empty afterwards).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { releaseBuffer } from "./buffer_release.ts";
 * const bytes = new Uint8Array(1024);
 * releaseBuffer(bytes.buffer);
 * assert.equal(bytes.length, 0);
 * ```
 */
export function releaseBuffer(buffer: ArrayBufferLike): void {
  if (transfer === undefined || !(buffer instanceof ArrayBuffer) || buffer.byteLength === 0) {
    return;
  }
  transfer.call(buffer, 0);
}
