/**
 * {@linkcode NumberValue}: an exact DynamoDB number for values a JS number cannot hold.
 *
 * @module
 */
import { canonicalNumber, numberFromJs, numberToJs } from "./decimal.ts";

/**
 * An exact DynamoDB `N` value kept as canonical decimal text, for numbers a JS number would
 * round (`12345678901234567890`, `0.1000000000000000001`). `unmarshall` returns one whenever
 * the stored text does not survive a trip through a double; `marshall` accepts one anywhere a
 * number is accepted. It does no arithmetic: hand `.value` to your decimal library.
 *
 * @example Keep every digit
 * ```ts
 * import assert from "node:assert/strict";
 * import { NumberValue } from "./number_value.ts";
 * const n = new NumberValue("12345678901234567890.123");
 * assert.equal(n.value, "12345678901234567890.123");
 * assert.equal(`${n}`, "12345678901234567890.123");
 * assert.equal(JSON.stringify({ n }), '{"n":"12345678901234567890.123"}');
 * assert.equal(new NumberValue("1.50e1").value, "15");
 * ```
 */
export class NumberValue {
  /** The canonical decimal text (see `decimal.ts`). */
  readonly value: string;

  /**
   * @param value Number text in any form DynamoDB accepts, or a JS number or bigint.
   * @throws {KstoneError} `VALIDATION` when the value is not a DynamoDB number.
   */
  constructor(value: string | number | bigint) {
    this.value = typeof value === "string" ? canonicalNumber(value) : numberFromJs(value);
  }

  /**
   * Wraps a value unless it already is a {@linkcode NumberValue}.
   *
   * @param value Number text, a JS number or bigint, or a NumberValue.
   * @returns A NumberValue holding that number.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { NumberValue } from "./number_value.ts";
   * assert.equal(NumberValue.from(10n).value, "10");
   * ```
   */
  static from(value: string | number | bigint | NumberValue): NumberValue {
    return value instanceof NumberValue ? value : new NumberValue(value);
  }

  /**
   * @returns The canonical text.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { NumberValue } from "./number_value.ts";
   * assert.equal(new NumberValue("-0.50").toString(), "-0.5");
   * ```
   */
  toString(): string {
    return this.value;
  }

  /**
   * @returns The nearest JS number, which may have lost digits.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { NumberValue } from "./number_value.ts";
   * assert.equal(+new NumberValue("9007199254740993"), 9007199254740992);
   * ```
   */
  valueOf(): number {
    return Number(this.value);
  }

  /**
   * @returns The canonical text, so `JSON.stringify` keeps every digit.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { NumberValue } from "./number_value.ts";
   * assert.equal(new NumberValue("1e3").toJSON(), "1000");
   * ```
   */
  toJSON(): string {
    return this.value;
  }

  /**
   * @returns The value as a bigint.
   * @throws {RangeError} When the value has a fraction.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { NumberValue } from "./number_value.ts";
   * assert.equal(new NumberValue("1e20").toBigInt(), 100000000000000000000n);
   * ```
   */
  toBigInt(): bigint {
    if (this.value.indexOf(".") >= 0) {
      throw new RangeError(`Cannot convert ${this.value} to a bigint: it has a fraction`);
    }
    return BigInt(this.value);
  }
}

/**
 * The JS value `unmarshall` gives for an `N`: a number when the number gives back the same
 * canonical text, otherwise a {@linkcode NumberValue}.
 *
 * @param canonical Canonical number text.
 * @returns The number or NumberValue.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NumberValue, plainNumber } from "./number_value.ts";
 * assert.equal(plainNumber("-1.5"), -1.5);
 * assert.deepEqual(plainNumber("12345678901234567890"), new NumberValue("12345678901234567890"));
 * ```
 */
export function plainNumber(canonical: string): number | NumberValue {
  const n = numberToJs(canonical);
  return n === undefined ? new NumberValue(canonical) : n;
}
