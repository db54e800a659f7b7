/**
 * Shared helpers of the SST tests: a seeded generator (seed printed, `KSTONE_SEED` replays),
 * entry factories and hex formatting.
 *
 * @module
 */
import process from "node:process";
import type { SstEntry } from "../../../engine/sstable/entry.ts";

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Lowercase hex of `bytes`, no separators. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bytes from hex, ignoring whitespace. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** A small seeded generator (mulberry32) for reproducible random tests. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** `length` random bytes. */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }
}

/** The seed of a randomized test: `KSTONE_SEED` when set, else a fresh one; printed either way. */
export function testSeed(name: string): number {
  const fromEnv = process.env.KSTONE_SEED;
  const seed = fromEnv === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(fromEnv);
  console.log(`${name}: KSTONE_SEED=${seed}`);
  return seed;
}

/** Compares byte strings (a copy of compareBytes, to keep tests independent of the engine). */
function compare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * `count` entries with distinct random keys (1..maxKey bytes) in ascending order, random seqs,
 * about one in five a tombstone and one in ten an empty value.
 */
export function randomEntries(rng: Rng, count: number, maxKey = 24, maxValue = 300): SstEntry[] {
  const byKey = new Map<string, Uint8Array>();
  while (byKey.size < count) {
    const key = rng.bytes(1 + rng.int(maxKey));
    byKey.set(hex(key), key);
  }
  const keys = [...byKey.values()].sort(compare);
  return keys.map((key) => {
    const roll = rng.int(10);
    const value = roll < 2 ? null : roll === 2 ? new Uint8Array(0) : rng.bytes(rng.int(maxValue));
    return { key, seq: 1 + rng.int(2 ** 40), value };
  });
}

/** `count` entries shaped like kstone items: ~30-byte keys, `valueSize`-byte values. */
export function itemEntries(count: number, valueSize = 200): SstEntry[] {
  const value = new Uint8Array(valueSize).fill(0x7b);
  const entries: SstEntry[] = [];
  for (let i = 0; i < count; i++) {
    const key = utf8(`\u0000\u0000\u0000\u0001user#${String(i).padStart(12, "0")}item#0001`);
    entries.push({ key, seq: i + 1, value });
  }
  return entries;
}

/** A plain copy of an entry, for deepEqual against what a reader returns. */
export function plain(entry: SstEntry | undefined): SstEntry | undefined {
  if (entry === undefined) return undefined;
  return {
    key: entry.key.slice(),
    seq: entry.seq,
    value: entry.value === null ? null : entry.value.slice(),
  };
}
