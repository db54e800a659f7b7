/**
 * The payload of a WAL record: one atomic batch of mutations. See docs/format/wal.md.
 *
 * ```
 * batch    = u32 count, mutation{count}
 * mutation = u8 stripe, u8 kind (0 delete, 1 put; on-disk: never renumber),
 *            u32 key length, key bytes, [u32 value length, value bytes]   (value only for puts)
 * ```
 * Integers are little-endian.
 *
 * @module
 */
import { corruption } from "../errors.ts";

/** One change to one key. `value === null` deletes the key. */
export interface Mutation {
  /** The key's stripe, 0..255. */
  readonly stripe: number;
  /** The encoded key. */
  readonly key: Uint8Array;
  /** The encoded item, or `null` for a delete. */
  readonly value: Uint8Array | null;
}

const DELETE = 0;
const PUT = 1;

/**
 * Encodes a batch of mutations.
 *
 * @param mutations The batch.
 * @returns The WAL payload, a fresh array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBatch, encodeBatch } from "./batch_codec.ts";
 * const batch = [{ stripe: 7, key: new Uint8Array([1]), value: null }];
 * assert.deepEqual(decodeBatch(encodeBatch(batch)), batch);
 * ```
 */
export function encodeBatch(mutations: readonly Mutation[]): Uint8Array {
  const out = new Uint8Array(encodedBatchSize(mutations));
  encodeBatchInto(mutations, out, 0);
  return out;
}

/**
 * The size of a batch's encoding, to check it against the WAL's record limit before committing.
 *
 * @param mutations The batch.
 * @returns Its payload size in bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeBatch, encodedBatchSize } from "./batch_codec.ts";
 * const batch = [{ stripe: 1, key: new Uint8Array(3), value: new Uint8Array(5) }];
 * assert.equal(encodedBatchSize(batch), encodeBatch(batch).length);
 * ```
 */
export function encodedBatchSize(mutations: readonly Mutation[]): number {
  let size = 4;
  for (let i = 0; i < mutations.length; i++) {
    const m = mutations[i]!;
    size += 6 + m.key.length + (m.value === null ? 0 : 4 + m.value.length);
  }
  return size;
}

/**
 * Encodes a batch of mutations into `out` from `at`: the commit path encodes straight into the
 * WAL's buffer with it (see `WalWriter.appendEncoded`).
 *
 * @param mutations The batch.
 * @param out Has room for {@linkcode encodedBatchSize} bytes from `at`.
 * @param at Where the payload starts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBatch, encodeBatchInto, encodedBatchSize } from "./batch_codec.ts";
 * const batch = [{ stripe: 3, key: new Uint8Array([1, 2]), value: new Uint8Array([9]) }];
 * const out = new Uint8Array(2 + encodedBatchSize(batch));
 * encodeBatchInto(batch, out, 2);
 * assert.deepEqual(decodeBatch(out.subarray(2)), batch);
 * ```
 */
export function encodeBatchInto(mutations: readonly Mutation[], out: Uint8Array, at: number): void {
  putU32(out, at, mutations.length);
  at += 4;
  for (let i = 0; i < mutations.length; i++) {
    const m = mutations[i]!;
    const key = m.key;
    const keyLength = key.length;
    out[at] = m.stripe;
    out[at + 1] = m.value === null ? DELETE : PUT;
    putU32(out, at + 2, keyLength);
    at += 6;
    // Short keys cost less by hand than through `set`.
    if (keyLength <= 48) { for (let j = 0; j < keyLength; j++) out[at + j] = key[j]!; }
    else out.set(key, at);
    at += keyLength;
    const value = m.value;
    if (value !== null) {
      putU32(out, at, value.length);
      out.set(value, at + 4);
      at += 4 + value.length;
    }
  }
}

function putU32(out: Uint8Array, at: number, value: number): void {
  out[at] = value;
  out[at + 1] = value >>> 8;
  out[at + 2] = value >>> 16;
  out[at + 3] = value >>> 24;
}

/**
 * Decodes a batch. Keys and values are views into `payload`.
 *
 * @param payload A WAL record's payload.
 * @param lsn The record's LSN, for error messages.
 * @returns The mutations.
 * @throws {KstoneError} CORRUPTION when the payload is malformed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBatch } from "./batch_codec.ts";
 * assert.throws(() => decodeBatch(new Uint8Array([9, 0, 0, 0]), 3), /LSN 3/);
 * ```
 */
export function decodeBatch(payload: Uint8Array, lsn = 0): Mutation[] {
  const mutations: Mutation[] = [];
  forEachMutation(payload, lsn, (stripe, key, value) => mutations.push({ stripe, key, value }));
  return mutations;
}

/**
 * Calls `visit` with each mutation of a batch, in order, making no object per mutation but the
 * key and value views: what replaying a large WAL at open needs. The whole payload is checked
 * before the first call, so a malformed batch applies nothing.
 *
 * @param payload A WAL record's payload.
 * @param lsn The record's LSN, for error messages.
 * @param visit Takes the stripe, the key and the value (`null` for a delete), views into
 *   `payload`.
 * @throws {KstoneError} CORRUPTION when the payload is malformed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeBatch, forEachMutation } from "./batch_codec.ts";
 * const payload = encodeBatch([
 *   { stripe: 3, key: new Uint8Array([1]), value: new Uint8Array([2]) },
 *   { stripe: 4, key: new Uint8Array([5]), value: null },
 * ]);
 * const seen: unknown[] = [];
 * forEachMutation(payload, 1, (stripe, key, value) => seen.push([stripe, key[0], value?.[0]]));
 * assert.deepEqual(seen, [[3, 1, 2], [4, 5, undefined]]);
 * ```
 */
export function forEachMutation(
  payload: Uint8Array,
  lsn: number,
  visit: (stripe: number, key: Uint8Array, value: Uint8Array | null) => void,
): void {
  const count = batchLength(payload, lsn);
  let at = 4;
  for (let i = 0; i < count; i++) {
    const stripe = payload[at]!;
    const kind = payload[at + 1]!;
    const keyLength = u32(payload, at + 2);
    at += 6;
    const key = payload.subarray(at, at + keyLength);
    at += keyLength;
    if (kind === PUT) {
      const valueLength = u32(payload, at);
      at += 4;
      visit(stripe, key, payload.subarray(at, at + valueLength));
      at += valueLength;
    } else visit(stripe, key, null);
  }
}

/** Checks a whole batch's framing and returns its mutation count. */
function batchLength(payload: Uint8Array, lsn: number): number {
  const bad = () => corruption(`WAL record at LSN ${lsn} holds a malformed batch`);
  if (payload.length < 4) throw bad();
  const count = u32(payload, 0);
  let at = 4;
  for (let i = 0; i < count; i++) {
    if (at + 6 > payload.length) throw bad();
    const kind = payload[at + 1]!;
    const keyLength = u32(payload, at + 2);
    at += 6 + keyLength;
    if (at > payload.length || (kind !== PUT && kind !== DELETE)) throw bad();
    if (kind === PUT) {
      if (at + 4 > payload.length) throw bad();
      at += 4 + u32(payload, at);
      if (at > payload.length) throw bad();
    }
  }
  if (at !== payload.length) throw bad();
  return count;
}

/** The little-endian u32 at `at`. */
function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>>
    0;
}
