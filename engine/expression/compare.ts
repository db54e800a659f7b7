/**
 * How expressions compare values, following DynamoDB: numbers numerically (exact, through
 * `decimal.ts`), strings by their UTF-8 bytes, binary by bytes; sets as sets; lists and maps
 * element by element. Values of different types are never equal and never ordered.
 *
 * @module
 */
import type { AttributeValue } from "../model/attribute_value.ts";
import { compareBytes, startsWith } from "../codec/bytes.ts";
import { compareNumbers } from "../model/decimal.ts";

/**
 * Compares strings in UTF-8 byte order (which is code point order, not UTF-16 order).
 *
 * @param a A string.
 * @param b A string.
 * @returns A negative number, zero or a positive number as `a` sorts before, with or after `b`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareUtf8 } from "./compare.ts";
 * assert.ok(compareUtf8("a", "b") < 0);
 * // U+FF5E is below U+1F600 in UTF-8, though its UTF-16 unit is above the surrogate.
 * assert.ok(compareUtf8("\uff5e", "\u{1f600}") < 0);
 * ```
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800-DFFF) encode code points above FFFF: move them above E000-FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

function sameSet<T>(a: readonly T[], b: readonly T[], equal: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  return a.every((x) => b.some((y) => equal(x, y)));
}

const numbersEqual = (x: string, y: string) => compareNumbers(x, y) === 0;
const bytesEqual = (x: Uint8Array, y: Uint8Array) => compareBytes(x, y) === 0;

/**
 * Tells whether two values are equal as DynamoDB's `=` sees them.
 *
 * @param a A value.
 * @param b A value.
 * @returns `true` when both have the same type and contents; sets compare without order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { valuesEqual } from "./compare.ts";
 * assert.ok(valuesEqual({ SS: ["a", "b"] }, { SS: ["b", "a"] }));
 * assert.ok(!valuesEqual({ N: "1" }, { S: "1" }));
 * ```
 */
export function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  if ("S" in a) return "S" in b && a.S === b.S;
  if ("N" in a) return "N" in b && numbersEqual(a.N, b.N);
  if ("B" in a) return "B" in b && bytesEqual(a.B, b.B);
  if ("BOOL" in a) return "BOOL" in b && a.BOOL === b.BOOL;
  if ("NULL" in a) return "NULL" in b;
  if ("SS" in a) return "SS" in b && sameSet(a.SS, b.SS, (x, y) => x === y);
  if ("NS" in a) return "NS" in b && sameSet(a.NS, b.NS, numbersEqual);
  if ("BS" in a) return "BS" in b && sameSet(a.BS, b.BS, bytesEqual);
  if ("L" in a) {
    if (!("L" in b) || a.L.length !== b.L.length) return false;
    return a.L.every((x, i) => valuesEqual(x, b.L[i] as AttributeValue));
  }
  if (!("M" in b)) return false;
  const keys = Object.keys(a.M);
  if (keys.length !== Object.keys(b.M).length) return false;
  return keys.every((key) => {
    const other = b.M[key];
    return other !== undefined && valuesEqual(a.M[key] as AttributeValue, other);
  });
}

/**
 * Orders two scalar values of the same type (S, N or B), as `<`, `<=`, `>`, `>=` and
 * `BETWEEN` do.
 *
 * @param a A value.
 * @param b A value.
 * @returns The order as a signed number, or `undefined` when the values cannot be ordered
 * (different types, or not S, N or B), which makes the comparison false.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { orderValues } from "./compare.ts";
 * assert.ok((orderValues({ N: "9" }, { N: "10" }) as number) < 0);
 * assert.equal(orderValues({ N: "9" }, { S: "10" }), undefined);
 * ```
 */
export function orderValues(a: AttributeValue, b: AttributeValue): number | undefined {
  if ("N" in a) return "N" in b ? compareNumbers(a.N, b.N) : undefined;
  if ("S" in a) return "S" in b ? compareUtf8(a.S, b.S) : undefined;
  if ("B" in a) return "B" in b ? compareBytes(a.B, b.B) : undefined;
  return undefined;
}

/**
 * Counts the UTF-8 bytes of a string.
 *
 * @param text A string.
 * @returns Its UTF-8 length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { utf8Length } from "./compare.ts";
 * assert.equal(utf8Length("h\u00e9\u{1f600}"), 7);
 * ```
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

/**
 * `begins_with`: a string starts with a string, or binary with binary.
 *
 * @param value The value tested.
 * @param prefix The prefix.
 * @returns `true` for a match of the same type; `false` otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { beginsWith } from "./compare.ts";
 * assert.ok(beginsWith({ S: "user#1" }, { S: "user#" }));
 * assert.ok(!beginsWith({ S: "user#1" }, { B: new Uint8Array() }));
 * ```
 */
export function beginsWith(value: AttributeValue, prefix: AttributeValue): boolean {
  if ("S" in value) return "S" in prefix && value.S.startsWith(prefix.S);
  return "B" in value && "B" in prefix && startsWith(value.B, prefix.B);
}

/**
 * `contains`: a substring of a string, a byte run of binary, an element of a set of the
 * matching type, or an element of a list.
 *
 * @param value The value searched.
 * @param element What to find.
 * @returns `true` when found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contains } from "./compare.ts";
 * assert.ok(contains({ S: "hello" }, { S: "ell" }));
 * assert.ok(contains({ NS: ["1", "2"] }, { N: "2" }));
 * assert.ok(contains({ L: [{ M: {} }] }, { M: {} }));
 * assert.ok(!contains({ SS: ["1"] }, { N: "1" }));
 * ```
 */
export function contains(value: AttributeValue, element: AttributeValue): boolean {
  if ("S" in value) return "S" in element && value.S.includes(element.S);
  if ("B" in value) return "B" in element && indexOfBytes(value.B, element.B) >= 0;
  if ("SS" in value) return "S" in element && value.SS.includes(element.S);
  if ("NS" in value) return "N" in element && value.NS.some((n) => numbersEqual(n, element.N));
  if ("BS" in value) return "B" in element && value.BS.some((b) => bytesEqual(b, element.B));
  if ("L" in value) return value.L.some((item) => valuesEqual(item, element));
  return false;
}

/**
 * `size`: the UTF-8 length of a string, the length of binary, the number of elements of a
 * set or list, the number of entries of a map.
 *
 * @param value A value.
 * @returns The size, or `undefined` for numbers, booleans and nulls (which have none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sizeOf } from "./compare.ts";
 * assert.equal(sizeOf({ S: "abc" }), 3);
 * assert.equal(sizeOf({ M: { a: { NULL: true } } }), 1);
 * assert.equal(sizeOf({ N: "12" }), undefined);
 * ```
 */
export function sizeOf(value: AttributeValue): number | undefined {
  if ("S" in value) return utf8Length(value.S);
  if ("B" in value) return value.B.length;
  if ("SS" in value) return value.SS.length;
  if ("NS" in value) return value.NS.length;
  if ("BS" in value) return value.BS.length;
  if ("L" in value) return value.L.length;
  if ("M" in value) return Object.keys(value.M).length;
  return undefined;
}
