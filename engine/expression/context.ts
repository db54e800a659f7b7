/**
 * The placeholders of one request: `ExpressionAttributeNames` and `ExpressionAttributeValues`,
 * shared by every expression of the request (condition, update, filter, projection, key
 * condition), with a record of which ones the expressions used.
 *
 * @module
 */
import type { AttributeMap, AttributeValue } from "../model/attribute_value.ts";
import { canonicalNumber } from "../model/decimal.ts";
import { ExpressionError } from "./expression_error.ts";

const PLACEHOLDER_BODY = /^[A-Za-z0-9_]+$/;

function checkKeys(parameter: string, keys: readonly string[], prefix: string): void {
  if (keys.length === 0) throw new ExpressionError(`${parameter} must not be empty`);
  for (const key of keys) {
    if (!key.startsWith(prefix) || !PLACEHOLDER_BODY.test(key.slice(1))) {
      throw new ExpressionError(`${parameter} contains invalid key: Syntax error; key: "${key}"`);
    }
  }
}

/** Rewrites every N and NS inside a value in canonical form (the engine compares canonical text). */
function canonicalValue(value: AttributeValue): AttributeValue {
  if ("N" in value) return { N: canonicalNumber(value.N) };
  if ("NS" in value) return { NS: value.NS.map(canonicalNumber) };
  if ("L" in value) return { L: value.L.map(canonicalValue) };
  if ("M" in value) {
    const map: Record<string, AttributeValue> = {};
    for (const [key, item] of Object.entries(value.M)) map[key] = canonicalValue(item);
    return { M: map as AttributeMap };
  }
  return value;
}

function unused(parameter: string, all: Iterable<string>, used: ReadonlySet<string>): void {
  const keys = [...all].filter((key) => !used.has(key));
  if (keys.length > 0) {
    throw new ExpressionError(
      `Value provided in ${parameter} unused in expressions: keys: {${keys.join(", ")}}`,
    );
  }
}

/**
 * The expression attribute names and values of one request.
 *
 * Parsing an expression looks placeholders up here and marks them used; after the request's
 * expressions are parsed, {@linkcode ExpressionContext.assertAllUsed} rejects leftovers as
 * DynamoDB does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExpressionContext } from "./context.ts";
 * const ctx = new ExpressionContext({ "#s": "status" }, { ":v": { S: "on" }, ":x": { N: "1" } });
 * assert.equal(ctx.name("#s"), "status");
 * assert.deepEqual(ctx.value(":v"), { S: "on" });
 * ctx.noteExpression();
 * assert.throws(
 *   () => ctx.assertAllUsed(),
 *   { message: "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}" },
 * );
 * ```
 */
export class ExpressionContext {
  readonly #names: ReadonlyMap<string, string>;
  readonly #values: ReadonlyMap<string, AttributeValue>;
  readonly #usedNames = new Set<string>();
  readonly #usedValues = new Set<string>();
  #expressions = 0;

  /**
   * @param names `ExpressionAttributeNames`: `#placeholder` to attribute name.
   * @param values `ExpressionAttributeValues`: `:placeholder` to value; numbers are put in
   * canonical form.
   * @throws {ExpressionError} `VALIDATION` when a map is given empty, a key is not `#word` /
   * `:word`, or a number is not a valid DynamoDB number.
   */
  constructor(
    names?: Readonly<Record<string, string>>,
    values?: Readonly<Record<string, AttributeValue>>,
  ) {
    if (names !== undefined) checkKeys("ExpressionAttributeNames", Object.keys(names), "#");
    if (values !== undefined) checkKeys("ExpressionAttributeValues", Object.keys(values), ":");
    this.#names = new Map(Object.entries(names ?? {}));
    const resolved = new Map<string, AttributeValue>();
    for (const [key, value] of Object.entries(values ?? {})) {
      resolved.set(key, canonicalValue(value));
    }
    this.#values = resolved;
  }

  /**
   * Looks up an expression attribute name and marks it used.
   *
   * @param token The placeholder, e.g. `#s`.
   * @returns The attribute name, or `undefined` when the request does not define it.
   */
  name(token: string): string | undefined {
    const name = this.#names.get(token);
    if (name !== undefined) this.#usedNames.add(token);
    return name;
  }

  /**
   * Looks up an expression attribute value and marks it used.
   *
   * @param token The placeholder, e.g. `:v`.
   * @returns The value, or `undefined` when the request does not define it.
   */
  value(token: string): AttributeValue | undefined {
    const value = this.#values.get(token);
    if (value !== undefined) this.#usedValues.add(token);
    return value;
  }

  /** Records that the request has one more expression (the parsers call this). */
  noteExpression(): void {
    this.#expressions++;
  }

  /**
   * Rejects placeholders no expression of the request used, and placeholders given with no
   * expression at all. Call it once, after parsing all of the request's expressions.
   *
   * @throws {ExpressionError} `VALIDATION`, e.g. `Value provided in ExpressionAttributeNames
   * unused in expressions: keys: {#a, #b}`.
   */
  assertAllUsed(): void {
    if (this.#expressions === 0) {
      for (const [parameter, map] of [["Names", this.#names], ["Values", this.#values]] as const) {
        if (map.size > 0) {
          throw new ExpressionError(
            `ExpressionAttribute${parameter} can only be specified when using expressions`,
          );
        }
      }
    }
    unused("ExpressionAttributeNames", this.#names.keys(), this.#usedNames);
    unused("ExpressionAttributeValues", this.#values.keys(), this.#usedValues);
  }
}
