/**
 * A seeded random source for the value and codec property tests. The seed comes from
 * `KSTONE_SEED` when set, otherwise from the clock; tests print it so a failure can be replayed.
 *
 * @module
 */
import process from "node:process";

/** A small deterministic generator (mulberry32). */
export class Rng {
  #state: number;
  /** The seed this generator started from. */
  readonly seed: number;

  /** @param seed The starting seed; defaults to `KSTONE_SEED` or the clock. */
  constructor(seed: number = seedFromEnv()) {
    this.seed = seed >>> 0;
    this.#state = this.seed;
  }

  /** @returns A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** @returns An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** @returns One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** Reads `KSTONE_SEED`, or makes a seed from the clock. */
export function seedFromEnv(): number {
  const text = process.env.KSTONE_SEED;
  return text ? Number(text) >>> 0 : (Date.now() ^ (Math.random() * 0x100000000)) >>> 0;
}

/** A random canonical DynamoDB number: up to `maxDigits` digits, exponent within range. */
export function randomNumberText(rng: Rng, maxDigits = 38): string {
  const n = 1 + rng.int(maxDigits);
  let digits = String(1 + rng.int(9));
  for (let i = 1; i < n; i++) digits += String(rng.int(10));
  digits = digits.replace(/0+$/, "");
  const shape = rng.int(4);
  // Mostly modest exponents, sometimes the extremes.
  const lead = shape === 0 ? rng.int(256) - 130 : rng.int(30) - 10;
  const bounded = Math.min(125, Math.max(-130, lead));
  let text: string;
  const len = digits.length;
  if (bounded >= len - 1) text = digits + "0".repeat(bounded - len + 1);
  else if (bounded >= 0) text = `${digits.slice(0, bounded + 1)}.${digits.slice(bounded + 1)}`;
  else text = `0.${"0".repeat(-bounded - 1)}${digits}`;
  if (rng.int(8) === 0) return "0";
  return rng.int(2) === 0 ? `-${text}` : text;
}
