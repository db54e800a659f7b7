/**
 * The SST's bloom filter: one filter over every key of the table, so a point lookup of an absent
 * key usually costs no block read. See `docs/format/sstable.md` ("Bloom block").
 *
 * Each key is hashed once with two murmur3 (x86, 32-bit) lanes seeded
 * {@linkcode BLOOM_SEED_1} and {@linkcode BLOOM_SEED_2}; probe `i` sets bit
 * `floor(((h1 + i * h2) mod 2^32) * m / 2^32)` (double hashing, then a multiply-shift range
 * reduction instead of a slow modulo), `m` being the filter's bit count.
 *
 * @module
 */
import { KstoneError } from "../errors.ts";
import { BLOOM_SEED_1, BLOOM_SEED_2, MAX_BLOOM_PROBES } from "./format.ts";

const C1 = 0xcc9e2d51;
const TWO_32 = 0x1_0000_0000;
const C2 = 0x1b873593;

/** The second lane of the last `bloomHashPair` call (saves an allocation per key). */
let lastSecondHash = 0;

function finalMix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Murmur3 (x86, 32-bit) of `key` under `seed`, as the published algorithm defines it.
 *
 * @param key The bytes to hash.
 * @param seed A 32-bit seed.
 * @returns The unsigned 32-bit hash.
 *
 * @example The reference vectors
 * ```ts
 * import assert from "node:assert/strict";
 * import { murmur3 } from "./bloom.ts";
 * assert.equal(murmur3(new Uint8Array(0), 1), 0x514e28b7);
 * assert.equal(murmur3(new TextEncoder().encode("Hello, world!"), 1234), 0xfaf6cdb3);
 * ```
 */
export function murmur3(key: Uint8Array, seed: number): number {
  return bloomHashPair(key, seed, seed);
}

/**
 * {@linkcode murmur3} of the bytes whose latin1 string is `text` (see `bytesToLatin1`), read
 * from the string's char codes: the memtable indexes its key strings under the hash a point read
 * computes from the key bytes, without converting either.
 *
 * @param text A string whose char codes are all below 256.
 * @param seed A 32-bit seed.
 * @returns The unsigned 32-bit hash, equal to `murmur3(latin1ToBytes(text), seed)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { murmur3, murmur3Latin1 } from "./bloom.ts";
 * const bytes = new Uint8Array([0, 0x80, 0xff, 7, 65, 66, 67]);
 * const text = String.fromCharCode(...bytes);
 * for (let n = 0; n <= bytes.length; n++) {
 *   assert.equal(murmur3Latin1(text.slice(0, n), 99), murmur3(bytes.subarray(0, n), 99));
 * }
 * ```
 */
export function murmur3Latin1(text: string, seed: number): number {
  let a = seed | 0;
  const length = text.length;
  const whole = length & ~3;
  let i = 0;
  for (; i < whole; i += 4) {
    a = step(
      a,
      scramble(
        text.charCodeAt(i) | (text.charCodeAt(i + 1) << 8) | (text.charCodeAt(i + 2) << 16) |
          (text.charCodeAt(i + 3) << 24),
      ),
    );
  }
  const rest = length & 3;
  if (rest !== 0) {
    let k = 0;
    if (rest === 3) k ^= text.charCodeAt(i + 2) << 16;
    if (rest >= 2) k ^= text.charCodeAt(i + 1) << 8;
    a ^= scramble(k ^ text.charCodeAt(i));
  }
  return finalMix(a ^ length);
}

/** murmur3's mixing of a 32-bit block of the key before it enters the hash. */
function scramble(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

/** murmur3's step that takes a scrambled block into the running hash `h`. */
function step(h: number, k: number): number {
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * Hashes `key` with two murmur3 lanes in one pass (the per-word mixing does not depend on the
 * seed): returns `murmur3(key, seed1)` and leaves `murmur3(key, seed2)` in `lastSecondHash`.
 */
function bloomHashPair(key: Uint8Array, seed1: number, seed2: number): number {
  let a = seed1 | 0;
  let b = seed2 | 0;
  const length = key.length;
  const whole = length & ~3;
  let i = 0;
  for (; i < whole; i += 4) {
    const k = scramble(key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24));
    a = step(a, k);
    b = step(b, k);
  }
  const rest = length & 3;
  if (rest !== 0) {
    let k = 0;
    if (rest === 3) k ^= key[i + 2]! << 16;
    if (rest >= 2) k ^= key[i + 1]! << 8;
    k = scramble(k ^ key[i]!);
    a ^= k;
    b ^= k;
  }
  lastSecondHash = finalMix(b ^ length);
  return finalMix(a ^ length);
}

/** The first bloom hash of `key`; the second is left in `lastSecondHash`. */
function bloomHash(key: Uint8Array): number {
  return bloomHashPair(key, BLOOM_SEED_1, BLOOM_SEED_2);
}

/**
 * The bits per key that give a false-positive rate of `fpr` with the best probe count:
 * `-ln(fpr) / ln(2)^2` (about 9.59 for 1%). Stats use it to report filter memory.
 *
 * @param fpr The wanted false-positive rate, in `(0, 1)`.
 * @returns The bits per key.
 * @throws {KstoneError} `INVALID_ARGUMENT` when `fpr` is outside `(0, 1)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bloomBitsPerKey } from "./bloom.ts";
 * assert.equal(bloomBitsPerKey(0.01).toFixed(2), "9.59");
 * ```
 */
export function bloomBitsPerKey(fpr: number): number {
  if (!(fpr > 0 && fpr < 1)) {
    throw new KstoneError(
      "INVALID_ARGUMENT",
      `Cannot size bloom filter: false-positive rate must be in (0, 1), got ${fpr}`,
    );
  }
  return -Math.log(fpr) / (Math.LN2 * Math.LN2);
}

/**
 * The probe count that minimises false positives at `bitsPerKey`: `round(bitsPerKey * ln 2)`,
 * at least 1 and at most 30; 0 when `bitsPerKey` is 0 (no filter).
 *
 * @param bitsPerKey Filter bits per key.
 * @returns The number of probes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bloomProbes } from "./bloom.ts";
 * assert.equal(bloomProbes(9.585), 7);
 * assert.equal(bloomProbes(0), 0);
 * ```
 */
export function bloomProbes(bitsPerKey: number): number {
  if (bitsPerKey <= 0) return 0;
  return Math.min(MAX_BLOOM_PROBES, Math.max(1, Math.round(bitsPerKey * Math.LN2)));
}

/**
 * Collects key hashes while a table is written, then lays out the filter once the key count is
 * known.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BloomFilter, BloomFilterBuilder } from "./bloom.ts";
 * const builder = new BloomFilterBuilder();
 * builder.add(new Uint8Array([1]));
 * const filter = BloomFilter.decode(builder.finish(10));
 * assert.equal(filter.mayContain(new Uint8Array([1])), true);
 * ```
 */
export class BloomFilterBuilder {
  #hashes = new Uint32Array(2048);
  #count = 0;

  /** The number of keys added. */
  get count(): number {
    return this.#count;
  }

  /**
   * Records a key.
   *
   * @param key The key bytes (not kept).
   */
  add(key: Uint8Array): void {
    const at = this.#count * 2;
    if (at + 2 > this.#hashes.length) {
      const grown = new Uint32Array(this.#hashes.length * 2);
      grown.set(this.#hashes);
      this.#hashes = grown;
    }
    this.#hashes[at] = bloomHash(key);
    this.#hashes[at + 1] = lastSecondHash;
    this.#count++;
  }

  /**
   * Builds the bloom block payload: the bit array then the probe count (u8).
   *
   * @param bitsPerKey Filter bits per key; 0 writes an empty filter that matches every key.
   * @returns The payload, without its checksum.
   */
  finish(bitsPerKey: number): Uint8Array {
    const probes = bloomProbes(bitsPerKey);
    let bytes = 0;
    if (probes > 0) bytes = Math.max(8, Math.ceil((this.#count * bitsPerKey) / 8));
    const out = new Uint8Array(bytes + 1);
    out[bytes] = probes;
    const scale = (bytes * 8) / TWO_32;
    const hashes = this.#hashes;
    for (let i = 0; i < this.#count * 2 && probes > 0; i += 2) {
      let h = hashes[i]!;
      const delta = hashes[i + 1]!;
      for (let p = 0; p < probes; p++) {
        const bit = Math.floor(h * scale);
        out[bit >>> 3]! |= 1 << (bit & 7);
        h = (h + delta) >>> 0;
      }
    }
    return out;
  }
}

/**
 * A key's two bloom hashes, computed once and then probed against the filters of several tables
 * (every table hashes with the same seeds). Reuse one object: {@linkcode hash} overwrites it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BloomFilter, BloomFilterBuilder, BloomKey } from "./bloom.ts";
 * const builder = new BloomFilterBuilder();
 * builder.add(new Uint8Array([1]));
 * const filter = BloomFilter.decode(builder.finish(10));
 * const hashes = new BloomKey().hash(new Uint8Array([1]));
 * assert.equal(filter.mayContainHashes(hashes.first, hashes.second), true);
 * ```
 */
export class BloomKey {
  /** The first hash (seed {@linkcode BLOOM_SEED_1}) of the key last hashed. */
  first = 0;
  /** The second hash (seed {@linkcode BLOOM_SEED_2}) of the key last hashed. */
  second = 0;

  /**
   * Hashes a key into this object.
   *
   * @param key The key.
   * @returns This object.
   */
  hash(key: Uint8Array): this {
    this.first = bloomHash(key);
    this.second = lastSecondHash;
    return this;
  }
}

/**
 * A bloom filter read back from a bloom block: `mayContain` never answers `false` for a key that
 * was added, and answers `true` for an absent key with about the configured probability.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BloomFilter, BloomFilterBuilder } from "./bloom.ts";
 * const builder = new BloomFilterBuilder();
 * for (let i = 0; i < 100; i++) builder.add(new Uint8Array([i]));
 * const filter = BloomFilter.decode(builder.finish(10));
 * for (let i = 0; i < 100; i++) assert.ok(filter.mayContain(new Uint8Array([i])));
 * assert.equal(filter.probes, 7);
 * ```
 */
export class BloomFilter {
  /** The bit array; bit `b` is `bits[b >> 3] & (1 << (b & 7))`. */
  readonly bits: Uint8Array;
  /** The number of probes per key; 0 means "no filter", matching every key. */
  readonly probes: number;
  /** The bit count over 2^32: a 32-bit hash times this, floored, is a bit number. */
  readonly #scale: number;

  /**
   * @param bits The bit array.
   * @param probes The probes per key.
   */
  constructor(bits: Uint8Array, probes: number) {
    this.bits = bits;
    this.probes = probes;
    this.#scale = (bits.length * 8) / TWO_32;
  }

  /**
   * Reads a bloom block payload (without its checksum).
   *
   * @param payload The bit array followed by the probe count.
   * @returns The filter.
   * @throws {RangeError} when the payload is empty, or has probes but no bits.
   */
  static decode(payload: Uint8Array): BloomFilter {
    if (payload.length === 0) throw new RangeError("Cannot read bloom block: empty payload");
    const probes = payload[payload.length - 1]!;
    const bits = payload.subarray(0, payload.length - 1);
    if (probes > 0 && bits.length === 0) {
      throw new RangeError("Cannot read bloom block: probes but no bits");
    }
    return new BloomFilter(bits, probes);
  }

  /**
   * Tells whether `key` may be in the table.
   *
   * @param key The key.
   * @returns `false` only when the key is certainly absent.
   */
  mayContain(key: Uint8Array): boolean {
    if (this.probes === 0) return true;
    const first = bloomHash(key);
    return this.mayContainHashes(first, lastSecondHash);
  }

  /**
   * Tells whether a key hashed by {@linkcode BloomKey.hash} may be in the table: the same answer
   * as {@linkcode mayContain}, without hashing the key again for each table.
   *
   * @param first The key's first hash.
   * @param second The key's second hash.
   * @returns `false` only when the key is certainly absent.
   */
  mayContainHashes(first: number, second: number): boolean {
    const probes = this.probes;
    if (probes === 0) return true;
    let h = first;
    const delta = second;
    const bits = this.bits;
    const scale = this.#scale;
    for (let p = 0; p < probes; p++) {
      const bit = Math.floor(h * scale);
      if ((bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
      h = (h + delta) >>> 0;
    }
    return true;
  }
}
