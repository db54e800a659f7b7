/**
 * Request shapes: what members each operation takes and of what JSON type, checked as DynamoDB
 * checks them. A JSON type mismatch is a SerializationException; a broken constraint (missing
 * member, enum, length, range, pattern) is a ValidationException listing up to ten faults
 * (`2 validation errors detected: Value … at 'limit' failed to satisfy constraint: …`).
 *
 * Stricter than DynamoDB on purpose: a member the operation does not have is a
 * ValidationException (`Unknown parameter in input: "ConditionExpresion", …`) instead of being
 * ignored, so a misspelt condition never silently turns into an unconditional write.
 *
 * @module
 */
import { mapFromWire, wrongType } from "./wire.ts";
import { serializationError, validationError } from "./protocol.ts";

/** A JSON member's type and constraints. */
export type Shape =
  | {
    readonly kind: "string";
    readonly enum?: readonly string[];
    readonly minLength?: number;
    readonly maxLength?: number;
    readonly pattern?: string;
  }
  | { readonly kind: "boolean" }
  | { readonly kind: "integer"; readonly min?: number; readonly max?: number }
  | { readonly kind: "attributes" }
  | {
    readonly kind: "list";
    readonly of: Shape;
    readonly minLength?: number;
    readonly maxLength?: number;
  }
  | {
    readonly kind: "map";
    readonly of: Shape;
    readonly minLength?: number;
    readonly maxLength?: number;
  }
  | {
    readonly kind: "struct";
    readonly name: string;
    readonly members: Readonly<Record<string, Member>>;
  }
  | { readonly kind: "any" };

/** A member of a structure. */
export interface Member {
  /** Its shape. */
  readonly shape: Shape;
  /** Absent is `Value null at '…' failed to satisfy constraint: Member must not be null`. */
  readonly notNull?: boolean;
  /** Absent is `The parameter '…' is required but was not present in the request`. */
  readonly required?: boolean;
  /** A table name: 3 to 255 of `[a-zA-Z0-9_.-]`, or `""` for kstone's default table. */
  readonly tableName?: boolean;
}

/** Shape builders, so operation files read like the API reference. */
export const s = {
  /** A string, optionally with an enum, length bounds or a pattern. */
  string(options: Omit<Extract<Shape, { kind: "string" }>, "kind"> = {}): Shape {
    return { kind: "string", ...options };
  },
  /** A boolean. */
  boolean: { kind: "boolean" } as Shape,
  /** An integer with optional bounds. */
  integer(min?: number, max?: number): Shape {
    const shape: { kind: "integer"; min?: number; max?: number } = { kind: "integer" };
    if (min !== undefined) shape.min = min;
    if (max !== undefined) shape.max = max;
    return shape;
  },
  /** A map of AttributeValues (item, key, ExpressionAttributeValues). */
  attributes: { kind: "attributes" } as Shape,
  /** Any JSON (members kstone accepts and ignores). */
  any: { kind: "any" } as Shape,
  /** A list. */
  list(of: Shape, minLength?: number, maxLength?: number): Shape {
    const shape: { kind: "list"; of: Shape; minLength?: number; maxLength?: number } = {
      kind: "list",
      of,
    };
    if (minLength !== undefined) shape.minLength = minLength;
    if (maxLength !== undefined) shape.maxLength = maxLength;
    return shape;
  },
  /** A map with string keys. */
  map(of: Shape, minLength?: number, maxLength?: number): Shape {
    const shape: { kind: "map"; of: Shape; minLength?: number; maxLength?: number } = {
      kind: "map",
      of,
    };
    if (minLength !== undefined) shape.minLength = minLength;
    if (maxLength !== undefined) shape.maxLength = maxLength;
    return shape;
  },
  /** A structure; members given as shapes are optional. */
  struct(name: string, members: Readonly<Record<string, Shape | Member>>): Shape {
    const normalized: Record<string, Member> = {};
    for (const [key, value] of Object.entries(members)) {
      normalized[key] = "kind" in value ? { shape: value as Shape } : value as Member;
    }
    return { kind: "struct", name, members: normalized };
  },
};

/** The common enums. */
export const ENUMS = {
  returnConsumedCapacity: s.string({ enum: ["INDEXES", "TOTAL", "NONE"] }),
  returnItemCollectionMetrics: s.string({ enum: ["SIZE", "NONE"] }),
  expressionAttributeNames: s.map(s.string()),
  expressionAttributeValues: s.attributes,
  tableName: { shape: s.string(), notNull: true, tableName: true } as Member,
};

const TABLE_NAME = /^[a-zA-Z0-9_.-]+$/;

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

class Checker {
  readonly faults: string[] = [];

  fault(value: unknown, path: string, constraint: string): void {
    if (this.faults.length >= 10) return;
    const shown = value === null || value === undefined ? "null" : `'${show(value)}'`;
    this.faults.push(`Value ${shown} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  length(
    value: unknown,
    size: number,
    shape: { minLength?: number; maxLength?: number },
    path: string,
  ) {
    if (shape.minLength !== undefined && size < shape.minLength) {
      this.fault(
        value,
        path,
        `Member must have length greater than or equal to ${shape.minLength}`,
      );
    }
    if (shape.maxLength !== undefined && size > shape.maxLength) {
      this.fault(value, path, `Member must have length less than or equal to ${shape.maxLength}`);
    }
  }

  check(value: unknown, shape: Shape, path: string): unknown {
    switch (shape.kind) {
      case "any":
        return value;
      case "string": {
        if (typeof value !== "string") throw wrongType(value, "String");
        if (shape.enum !== undefined && !shape.enum.includes(value)) {
          this.fault(value, path, `Member must satisfy enum value set: [${shape.enum.join(", ")}]`);
        }
        if (shape.pattern !== undefined && !new RegExp(`^${shape.pattern}$`).test(value)) {
          this.fault(
            value,
            path,
            `Member must satisfy regular expression pattern: ${shape.pattern}`,
          );
        }
        this.length(value, value.length, shape, path);
        return value;
      }
      case "boolean":
        if (typeof value !== "boolean") throw wrongType(value, "Boolean");
        return value;
      case "integer": {
        if (typeof value !== "number") throw wrongType(value, "Integer");
        if (shape.min !== undefined && value < shape.min) {
          this.fault(value, path, `Member must have value greater than or equal to ${shape.min}`);
        }
        if (shape.max !== undefined && value > shape.max) {
          this.fault(value, path, `Member must have value less than or equal to ${shape.max}`);
        }
        return value;
      }
      case "attributes":
        return mapFromWire(value);
      case "list": {
        if (!Array.isArray(value)) {
          if (value !== null && typeof value === "object") {
            throw serializationError("Start of structure or map found where not expected");
          }
          throw serializationError("Unexpected field type");
        }
        this.length(value, value.length, shape, path);
        return value.map((element, i) => this.check(element, shape.of, `${path}.${i + 1}.member`));
      }
      case "map": {
        if (value === null || typeof value !== "object") {
          throw serializationError("Unexpected field type");
        }
        if (Array.isArray(value)) {
          throw serializationError(
            "Unrecognized collection type java.util.Map<java.lang.String, ?>",
          );
        }
        const entries = Object.entries(value);
        this.length(value, entries.length, shape, path);
        const out: Record<string, unknown> = {};
        for (const [key, element] of entries) {
          if (element !== null) out[key] = this.check(element, shape.of, `${path}.${key}.member`);
        }
        return out;
      }
      case "struct":
        return this.struct(value, shape, path);
    }
  }

  struct(value: unknown, shape: Extract<Shape, { kind: "struct" }>, path: string): unknown {
    if (value === null || typeof value !== "object") {
      throw serializationError("Unexpected field type");
    }
    if (Array.isArray(value)) {
      throw serializationError(
        `Unrecognized collection type class com.amazonaws.dynamodb.v20120810.${shape.name}`,
      );
    }
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record)) {
      const member = shape.members[key];
      if (member === undefined) {
        throw validationError(
          `Unknown parameter in ${path === "" ? "input" : path}: "${key}", must be one of: ${
            Object.keys(shape.members).join(", ")
          }`,
        );
      }
      if (record[key] === null) continue;
      const memberPath = path === "" ? lowerFirst(key) : `${path}.${lowerFirst(key)}`;
      out[key] = this.check(record[key], member.shape, memberPath);
    }
    for (const [key, member] of Object.entries(shape.members)) {
      const memberPath = path === "" ? lowerFirst(key) : `${path}.${lowerFirst(key)}`;
      const present = out[key];
      if (present === undefined) {
        if (member.required && path === "") {
          throw validationError(
            `The parameter '${key}' is required but was not present in the request`,
          );
        }
        if (member.notNull || member.required) {
          this.fault(undefined, memberPath, "Member must not be null");
        }
        continue;
      }
      if (member.tableName && present !== "") {
        const name = present as string;
        if (!TABLE_NAME.test(name)) {
          this.fault(
            name,
            memberPath,
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
          );
        }
        if (name.length < 3) {
          this.fault(name, memberPath, "Member must have length greater than or equal to 3");
        }
        if (name.length > 255) {
          this.fault(name, memberPath, "Member must have length less than or equal to 255");
        }
      }
    }
    return out;
  }
}

/**
 * Checks a request body against an operation's input shape and converts its AttributeValues to
 * the engine's.
 *
 * @param body The parsed JSON body.
 * @param shape The operation's input structure.
 * @returns The checked input, with `null` members dropped.
 * @throws {DynamoError} SerializationException for a JSON type mismatch; ValidationException
 *   for unknown members and broken constraints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkInput, s } from "./shapes.ts";
 * const shape = s.struct("ListTablesInput", { Limit: s.integer(1, 100) });
 * assert.deepEqual(checkInput({ Limit: 5 }, shape), { Limit: 5 });
 * assert.throws(() => checkInput({ Limit: 0 }, shape), {
 *   message: "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: " +
 *     "Member must have value greater than or equal to 1",
 * });
 * assert.throws(() => checkInput({ Limit: "5" }, shape), { type: "SerializationException" });
 * ```
 */
export function checkInput(body: unknown, shape: Shape): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw serializationError("Unexpected value type in payload");
  }
  if (shape.kind !== "struct") throw new TypeError("An operation's input must be a structure");
  const checker = new Checker();
  const out = checker.struct(body, shape, "") as Record<string, unknown>;
  const faults = checker.faults;
  if (faults.length > 0) {
    throw validationError(
      `${faults.length} validation error${faults.length > 1 ? "s" : ""} detected: ${
        faults.join("; ")
      }`,
    );
  }
  return out;
}
