/**
 * The internal value model: DynamoDB's AttributeValue, as plain data. The engine, the
 * expression evaluator and the server all speak it; the public JS API converts plain values to
 * and from it (`marshall.ts`).
 *
 * Invariants the engine keeps: `N` strings are canonical decimal text (see `decimal.ts`);
 * sets are non-empty and hold no duplicates; `NULL` is always `true`.
 *
 * @module
 */

/** One typed value, exactly as DynamoDB's wire format spells it. */
export type AttributeValue =
  | { readonly S: string }
  | { readonly N: string }
  | { readonly B: Uint8Array }
  | { readonly BOOL: boolean }
  | { readonly NULL: true }
  | { readonly L: readonly AttributeValue[] }
  | { readonly M: AttributeMap }
  | { readonly SS: readonly string[] }
  | { readonly NS: readonly string[] }
  | { readonly BS: readonly Uint8Array[] };

/** An item, or the value of an `M`: attribute name to value. */
export type AttributeMap = { readonly [name: string]: AttributeValue };

/** The type tags of {@linkcode AttributeValue}. */
export type AttributeType = "S" | "N" | "B" | "BOOL" | "NULL" | "L" | "M" | "SS" | "NS" | "BS";

/** The types a key attribute may have. */
export type KeyType = "S" | "N" | "B";

/**
 * Tells which type tag a value carries.
 *
 * @param value The value.
 * @returns Its tag, e.g. `"S"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { typeOf } from "./attribute_value.ts";
 * assert.equal(typeOf({ N: "1" }), "N");
 * ```
 */
export function typeOf(value: AttributeValue): AttributeType {
  for (const key in value) return key as AttributeType;
  throw new TypeError("Cannot read the type of an empty attribute value");
}
