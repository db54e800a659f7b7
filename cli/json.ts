/**
 * How the CLI reads items from and prints items to JSON: numbers too precise for a JS number
 * print as their exact text, sets as arrays, binary as base64.
 *
 * @module
 */
import { NumberValue } from "../engine/model/number_value.ts";

/**
 * Prints a value as indented JSON.
 *
 * @param value An item, stats report or anything JSON-like.
 * @returns The JSON text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toJson } from "./json.ts";
 * assert.equal(toJson({ tags: new Set(["a"]) }), '{\n  "tags": [\n    "a"\n  ]\n}');
 * ```
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, replacer, 2);
}

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Set) return [...value];
  if (value instanceof Uint8Array) return { B: btoa(String.fromCharCode(...value)) };
  if (value instanceof NumberValue) return value.value;
  if (typeof value === "bigint") return value.toString();
  return value;
}

/**
 * Parses an item given on the command line.
 *
 * @param text JSON text of an object.
 * @returns The object.
 * @throws {Error} when the text is not a JSON object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseItem } from "./json.ts";
 * assert.deepEqual(parseItem('{"name":"Ada"}'), { name: "Ada" });
 * ```
 */
export function parseItem(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`Invalid item JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`Invalid item JSON: expected an object, got ${text}`);
  }
  return value as Record<string, unknown>;
}
