/**
 * A small seeded pseudo-random generator for crash simulation and randomized tests. The same
 * seed always gives the same sequence, on every runtime, so a failing run can be replayed from
 * its printed seed. Not for cryptography.
 *
 * The generator walks a 32-bit Weyl sequence (adding the golden-ratio constant) and scrambles
 * each step with a multiply-xorshift finalizer; the period is 2^32, ample for tests.
 *
 * @module
 */

/**
 * A seeded pseudo-random number generator.
 *
 * @example Same seed, same sequence
 * ```ts
 * import assert from "node:assert/strict";
 * import { Random } from "./_random.ts";
 * const a = new Random(42);
 * const b = new Random(42);
 * assert.equal(a.next(), b.next());
 * const n = a.int(10);
 * assert.ok(Number.isInteger(n) && n >= 0 && n < 10);
 * ```
 */
export class Random {
  #state: number;

  /**
   * @param seed Any number; its low 32 bits are used.
   */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /**
   * The next 32-bit unsigned integer.
   *
   * @returns An integer in `[0, 2^32)`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Random } from "./_random.ts";
   * const value = new Random(1).uint32();
   * assert.ok(value >= 0 && value < 2 ** 32);
   * ```
   */
  uint32(): number {
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  }

  /**
   * The next float in `[0, 1)`.
   *
   * @returns A number at least 0 and below 1.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Random } from "./_random.ts";
   * const value = new Random(7).next();
   * assert.ok(value >= 0 && value < 1);
   * ```
   */
  next(): number {
    return this.uint32() / 2 ** 32;
  }

  /**
   * A uniform integer in `[0, bound)`.
   *
   * @param bound The exclusive upper bound, a positive integer up to 2^32.
   * @returns An integer at least 0 and below `bound`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Random } from "./_random.ts";
   * const random = new Random(3);
   * for (let i = 0; i < 100; i++) assert.ok(random.int(6) < 6);
   * ```
   */
  int(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > 2 ** 32) {
      throw new RangeError(`Cannot draw an integer below ${bound}: bound must be 1..2^32`);
    }
    return Math.floor(this.next() * bound);
  }

  /**
   * `true` with probability `p`.
   *
   * @param p The probability, 0..1.
   * @returns Whether the event happened.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Random } from "./_random.ts";
   * const random = new Random(5);
   * assert.equal(random.chance(0), false);
   * assert.equal(random.chance(1), true);
   * ```
   */
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/**
 * A fresh seed from the platform's crypto source, for runs that print their seed.
 *
 * @returns A 32-bit unsigned integer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { randomSeed } from "./_random.ts";
 * assert.ok(Number.isInteger(randomSeed()));
 * ```
 */
export function randomSeed(): number {
  const word = new Uint32Array(1);
  crypto.getRandomValues(word);
  return word[0] ?? 0;
}
