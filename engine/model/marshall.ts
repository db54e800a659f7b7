/**
 * Converts plain JS values to {@linkcode AttributeValue}s and back, the way AWS lib-dynamodb
 * does, but strict: nothing is silently dropped or rounded.
 *
 * | JS                                                     | AttributeValue             |
 * | ------------------------------------------------------ | -------------------------- |
 * | string                                                 | `S`                        |
 * | finite number, bigint, {@linkcode NumberValue}         | `N` (canonical text)       |
 * | boolean                                                | `BOOL`                     |
 * | null                                                   | `NULL`                     |
 * | Uint8Array (and Buffer), ArrayBuffer, other views      | `B` (a view, not a copy)   |
 * | Array                                                  | `L`                        |
 * | Set of strings / numbers, bigints, NumberValues / bytes | `SS` / `NS` / `BS`        |
 * | plain object (prototype `Object.prototype` or null), Map with string keys | `M`     |
 *
 * Object properties whose value is `undefined` are left out, as `JSON.stringify` does.
 * Everything else fails with a `VALIDATION` error that names the path of the value:
 * `undefined` in an array or set, functions, symbols, `NaN`, class instances such as `Date`,
 * empty sets, sets mixing element types, number sets with equal numbers (`1` and `1n`), and
 * nesting deeper than DynamoDB's 32 levels (which also catches cycles).
 *
 * Back from AttributeValues: `N` becomes a number when the number gives back the same text,
 * otherwise a NumberValue; sets become `Set`s; `M` a plain `{}` object; `B` a Uint8Array.
 *
 * @module
 */
import { setProperty } from "./set_property.ts";
import type { AttributeMap, AttributeValue } from "./attribute_value.ts";
import { validation } from "../errors.ts";
import { MAX_NESTING_DEPTH } from "../limits.ts";
import { numberFromJs } from "./decimal.ts";
import { NumberValue, plainNumber } from "./number_value.ts";
import { bytesToLatin1 } from "../codec/bytes.ts";

/** Thrown inside the recursion; the path is filled in while the stack unwinds. */
class PathError {
  readonly path: Array<string | number> = [];
  constructor(readonly reason: string) {}
}

const NESTING =
  "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit";

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "function";
  if (typeof value === "symbol") return "symbol";
  if (typeof value === "object" && value !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name !== "" ? name : "object";
  }
  return typeof value;
}

function formatPath(prefix: string, path: ReadonlyArray<string | number>): string {
  let out = prefix;
  for (const part of path) {
    out += typeof part === "number" ? `[${part}]` : out === "" ? part : `.${part}`;
  }
  return out;
}

function fail(error: unknown, prefix: string): never {
  if (!(error instanceof PathError)) throw error;
  const where = formatPath(prefix, error.path);
  throw validation(
    where === ""
      ? `Cannot marshall value: ${error.reason}`
      : `Cannot marshall value at '${where}': ${error.reason}`,
  );
}

function toNumber(value: number | bigint): string {
  try {
    return numberFromJs(value);
  } catch (error) {
    throw new PathError((error as Error).message);
  }
}

function toBytes(value: object): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return undefined;
}

function convert(value: unknown, level: number): AttributeValue {
  switch (typeof value) {
    case "string":
      return { S: value };
    case "number":
    case "bigint":
      return { N: toNumber(value) };
    case "boolean":
      return { BOOL: value };
    case "object": {
      if (value === null) return { NULL: true };
      if (Array.isArray(value)) {
        if (level >= MAX_NESTING_DEPTH) throw new PathError(NESTING);
        return { L: convertList(value, level) };
      }
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) {
        if (level >= MAX_NESTING_DEPTH) throw new PathError(NESTING);
        return { M: convertObject(value as Record<string, unknown>, level) };
      }
      if (value instanceof NumberValue) return { N: value.value };
      const bytes = toBytes(value);
      if (bytes !== undefined) return { B: bytes };
      if (value instanceof Set) return convertSet(value);
      if (value instanceof Map) {
        if (level >= MAX_NESTING_DEPTH) throw new PathError(NESTING);
        return { M: convertMap(value, level) };
      }
      throw new PathError(`unsupported type ${describe(value)}`);
    }
    default:
      throw new PathError(`unsupported type ${describe(value)}`);
  }
}

function convertList(list: readonly unknown[], level: number): AttributeValue[] {
  const out: AttributeValue[] = new Array(list.length);
  let i = 0;
  try {
    for (; i < list.length; i++) out[i] = convert(list[i], level + 1);
  } catch (error) {
    if (error instanceof PathError) error.path.unshift(i);
    throw error;
  }
  return out;
}

function convertObject(object: Record<string, unknown>, level: number): AttributeMap {
  const out: Record<string, AttributeValue> = {};
  let key = "";
  try {
    for (key in object) {
      const child = object[key];
      if (child === undefined) continue;
      setProperty(out, key, convert(child, level + 1));
    }
  } catch (error) {
    if (error instanceof PathError) error.path.unshift(key);
    throw error;
  }
  return out;
}

function convertMap(map: ReadonlyMap<unknown, unknown>, level: number): AttributeMap {
  const out: Record<string, AttributeValue> = {};
  let key: unknown = "";
  try {
    for (const [k, child] of map) {
      key = k;
      if (typeof k !== "string") {
        throw new PathError(`Map key of type ${describe(k)} is not a string`);
      }
      if (child === undefined) continue;
      setProperty(out, k, convert(child, level + 1));
    }
  } catch (error) {
    if (error instanceof PathError && typeof key === "string") error.path.unshift(key);
    throw error;
  }
  return out;
}

type SetKind = "string" | "number" | "bytes";

function kindOf(element: unknown): SetKind | undefined {
  switch (typeof element) {
    case "string":
      return "string";
    case "number":
    case "bigint":
      return "number";
    case "object":
      if (element instanceof NumberValue) return "number";
      if (element !== null && toBytes(element) !== undefined) return "bytes";
  }
  return undefined;
}

function convertSet(set: ReadonlySet<unknown>): AttributeValue {
  if (set.size === 0) {
    throw new PathError("an empty Set has no DynamoDB type (DynamoDB sets may not be empty)");
  }
  let kind: SetKind | undefined;
  const texts: string[] = [];
  const blobs: Uint8Array[] = [];
  for (const element of set) {
    const elementKind = kindOf(element);
    if (elementKind === undefined) {
      throw new PathError(`Set element of unsupported type ${describe(element)}`);
    }
    if (kind === undefined) kind = elementKind;
    else if (kind !== elementKind) {
      throw new PathError(`Set mixes ${kind} and ${elementKind} elements`);
    }
    if (elementKind === "string") texts.push(element as string);
    else if (elementKind === "number") {
      texts.push(
        element instanceof NumberValue ? element.value : toNumber(element as number | bigint),
      );
    } else blobs.push(toBytes(element as object)!);
  }
  if (kind === "string") return { SS: texts };
  if (kind === "number") {
    if (texts.length > 1) rejectDuplicates(texts, texts);
    return { NS: texts };
  }
  if (blobs.length > 1) rejectDuplicates(blobs.map(bytesToLatin1), blobs.map((b) => `[${b}]`));
  return { BS: blobs };
}

function rejectDuplicates(keys: readonly string[], shown: readonly string[]): void {
  const seen = new Set<string>();
  for (let i = 0; i < keys.length; i++) {
    if (seen.has(keys[i]!)) {
      throw new PathError(`Input collection contains duplicates: ${shown[i]}`);
    }
    seen.add(keys[i]!);
  }
}

/**
 * Converts one JS value to an AttributeValue.
 *
 * @param value The value; see the module table for what is accepted.
 * @param path Where the value sits, used as the start of error paths (e.g. `"profile"`).
 * @returns The AttributeValue. Byte values are wrapped, not copied.
 * @throws {KstoneError} `VALIDATION` for unsupported values, naming the path:
 * "Cannot marshall value at 'a.b[2]': unsupported type Date".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { marshall } from "./marshall.ts";
 * assert.deepEqual(marshall({ n: 1.5, tags: new Set(["a"]) }), {
 *   M: { n: { N: "1.5" }, tags: { SS: ["a"] } },
 * });
 * assert.throws(() => marshall({ a: { b: [0, 1, new Date()] } }), {
 *   message: "Cannot marshall value at 'a.b[2]': unsupported type Date",
 * });
 * ```
 */
export function marshall(value: unknown, path = ""): AttributeValue {
  try {
    return convert(value, 1);
  } catch (error) {
    fail(error, path);
  }
}

/**
 * Converts a plain object (or a Map with string keys) to an item. `undefined` properties are
 * left out.
 *
 * @param item The item.
 * @returns Its AttributeMap.
 * @throws {KstoneError} `VALIDATION` when the item is not a plain object or Map, or holds an
 * unsupported value (the message names the attribute path).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { marshallItem } from "./marshall.ts";
 * assert.deepEqual(marshallItem({ pk: "user#1", age: 30, gone: undefined }), {
 *   pk: { S: "user#1" },
 *   age: { N: "30" },
 * });
 * ```
 */
export function marshallItem(item: Readonly<Record<string, unknown>>): AttributeMap {
  try {
    if (typeof item === "object" && item !== null) {
      const proto = Object.getPrototypeOf(item);
      if (proto === Object.prototype || proto === null) return convertObject(item, 0);
      if (item instanceof Map) return convertMap(item, 0);
    }
    throw new PathError(`an item must be a plain object, not ${describe(item)}`);
  } catch (error) {
    fail(error, "");
  }
}

/**
 * Converts an AttributeValue to a plain JS value (the module doc lists the mapping).
 *
 * @param value The AttributeValue.
 * @returns The JS value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unmarshall } from "./marshall.ts";
 * import { NumberValue } from "./number_value.ts";
 * assert.equal(unmarshall({ N: "42" }), 42);
 * assert.deepEqual(unmarshall({ N: "12345678901234567890" }), new NumberValue("12345678901234567890"));
 * assert.deepEqual(unmarshall({ SS: ["a", "b"] }), new Set(["a", "b"]));
 * ```
 */
export function unmarshall(value: AttributeValue): unknown {
  const v = value as {
    S?: string;
    N?: string;
    M?: AttributeMap;
    L?: readonly AttributeValue[];
    BOOL?: boolean;
    NULL?: true;
    B?: Uint8Array;
    SS?: readonly string[];
    NS?: readonly string[];
    BS?: readonly Uint8Array[];
  };
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return plainNumber(v.N);
  if (v.M !== undefined) return unmarshallItem(v.M);
  if (v.L !== undefined) {
    const list = v.L;
    const out: unknown[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) out[i] = unmarshall(list[i]!);
    return out;
  }
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL !== undefined) return null;
  if (v.B !== undefined) return v.B;
  if (v.SS !== undefined) return new Set(v.SS);
  if (v.NS !== undefined) return new Set(v.NS.map(plainNumber));
  if (v.BS !== undefined) return new Set(v.BS);
  throw new TypeError("Cannot unmarshall an attribute value without a type");
}

/**
 * Converts an item to a plain object (prototype `Object.prototype`; an attribute named
 * `__proto__` becomes an own property).
 *
 * @param map The item.
 * @returns The plain object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unmarshallItem } from "./marshall.ts";
 * assert.deepEqual(unmarshallItem({ pk: { S: "a" }, n: { N: "1" } }), { pk: "a", n: 1 });
 * ```
 */
export function unmarshallItem(map: AttributeMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in map) setProperty(out, key, unmarshall(map[key]!));
  return out;
}
