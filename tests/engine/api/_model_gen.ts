/**
 * The random operations of the model test: writes with conditions and return values,
 * batches, transactions, queries and scans over a small keyspace (so operations collide), with
 * some items large enough to cross the 1 MB page limit.
 *
 * @module
 */
import type { Rng } from "../model/_rng.ts";
import {
  type Item,
  type QuerySpec,
  type ScanSpec,
  SCHEMAS,
  type SortCondition,
  type WriteSpec,
} from "./_model.ts";

/** One step of the test. */
export type Step =
  | { op: "write"; spec: WriteSpec }
  | { op: "burst"; specs: WriteSpec[] }
  | { op: "get"; table: string; key: Item; projection?: string }
  | { op: "batchWrite"; writes: { table: string; put?: Item; delete?: Item }[] }
  | { op: "batchGet"; gets: { table: string; key: Item }[] }
  | { op: "transactWrite"; actions: WriteSpec[] }
  | { op: "transactGet"; gets: { table: string; key: Item }[] }
  | { op: "query"; spec: QuerySpec; all: boolean }
  | { op: "scan"; spec: ScanSpec; all: boolean }
  | { op: "flush" }
  | { op: "compact" }
  | { op: "reopen"; flushOnClose: boolean };

const TABLES = Object.keys(SCHEMAS);
const PKS: Record<string, readonly unknown[]> = {
  "": ["p0", "p1", "p2", "é"],
  orders: ["c0", "c1", "c2"],
  users: ["u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7"],
};
const SKS: Record<string, readonly unknown[]> = {
  "": [undefined, "a", "aa", "ab", "b", "é", "z"],
  orders: [-3, -1.5, 0, 1, 2, 2.5, 10, 100],
};

/** A random key of a table. */
export function randomKey(rng: Rng, table: string): Item {
  const schema = SCHEMAS[table]!;
  const key: Item = { [schema.pk]: rng.pick(PKS[table]!) };
  if (schema.sk !== undefined) {
    const sk = rng.pick(SKS[table]!);
    if (sk !== undefined) key[schema.sk] = sk;
    else if (!schema.optionalSk) key[schema.sk] = SKS[table]![1];
  }
  return key;
}

function bigString(rng: Rng): string {
  return "x".repeat(150_000 + rng.int(200_000));
}

/** A random item: the key, a number, a string, a set, sometimes a large string. */
export function randomItem(rng: Rng, table: string): Item {
  const item: Item = randomKey(rng, table);
  if (rng.next() < 0.8) item.v = rng.int(11) - 5;
  if (rng.next() < 0.5) item.s = rng.pick(["x", "y", "hello"]);
  if (rng.next() < 0.3) item.tags = new Set(rng.pick([["a"], ["a", "b"], ["c"]]));
  if (rng.next() < 0.06) item.big = bigString(rng);
  return item;
}

function condition(rng: Rng, table: string): Pick<WriteSpec, "condition" | "names" | "values"> {
  const k = { "#k": SCHEMAS[table]!.pk };
  switch (rng.int(7)) {
    case 0:
      return { condition: "attribute_not_exists(#k)", names: k };
    case 1:
      return { condition: "attribute_exists(#k)", names: k };
    case 2:
      return { condition: "v = :cv", values: { ":cv": rng.int(11) - 5 } };
    case 3:
      return {
        condition: "attribute_not_exists(v) OR v <= :cv",
        values: { ":cv": rng.int(11) - 5 },
      };
    default:
      return {};
  }
}

function update(rng: Rng): Pick<WriteSpec, "update" | "names" | "values"> {
  switch (rng.int(10)) {
    case 0:
      return { update: "SET v = :uv", values: { ":uv": rng.int(11) - 5 } };
    case 1:
      return {
        update: "SET v = if_not_exists(v, :zero) + :one",
        values: { ":zero": 0, ":one": 1 },
      };
    case 2:
      return { update: "ADD v :one", values: { ":one": 1 } };
    case 3:
      return { update: "REMOVE big, s" };
    case 4:
      return {
        update: "SET s = :us ADD tags :ut",
        values: { ":us": "set", ":ut": new Set(["b", "d"]) },
      };
    case 5:
      return { update: "DELETE tags :ut", values: { ":ut": new Set(["a", "b"]) } };
    case 6:
      return { update: "SET big = :ub", values: { ":ub": bigString(rng) } };
    case 7:
      return { update: "SET v = v + :one", values: { ":one": 1 } };
    default:
      return {};
  }
}

function merge(a: Partial<WriteSpec>, b: Partial<WriteSpec>): Partial<WriteSpec> {
  const out: Partial<WriteSpec> = { ...a, ...b };
  if (a.names !== undefined || b.names !== undefined) out.names = { ...a.names, ...b.names };
  if (a.values !== undefined || b.values !== undefined) out.values = { ...a.values, ...b.values };
  return out;
}

/** A random single write (`check` only when `transaction`). */
export function randomWrite(rng: Rng, transaction = false, table = rng.pick(TABLES)): WriteSpec {
  const kinds = transaction
    ? ["put", "update", "delete", "check"] as const
    : ["put", "update", "delete"] as const;
  const kind = rng.pick(kinds);
  const cond = condition(rng, table);
  const spec: WriteSpec = { kind, table };
  if (kind === "put") spec.item = randomItem(rng, table);
  else spec.key = randomKey(rng, table);
  let parts: Partial<WriteSpec> = kind === "check" && cond.condition === undefined
    ? { condition: "attribute_exists(v)" }
    : cond;
  if (kind === "update") parts = merge(parts, update(rng));
  Object.assign(spec, parts);
  if (rng.next() < 0.3) spec.onFailure = "ALL_OLD";
  if (!transaction) {
    const modes = kind === "update"
      ? ["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]
      : ["NONE", "ALL_OLD"];
    if (rng.next() < 0.7) spec.returnValues = rng.pick(modes);
  }
  return spec;
}

function sortCondition(rng: Rng, table: string): SortCondition | undefined {
  const sks = SKS[table];
  if (sks === undefined || rng.next() < 0.35) return undefined;
  const values = sks.filter((v) => v !== undefined);
  const ops = table === ""
    ? ["=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"] as const
    : ["=", "<", "<=", ">", ">=", "BETWEEN"] as const;
  const op = rng.pick(ops);
  if (op === "BETWEEN") {
    const pair = [rng.pick(values), rng.pick(values)];
    return { op, values: pair.sort(compareKeys) };
  }
  if (op === "begins_with") return { op, values: [rng.pick(["", "a", "é", "b", "q"])] };
  return { op, values: [rng.pick(values)] };
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === "number") return a - (b as number);
  const x = new TextEncoder().encode(a as string);
  const y = new TextEncoder().encode(b as string);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function readParts(rng: Rng, spec: ScanSpec | QuerySpec): void {
  if (rng.next() < 0.5) spec.limit = 1 + rng.int(6);
  if (rng.next() < 0.3) {
    spec.filter = rng.pick(["v > :fv", "attribute_exists(tags)"]);
    if (spec.filter === "v > :fv") spec.values = { ...spec.values, ":fv": rng.int(5) - 2 };
  }
  if (rng.next() < 0.15) spec.countOnly = true;
  else if (rng.next() < 0.2) {
    spec.projection = "#k, v, tags";
    spec.names = { ...spec.names, "#k": SCHEMAS[spec.table]!.pk };
  }
}

/** A random Query. */
export function randomQuery(rng: Rng): QuerySpec {
  const table = rng.pick(TABLES);
  const schema = SCHEMAS[table]!;
  const spec: QuerySpec = {
    table,
    pk: rng.pick(PKS[table]!),
    names: { "#pk": schema.pk },
    reverse: rng.next() < 0.4,
  };
  spec.values = { ":pk": spec.pk };
  const sort = sortCondition(rng, table);
  if (sort !== undefined) {
    spec.sort = sort;
    spec.names!["#sk"] = schema.sk!;
    spec.values[":a"] = sort.values[0];
    if (sort.values.length > 1) spec.values[":b"] = sort.values[1];
  }
  readParts(rng, spec);
  return spec;
}

/** The KeyConditionExpression of a Query. */
export function keyCondition(spec: QuerySpec): string {
  const base = "#pk = :pk";
  const sort = spec.sort;
  if (sort === undefined) return base;
  if (sort.op === "BETWEEN") return `${base} AND #sk BETWEEN :a AND :b`;
  if (sort.op === "begins_with") return `${base} AND begins_with(#sk, :a)`;
  return `${base} AND #sk ${sort.op} :a`;
}

/** A random Scan. */
export function randomScan(rng: Rng): ScanSpec {
  const spec: ScanSpec = { table: rng.pick(TABLES) };
  if (rng.next() < 0.3) {
    spec.totalSegments = rng.pick([1, 2, 3, 5, 16, 256]);
    spec.segment = rng.int(spec.totalSegments);
  }
  readParts(rng, spec);
  return spec;
}

function keys(rng: Rng, count: number): { table: string; key: Item }[] {
  return Array.from({ length: count }, () => {
    const table = rng.pick(TABLES);
    return { table, key: randomKey(rng, table) };
  });
}

/** A random step. */
export function randomStep(rng: Rng): Step {
  const r = rng.next();
  if (r < 0.3) return { op: "write", spec: randomWrite(rng) };
  if (r < 0.36) {
    const table = rng.pick(["orders", "users"]);
    return {
      op: "burst",
      specs: Array.from({ length: 2 + rng.int(4) }, () => randomWrite(rng, false, table)),
    };
  }
  if (r < 0.42) {
    const table = rng.pick(TABLES);
    return { op: "get", table, key: randomKey(rng, table) };
  }
  if (r < 0.5) {
    const count = rng.next() < 0.1 ? 26 : 1 + rng.int(8);
    return {
      op: "batchWrite",
      writes: Array.from({ length: count }, () => {
        const table = rng.pick(TABLES);
        return rng.next() < 0.7
          ? { table, put: randomItem(rng, table) }
          : { table, delete: randomKey(rng, table) };
      }),
    };
  }
  if (r < 0.55) {
    return { op: "batchGet", gets: keys(rng, rng.next() < 0.05 ? 101 : 1 + rng.int(10)) };
  }
  if (r < 0.67) {
    return {
      op: "transactWrite",
      actions: Array.from({ length: 1 + rng.int(5) }, () => randomWrite(rng, true)),
    };
  }
  if (r < 0.71) return { op: "transactGet", gets: keys(rng, 1 + rng.int(5)) };
  if (r < 0.85) return { op: "query", spec: randomQuery(rng), all: rng.next() < 0.2 };
  if (r < 0.93) return { op: "scan", spec: randomScan(rng), all: rng.next() < 0.2 };
  if (r < 0.96) return { op: "flush" };
  if (r < 0.98) return { op: "compact" };
  return { op: "reopen", flushOnClose: rng.next() < 0.5 };
}
