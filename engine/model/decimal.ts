/**
 * Exact DynamoDB numbers. An `N` value is decimal text; kstone keeps it in one canonical form
 * and never passes it through a float.
 *
 * Rules (DynamoDB's): at most 38 significant digits; a non-zero magnitude between `1E-130` and
 * `9.9999999999999999999999999999999999999E+125`. Accepted input is Java `BigDecimal` syntax:
 * an optional sign, digits with an optional `.` (`"5."`, `".5"`, `"0001.23"`), an optional
 * exponent (`"1e3"`, `"-17.4E+37"`). No spaces, `NaN`, `Infinity`, hex or `_`.
 *
 * Canonical form: plain decimal without exponent, no `+`, no leading zeros (a single `0`
 * before the point when the magnitude is below 1), no trailing fraction zeros, no trailing
 * point, and `0` for every zero (`"-0"`, `"0.000"`, `"0e1000"`).
 *
 * @module
 */
import { layout, NOT_NUMERIC, numberError, parse } from "./_decimal_parse.ts";

/**
 * Validates DynamoDB number text and returns its canonical form.
 *
 * @param text Number text as a client sends it, e.g. `"+1.50e2"`.
 * @returns The canonical text, e.g. `"150"`.
 * @throws {KstoneError} `VALIDATION` when the text is not a number ("The parameter cannot be
 * converted to a numeric value: abc"), has more than 38 significant digits, or lies outside
 * DynamoDB's range ("Number overflow…", "Number underflow…"); the message ends with the value.
 *
 * @example Canonical forms
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalNumber } from "./decimal.ts";
 * assert.equal(canonicalNumber("-0.50"), "-0.5");
 * assert.equal(canonicalNumber("1e3"), "1000");
 * assert.equal(canonicalNumber(".5"), "0.5");
 * assert.equal(canonicalNumber("-0"), "0");
 * assert.throws(() => canonicalNumber("abc"), /cannot be converted to a numeric value: abc/);
 * ```
 */
export function canonicalNumber(text: string): string {
  const result = parse(text);
  if (typeof result === "string") return result;
  throw numberError(result, text);
}

/**
 * Tells whether text is already a canonical DynamoDB number (as the engine stores it).
 *
 * @param text The text to test.
 * @returns `true` when {@linkcode canonicalNumber} would return `text` unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isCanonicalNumber } from "./decimal.ts";
 * assert.ok(isCanonicalNumber("12.5"));
 * assert.ok(!isCanonicalNumber("12.50"));
 * ```
 */
export function isCanonicalNumber(text: string): boolean {
  return parse(text) === text;
}

function compareMagnitudes(a: string, aStart: number, b: string, bStart: number): number {
  const aSmall = a.charCodeAt(aStart) === 48;
  const bSmall = b.charCodeAt(bStart) === 48;
  if (aSmall !== bSmall) return aSmall ? -1 : 1;
  if (!aSmall) {
    let aInt = a.indexOf(".", aStart);
    if (aInt < 0) aInt = a.length;
    let bInt = b.indexOf(".", bStart);
    if (bInt < 0) bInt = b.length;
    const d = (aInt - aStart) - (bInt - bStart);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  // Same number of integer digits (or both below 1): the points line up, so text order is
  // numeric order, a proper prefix being the smaller.
  const n = Math.min(a.length - aStart, b.length - bStart);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(aStart + i) - b.charCodeAt(bStart + i);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  const d = (a.length - aStart) - (b.length - bStart);
  return d === 0 ? 0 : d < 0 ? -1 : 1;
}

/**
 * Compares two canonical numbers numerically.
 *
 * @param a Canonical number text.
 * @param b Canonical number text.
 * @returns `-1`, `0` or `1` as `a` is less than, equal to or greater than `b`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareNumbers } from "./decimal.ts";
 * assert.equal(compareNumbers("9", "10"), -1);
 * assert.equal(compareNumbers("-0.5", "-0.25"), -1);
 * assert.equal(compareNumbers("3.14", "3.14"), 0);
 * ```
 */
export function compareNumbers(a: string, b: string): number {
  const aNegative = a.charCodeAt(0) === 45;
  const bNegative = b.charCodeAt(0) === 45;
  if (aNegative !== bNegative) return aNegative ? -1 : 1;
  if (aNegative) return compareMagnitudes(b, 1, a, 1);
  return compareMagnitudes(a, 0, b, 0);
}

/** Splits canonical text into an integer coefficient and a count of fraction digits. */
function scaled(canonical: string): [bigint, number] {
  const point = canonical.indexOf(".");
  if (point < 0) return [BigInt(canonical), 0];
  const coefficient = BigInt(canonical.slice(0, point) + canonical.slice(point + 1));
  return [coefficient, canonical.length - point - 1];
}

function isSmallInteger(text: string): boolean {
  return text.length <= 15 && text.indexOf(".") < 0;
}

function sum(a: string, b: string, negateB: boolean): string {
  if (isSmallInteger(a) && isSmallInteger(b)) {
    // Both below 1e15 in magnitude: double arithmetic is exact.
    const result = negateB ? Number(a) - Number(b) : Number(a) + Number(b);
    return String(result === 0 ? 0 : result);
  }
  const [ca, sa] = scaled(a);
  let [cb, sb] = scaled(b);
  if (negateB) cb = -cb;
  const scale = sa > sb ? sa : sb;
  const total = ca * 10n ** BigInt(scale - sa) + cb * 10n ** BigInt(scale - sb);
  const negative = total < 0n;
  let digits = (negative ? -total : total).toString();
  if (scale > 0) {
    if (digits.length <= scale) digits = "0".repeat(scale - digits.length + 1) + digits;
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  const text = (negative ? "-" : "") + digits;
  const result = parse(text);
  if (typeof result === "string") return result;
  throw numberError(result, text);
}

/**
 * Adds two canonical numbers exactly.
 *
 * @param a Canonical number text.
 * @param b Canonical number text.
 * @returns The canonical sum.
 * @throws {KstoneError} `VALIDATION` when the exact sum needs more than 38 significant digits
 * or leaves DynamoDB's range (DynamoDB fails such an update rather than rounding).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addNumbers } from "./decimal.ts";
 * assert.equal(addNumbers("0.1", "0.2"), "0.3");
 * assert.equal(addNumbers("10000000000000000000000", "1"), "10000000000000000000001");
 * assert.throws(() => addNumbers(`1${"0".repeat(50)}`, "1"), /38 significant digits/);
 * ```
 */
export function addNumbers(a: string, b: string): string {
  return sum(a, b, false);
}

/**
 * Subtracts `b` from `a` exactly.
 *
 * @param a Canonical number text.
 * @param b Canonical number text.
 * @returns The canonical difference.
 * @throws {KstoneError} `VALIDATION` when the exact result needs more than 38 significant
 * digits or leaves DynamoDB's range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { subtractNumbers } from "./decimal.ts";
 * assert.equal(subtractNumbers("1", "1.5"), "-0.5");
 * assert.equal(subtractNumbers("2", "2"), "0");
 * ```
 */
export function subtractNumbers(a: string, b: string): string {
  return sum(a, b, true);
}

/**
 * A number as sign, significant digits and exponent; see {@linkcode decomposeNumber}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DecomposedNumber, decomposeNumber } from "./decimal.ts";
 * const parts: DecomposedNumber = decomposeNumber("0");
 * assert.equal(parts.digits, "");
 * ```
 */
export interface DecomposedNumber {
  /** `true` for values below zero. */
  readonly negative: boolean;
  /** The significant digits, without leading or trailing zeros; `""` for zero. */
  readonly digits: string;
  /** The value is `0.digits × 10^exponent`; from -129 to 126, and 0 for zero. */
  readonly exponent: number;
}

/**
 * Splits a canonical number into sign, digits and exponent so that the value is
 * `(negative ? -1 : 1) × 0.digits × 10^exponent` with a non-zero first digit. Zero is
 * `{ negative: false, digits: "", exponent: 0 }`.
 *
 * @param canonical Canonical number text.
 * @returns The parts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decomposeNumber } from "./decimal.ts";
 * assert.deepEqual(decomposeNumber("-12.5"), { negative: true, digits: "125", exponent: 2 });
 * assert.deepEqual(decomposeNumber("0.05"), { negative: false, digits: "5", exponent: -1 });
 * assert.deepEqual(decomposeNumber("1200"), { negative: false, digits: "12", exponent: 4 });
 * ```
 */
export function decomposeNumber(canonical: string): DecomposedNumber {
  const negative = canonical.charCodeAt(0) === 45;
  const start = negative ? 1 : 0;
  if (canonical.charCodeAt(start) === 48) {
    if (canonical.length === start + 1) return { negative: false, digits: "", exponent: 0 };
    let f = start + 2;
    while (canonical.charCodeAt(f) === 48) f++;
    return { negative, digits: canonical.slice(f), exponent: start + 2 - f };
  }
  const point = canonical.indexOf(".");
  if (point >= 0) {
    return {
      negative,
      digits: canonical.slice(start, point) + canonical.slice(point + 1),
      exponent: point - start,
    };
  }
  let l = canonical.length - 1;
  while (canonical.charCodeAt(l) === 48) l--;
  return { negative, digits: canonical.slice(start, l + 1), exponent: canonical.length - start };
}

/**
 * Joins sign, digits and exponent back into canonical text: the inverse of
 * {@linkcode decomposeNumber}. The parts must come from a valid number (non-zero first and last
 * digit, at most 38 digits, exponent from -129 to 126); an empty `digits` gives `"0"`.
 *
 * @param parts The parts.
 * @returns The canonical text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { composeNumber } from "./decimal.ts";
 * assert.equal(composeNumber({ negative: true, digits: "125", exponent: 2 }), "-12.5");
 * assert.equal(composeNumber({ negative: false, digits: "5", exponent: -1 }), "0.05");
 * ```
 */
export function composeNumber(parts: DecomposedNumber): string {
  if (parts.digits === "") return "0";
  return (parts.negative ? "-" : "") + layout(parts.digits, parts.exponent - 1);
}

/**
 * Converts a JS number or bigint to canonical number text, exactly: a number becomes the
 * shortest text that reads back as the same double (`0.1` gives `"0.1"`), with any exponent
 * notation expanded (`1e21` gives `"1000000000000000000000"`).
 *
 * @param value A finite number or a bigint.
 * @returns The canonical text.
 * @throws {KstoneError} `VALIDATION` for `NaN` and infinities, and for values outside
 * DynamoDB's range or precision (e.g. `5e-324`, a 39-digit bigint).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numberFromJs } from "./decimal.ts";
 * assert.equal(numberFromJs(0.1), "0.1");
 * assert.equal(numberFromJs(-0), "0");
 * assert.equal(numberFromJs(1.5e-7), "0.00000015");
 * assert.equal(numberFromJs(12345678901234567890n), "12345678901234567890");
 * assert.throws(() => numberFromJs(NaN), /numeric value: NaN/);
 * ```
 */
export function numberFromJs(value: number | bigint): string {
  if (typeof value === "number") {
    if (Number.isInteger(value) && value <= 999999999999999 && value >= -999999999999999) {
      return String(value === 0 ? 0 : value);
    }
    if (!Number.isFinite(value)) throw numberError(NOT_NUMERIC, String(value));
    const text = String(value);
    // From 1e-7 to 1e21 in magnitude, JS writes the shortest decimal that reads back as the
    // same double, without an exponent: at most 17 significant digits, canonical already.
    if (text.indexOf("e") < 0) return text;
    return canonicalNumber(text);
  }
  return canonicalNumber(String(value));
}

/**
 * Converts canonical number text to a JS number when that loses nothing.
 *
 * @param canonical Canonical number text.
 * @returns The number, or `undefined` when the nearest double would not give back the same
 * canonical text (too many digits, e.g. `"12345678901234567890"` or `"0.1000000000000000001"`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numberToJs } from "./decimal.ts";
 * assert.equal(numberToJs("0.1"), 0.1);
 * assert.equal(numberToJs("9007199254740993"), undefined);
 * ```
 */
export function numberToJs(canonical: string): number | undefined {
  const value = Number(canonical);
  // Up to 15 significant digits always survive decimal -> double -> shortest decimal.
  if (canonical.length <= 15) return value;
  if (
    canonical.length === 16 && (canonical.charCodeAt(0) === 45 || canonical.indexOf(".") >= 0)
  ) {
    return value;
  }
  return parse(String(value)) === canonical ? value : undefined;
}
