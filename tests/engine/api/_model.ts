/**
 * The reference model of the randomized operation test: tables as plain `Map`s of items, with
 * DynamoDB's semantics written out the simple way (filter and sort the whole partition or
 * table, then cut pages). It reuses the expression engine (conditions, updates, projections)
 * and `itemSize`, which have their own tests; everything about keys, ranges, ordering, paging,
 * batches and transactions is its own.
 *
 * @module
 */
import { itemSize } from "../../../engine/codec/item_codec.ts";
import {
  applyProjection,
  applyUpdate,
  evaluateCondition,
  ExpressionContext,
  parseCondition,
  parseProjection,
  parseUpdate,
  updatedAttributes,
} from "../../../engine/expression/mod.ts";
import type { AttributeMap, AttributeValue } from "../../../engine/model/attribute_value.ts";
import { marshall, marshallItem, unmarshallItem } from "../../../engine/model/marshall.ts";

/** A plain item. */
export type Item = Record<string, unknown>;

/** The key schema of a model table. */
export interface Schema {
  pk: string;
  sk?: string;
  skType?: "S" | "N";
  /** Items may lack the sort key (the default table). */
  optionalSk?: boolean;
}

/** The tables of the test: the default table, one with a number sort key, one without. */
export const SCHEMAS: Readonly<Record<string, Schema>> = {
  "": { pk: "pk", sk: "sk", skType: "S", optionalSk: true },
  orders: { pk: "customer", sk: "ts", skType: "N" },
  users: { pk: "id" },
};

/** One write, as the generator describes it (plain values). */
export interface WriteSpec {
  kind: "put" | "update" | "delete" | "check";
  table: string;
  item?: Item;
  key?: Item;
  update?: string;
  condition?: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
  returnValues?: string;
  onFailure?: "NONE" | "ALL_OLD";
}

/** A sort key condition. */
export interface SortCondition {
  op: "=" | "<" | "<=" | ">" | ">=" | "BETWEEN" | "begins_with";
  values: unknown[];
}

/** What Query and Scan share in the model. */
export interface ReadSpec {
  table: string;
  limit?: number;
  filter?: string;
  projection?: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
  countOnly?: boolean;
}

/** A Query in the model. */
export interface QuerySpec extends ReadSpec {
  pk: unknown;
  sort?: SortCondition;
  reverse?: boolean;
}

/** A Scan in the model. */
export interface ScanSpec extends ReadSpec {
  segment?: number;
  totalSegments?: number;
}

/** What an operation is expected to give: a value, or an error with its code and details. */
export type Outcome = { ok: unknown } | { error: ErrorShape };

/** The comparable part of an error. */
export interface ErrorShape {
  code: string;
  item?: Item | undefined;
  reasons?: { code: string; item?: Item }[];
}

/** A page as the JS API returns it. */
export interface PlainPage {
  items: Item[];
  count: number;
  scannedCount: number;
  lastEvaluatedKey?: Item;
}

const MAX_ITEM = 409_600;
const encoder = new TextEncoder();

function compareUtf8(a: string, b: string): number {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** Compares key values as the key encoding orders them: S by UTF-8 bytes, N by value, absent first. */
export function compareKeyValue(a: unknown, b: unknown): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  if (typeof a === "number") return a - (b as number);
  return compareUtf8(a as string, b as string);
}

class Failure extends Error {
  constructor(readonly shape: ErrorShape) {
    super(shape.code);
  }
}

function fail(code: string, extra: Omit<ErrorShape, "code"> = {}): never {
  throw new Failure({ code, ...extra });
}

/** The model database. */
export class Model {
  readonly tables = new Map<string, Map<string, AttributeMap>>(
    Object.keys(SCHEMAS).map((name) => [name, new Map()]),
  );

  /** The identity of an item's key within its table. */
  id(table: string, item: Item): string {
    const schema = SCHEMAS[table]!;
    return JSON.stringify([
      item[schema.pk],
      schema.sk === undefined ? null : item[schema.sk] ?? null,
    ]);
  }

  /** The key attributes of an item. */
  keyOf(table: string, item: Item): Item {
    const schema = SCHEMAS[table]!;
    const key: Item = { [schema.pk]: item[schema.pk] };
    if (schema.sk !== undefined && item[schema.sk] !== undefined) key[schema.sk] = item[schema.sk];
    return key;
  }

  /** Runs `fn`, turning a model failure into an error outcome. */
  outcome(fn: () => unknown): Outcome {
    try {
      return { ok: fn() };
    } catch (error) {
      if (error instanceof Failure) return { error: error.shape };
      if (error instanceof Error && "code" in error) return { error: { code: String(error.code) } };
      throw error;
    }
  }

  /** Plans a write against the current state: its condition, new item and returned values. */
  #plan(spec: WriteSpec) {
    const values: Record<string, AttributeValue> | undefined = spec.values === undefined
      ? undefined
      : Object.fromEntries(Object.entries(spec.values).map(([k, v]) => [k, marshall(v)]));
    const ctx = new ExpressionContext(spec.names, values);
    const update = spec.update === undefined ? undefined : parseUpdate(spec.update, ctx);
    const condition = spec.condition === undefined
      ? undefined
      : parseCondition(spec.condition, ctx);
    ctx.assertAllUsed();
    const schema = SCHEMAS[spec.table]!;
    const plain = spec.kind === "put" ? spec.item! : spec.key!;
    const id = this.id(spec.table, plain);
    const old = this.tables.get(spec.table)!.get(id);
    return {
      schema,
      id,
      old,
      update,
      condition,
      keyAv: marshallItem(this.keyOf(spec.table, plain)),
    };
  }

  /** What a write does, or the failure it raises; the state is not changed. */
  #evaluate(spec: WriteSpec, inTransaction: boolean) {
    const { schema, id, old, update, condition, keyAv } = this.#plan(spec);
    if (condition !== undefined && !evaluateCondition(condition, old)) {
      const item = spec.onFailure === "ALL_OLD" && old !== undefined ? old : undefined;
      return { failed: "ConditionalCheckFailed" as const, item, id, old };
    }
    let next: AttributeMap | undefined | "same" = "same";
    let paths: readonly (readonly (string | number)[])[] = [];
    if (spec.kind === "put") next = marshallItem(spec.item!);
    else if (spec.kind === "delete") next = undefined;
    else if (spec.kind === "update") {
      try {
        if (update === undefined) next = old ?? keyAv;
        else {
          const keys = schema.sk === undefined ? [schema.pk] : [schema.pk, schema.sk];
          const result = applyUpdate(update, old, keys);
          next = old === undefined ? { ...keyAv, ...result.item } : result.item;
          paths = result.updatedPaths;
        }
        if (itemSize(next) > MAX_ITEM) throw new Failure({ code: "VALIDATION" });
      } catch (error) {
        if (inTransaction) return { failed: "ValidationError" as const, item: undefined, id, old };
        if (error instanceof Failure) throw error;
        fail("VALIDATION");
      }
    }
    return { failed: undefined, id, old, next, paths, item: undefined };
  }

  #apply(table: string, id: string, next: AttributeMap | undefined | "same"): void {
    if (next === "same") return;
    if (next === undefined) this.tables.get(table)!.delete(id);
    else this.tables.get(table)!.set(id, next);
  }

  /** A single put, update or delete: what the JS method returns. */
  write(spec: WriteSpec): unknown {
    const result = this.#evaluate(spec, false);
    if (result.failed !== undefined) {
      fail("CONDITIONAL_CHECK_FAILED", {
        item: result.item === undefined ? undefined : unmarshallItem(result.item),
      });
    }
    this.#apply(spec.table, result.id, result.next);
    const next = result.next === "same" ? undefined : result.next;
    let returned: AttributeMap | undefined;
    switch (spec.returnValues ?? "NONE") {
      case "ALL_OLD":
        returned = result.old;
        break;
      case "ALL_NEW":
        returned = next;
        break;
      case "UPDATED_OLD":
        returned = updatedAttributes(result.paths!, result.old);
        break;
      case "UPDATED_NEW":
        returned = updatedAttributes(result.paths!, next);
        break;
    }
    if (returned !== undefined && Object.keys(returned).length === 0) returned = undefined;
    return returned === undefined ? undefined : unmarshallItem(returned);
  }

  /** A GetItem. */
  get(table: string, key: Item, projection?: string): Item | undefined {
    const item = this.tables.get(table)!.get(this.id(table, key));
    if (item === undefined) return undefined;
    return unmarshallItem(
      projection === undefined
        ? item
        : applyProjection(parseProjection(projection, new ExpressionContext()), item),
    );
  }

  /** A BatchWriteItem: all puts and deletes, or a validation failure. */
  batchWrite(writes: { table: string; put?: Item; delete?: Item }[]): undefined {
    if (writes.length > 25) fail("VALIDATION");
    const ids = writes.map((w) => `${w.table}/${this.id(w.table, w.put ?? w.delete!)}`);
    if (new Set(ids).size < ids.length) fail("VALIDATION");
    for (const w of writes) {
      const id = this.id(w.table, w.put ?? w.delete!);
      this.#apply(w.table, id, w.put === undefined ? undefined : marshallItem(w.put));
    }
    return undefined;
  }

  /** A BatchGetItem: the found items per table, in key order. */
  batchGet(gets: { table: string; key: Item }[]): Record<string, Item[]> {
    if (gets.length > 100) fail("VALIDATION");
    const result: Record<string, Item[]> = {};
    const seen = new Set<string>();
    for (const { table, key } of gets) {
      const id = `${table}/${this.id(table, key)}`;
      if (seen.has(id)) fail("VALIDATION");
      seen.add(id);
      result[table] ??= [];
    }
    for (const { table, key } of gets) {
      const item = this.get(table, key);
      if (item !== undefined) result[table]!.push(item);
    }
    return result;
  }

  /** A TransactWriteItems. */
  transactWrite(actions: WriteSpec[]): undefined {
    const ids = actions.map((a) => `${a.table}/${this.id(a.table, a.item ?? a.key!)}`);
    if (new Set(ids).size < ids.length) fail("VALIDATION");
    const results = actions.map((spec) => this.#evaluate(spec, true));
    if (results.some((r) => r.failed !== undefined)) {
      fail("TRANSACTION_CANCELED", {
        reasons: results.map((r) =>
          r.failed === undefined
            ? { code: "None" }
            : r.item === undefined
            ? { code: r.failed }
            : { code: r.failed, item: unmarshallItem(r.item) }
        ),
      });
    }
    results.forEach((r, i) => this.#apply(actions[i]!.table, r.id, r.next!));
    return undefined;
  }

  /** A TransactGetItems. */
  transactGet(gets: { table: string; key: Item }[]): (Item | undefined)[] {
    const ids = gets.map((g) => `${g.table}/${this.id(g.table, g.key)}`);
    if (new Set(ids).size < ids.length) fail("VALIDATION");
    return gets.map(({ table, key }) => this.get(table, key));
  }
}
