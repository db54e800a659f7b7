/**
 * Seeds and a seeded generator for the randomized store tests. A run's seed comes from
 * `KSTONE_SEED` when set (to replay a failure), else from the platform's random source, and is
 * printed; campaign sizes come from environment variables such as `KSTONE_CRASH_POINTS`.
 *
 * @module
 */
import process from "node:process";

/**
 * A small deterministic generator (mulberry32): the same seed gives the same sequence on every
 * runtime.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "./random.ts";
 * assert.equal(new Rng(7).int(100), new Rng(7).int(100));
 * ```
 */
export class Rng {
  #state: number;

  /** @param seed Any number; its low 32 bits are used. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** @returns A float in `[0, 1)`. */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** @returns An integer in `[0, n)`. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** @returns `true` with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** @returns One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/**
 * The base seed of a randomized test: `KSTONE_SEED` when set, else a fresh one. Printed, so a
 * failing run can be replayed.
 *
 * @param name The test, for the printed line.
 * @returns The seed, a u32.
 */
export function baseSeed(name: string): number {
  const fixed = process.env.KSTONE_SEED;
  const seed = fixed !== undefined && fixed !== ""
    ? Number(fixed) >>> 0
    : Math.floor(Math.random() * 2 ** 32) >>> 0;
  console.log(`${name}: seed ${seed} (replay with KSTONE_SEED=${seed})`);
  return seed;
}

/**
 * A positive integer from the environment.
 *
 * @param name The variable, e.g. `KSTONE_CRASH_POINTS`.
 * @param fallback The value when it is unset.
 * @returns The value.
 * @throws {RangeError} when the variable is set but not a positive integer.
 */
export function envCount(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Cannot use ${name}=${text}: must be a positive integer`);
  }
  return value;
}
