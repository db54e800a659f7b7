/**
 * The number parser behind `decimal.ts`: DynamoDB number text to canonical text or an error
 * code, without throwing, plus DynamoDB's error messages. Private to `engine/model`.
 *
 * @module
 */
import { validation } from "../errors.ts";
import type { KstoneError } from "../errors.ts";
import {
  MAX_NUMBER_EXPONENT as MAX_EXPONENT,
  MAX_NUMBER_PRECISION as PRECISION,
  MIN_NUMBER_EXPONENT as MIN_EXPONENT,
} from "../limits.ts";

/**
 * The error code of text that is not a number. {@linkcode parse} returns a string (the
 * canonical text) or one of the codes 0 (not numeric), 1 (overflow), 2 (underflow), 3 (more
 * than 38 digits).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NOT_NUMERIC, parse } from "./_decimal_parse.ts";
 * assert.equal(parse("x"), NOT_NUMERIC);
 * ```
 */
export const NOT_NUMERIC = 0;
const OVERFLOW = 1;
const UNDERFLOW = 2;
const TOO_PRECISE = 3;

const FAST_CANONICAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$/;

/** Shortens a value quoted in an error message. */
function quote(text: string): string {
  return text.length <= 64 ? text : `${text.slice(0, 61)}...`;
}

/** DynamoDB's messages, indexed by error code; the value is appended after ": ". */
const MESSAGES = [
  "The parameter cannot be converted to a numeric value",
  "Number overflow. Attempting to store a number with magnitude larger than supported range",
  "Number underflow. Attempting to store a number with magnitude smaller than supported range",
  "Attempting to store more than 38 significant digits in a Number",
];

/**
 * Builds DynamoDB's validation error for a {@linkcode parse} error code, naming the value.
 *
 * @param code The error code.
 * @param text The offending text (shortened past 64 characters).
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numberError } from "./_decimal_parse.ts";
 * assert.equal(numberError(1, "1e126").message.startsWith("Number overflow."), true);
 * ```
 */
export function numberError(code: number, text: string): KstoneError {
  return validation(`${MESSAGES[code]}: ${quote(text)}`);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Parses number text into its canonical form, or an error code. Never throws.
 *
 * @param text Number text in DynamoDB's (Java BigDecimal) syntax.
 * @returns The canonical text, or an error code (see {@linkcode NOT_NUMERIC}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parse } from "./_decimal_parse.ts";
 * assert.equal(parse("+1.50e1"), "15");
 * assert.equal(parse("1e126"), 1);
 * ```
 */
export function parse(text: string): string | number {
  const length = text.length;
  if (length <= PRECISION && FAST_CANONICAL.test(text) && text !== "-0") return text;
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45) {
    negative = true;
    i++;
  } else if (first === 43) {
    i++;
  }
  const intStart = i;
  while (i < length && isDigit(text.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (i < length && text.charCodeAt(i) === 46) {
    i++;
    fracStart = i;
    while (i < length && isDigit(text.charCodeAt(i))) i++;
    fracEnd = i;
  }
  if (intEnd === intStart && fracEnd === fracStart) return NOT_NUMERIC;
  let exponent = 0;
  if (i < length && (text.charCodeAt(i) | 0x20) === 101) {
    i++;
    let expNegative = false;
    const sign = text.charCodeAt(i);
    if (sign === 45 || sign === 43) {
      expNegative = sign === 45;
      i++;
    }
    const expStart = i;
    while (i < length && isDigit(text.charCodeAt(i))) {
      // Saturate: anything past a billion is out of range whatever the mantissa.
      if (exponent < 1e9) exponent = exponent * 10 + (text.charCodeAt(i) - 48);
      i++;
    }
    if (i === expStart) return NOT_NUMERIC;
    if (expNegative) exponent = -exponent;
  }
  if (i !== length) return NOT_NUMERIC;

  const all = text.slice(intStart, intEnd) + text.slice(fracStart, fracEnd);
  let f = 0;
  while (f < all.length && all.charCodeAt(f) === 48) f++;
  if (f === all.length) return "0";
  let l = all.length - 1;
  while (all.charCodeAt(l) === 48) l--;
  const digits = all.slice(f, l + 1);
  const lead = intEnd - intStart + exponent - f - 1;
  if (lead > MAX_EXPONENT) return OVERFLOW;
  if (lead < MIN_EXPONENT) return UNDERFLOW;
  if (digits.length > PRECISION) return TOO_PRECISE;
  return (negative ? "-" : "") + layout(digits, lead);
}

/**
 * Writes digits `d1d2…dn` with the leading digit at 10^lead as plain decimal text.
 *
 * @param digits Significant digits, first and last non-zero.
 * @param lead The decimal exponent of the first digit.
 * @returns The text, without sign.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { layout } from "./_decimal_parse.ts";
 * assert.equal(layout("125", 1), "12.5");
 * assert.equal(layout("5", -2), "0.05");
 * ```
 */
export function layout(digits: string, lead: number): string {
  const n = digits.length;
  if (lead >= n - 1) return digits + "0".repeat(lead - n + 1);
  if (lead >= 0) return `${digits.slice(0, lead + 1)}.${digits.slice(lead + 1)}`;
  return `0.${"0".repeat(-lead - 1)}${digits}`;
}
