/**
 * The model of the crash and fault campaigns: a history of commits (each a list of writes, its
 * index being its version), the items each commit writes, and the checks of a recovered database
 * against the history: which prefix of the commits it holds, and whether every item is whole.
 *
 * @module
 */
import type { Database } from "../../engine/db/database.ts";
import type { Item } from "../../engine/db/table.ts";
import { stripeOf } from "../../engine/codec/key_codec.ts";

/** The model key of a table's existence: `table:<name>`; its one write is `createTable`. */
export const TABLE_PREFIX = "table:";

/** One write of a commit: a put of the commit's version of the item, or a delete. */
export interface Write {
  readonly pk: string;
  readonly put: boolean;
}

/**
 * The key universe: three quarters of the keys in six "hot" stripes, so those stripes see many
 * flushes and compactions, the rest spread over the others.
 *
 * @param size How many keys.
 * @returns Partition keys.
 */
export function keyUniverse(size: number): string[] {
  const hot = new Set<number>();
  const keys: string[] = [];
  const hotWanted = Math.ceil(size * 3 / 4);
  for (let i = 0; keys.length < hotWanted; i++) {
    const pk = `k${i}`;
    const stripe = stripeOf({ S: pk });
    if (hot.size < 6) hot.add(stripe);
    if (hot.has(stripe)) keys.push(pk);
  }
  for (let i = 0; keys.length < size; i++) {
    const pk = `c${i}`;
    if (!hot.has(stripeOf({ S: pk }))) keys.push(pk);
  }
  return keys;
}

function hash(text: string, n: number): number {
  let h = (0x811c9dc5 ^ n) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * The item commit `version` writes under `pk`: its own version number and a padding whose
 * length and letter follow from both: mostly short, one in ten over a kilobyte, one in 250
 * over 60 KB.
 *
 * @param pk The partition key.
 * @param version The commit's index.
 * @returns The item, `pk` included.
 */
export function itemFor(pk: string, version: number): Item {
  const h = hash(pk, version);
  const length = h % 250 === 7
    ? 60_000 + (h >>> 8) % 60_000 // larger than a WAL limit of 64 KiB with its neighbours
    : h % 10 === 0
    ? 1000 + (h >>> 8) % 1500
    : (h >>> 8) % 200;
  return { pk, v: version, pad: String.fromCharCode(97 + version % 26).repeat(length) };
}

/** The version each key holds after the first `length` commits (absent: no item). */
export function stateAfter(history: readonly Write[][], length: number): Map<string, number> {
  const state = new Map<string, number>();
  for (let i = 0; i < length; i++) apply(state, history[i]!, i);
  return state;
}

function apply(state: Map<string, number>, writes: readonly Write[], version: number): void {
  for (const write of writes) {
    if (write.put) state.set(write.pk, version);
    else state.delete(write.pk);
  }
}

/**
 * Finds a prefix of the commits, from `acked` to `issued` long, whose state equals `recovered`.
 *
 * @returns Its length, or `undefined` when there is none.
 */
export function matchingPrefix(
  history: readonly Write[][],
  universe: readonly string[],
  recovered: ReadonlyMap<string, number>,
  acked: number,
  issued: number,
): number | undefined {
  const state = stateAfter(history, acked);
  let mismatches = 0;
  for (const pk of universe) if (state.get(pk) !== recovered.get(pk)) mismatches++;
  if (mismatches === 0) return acked;
  for (let i = acked; i < issued; i++) {
    for (const write of history[i]!) {
      const before = state.get(write.pk) === recovered.get(write.pk);
      if (write.put) state.set(write.pk, i);
      else state.delete(write.pk);
      const after = state.get(write.pk) === recovered.get(write.pk);
      if (before && !after) mismatches++;
      if (!before && after) mismatches--;
    }
    if (mismatches === 0) return i + 1;
  }
  return undefined;
}

export function explainMismatch(
  history: readonly Write[][],
  universe: readonly string[],
  recovered: ReadonlyMap<string, number>,
  acked: number,
  issued: number,
): string {
  const atAcked = stateAfter(history, acked);
  const atIssued = stateAfter(history, issued);
  const show = (v: number | undefined) => v === undefined ? "absent" : `#${v}`;
  const lines: string[] = [];
  for (const pk of universe) {
    const got = recovered.get(pk);
    if (got !== atAcked.get(pk) || got !== atIssued.get(pk)) {
      lines.push(
        `${pk}: recovered ${show(got)}, after acknowledged ${show(atAcked.get(pk))}, ` +
          `after all issued ${show(atIssued.get(pk))}`,
      );
    }
  }
  return `no prefix of commits from ${acked} to ${issued} gives the recovered state:\n  ` +
    lines.slice(0, 40).join("\n  ");
}

/** Reads every key of the universe; returns the versions, or a problem. */
export async function readAll(
  db: Database,
  history: readonly Write[][],
  universe: readonly string[],
): Promise<Map<string, number> | string> {
  const recovered = new Map<string, number>();
  const tables = new Set(db.listTables());
  for (const pk of universe) {
    if (pk.startsWith(TABLE_PREFIX)) {
      // A table: "written" by the one commit that created it.
      const version = history.findIndex((writes) => writes.some((w) => w.pk === pk));
      if (tables.has(pk.slice(TABLE_PREFIX.length))) recovered.set(pk, version);
      continue;
    }
    const item = await db.get(pk);
    if (item === undefined) continue;
    const version = item.v;
    const wrote = typeof version === "number" &&
      history[version]?.some((w) => w.pk === pk && w.put);
    if (!wrote) return `${pk} holds an item no commit wrote: ${JSON.stringify(item)}`;
    const expected = itemFor(pk, version as number);
    if (Object.keys(item).length !== 3 || item.pk !== pk || item.pad !== expected.pad) {
      return `${pk} holds a damaged version #${version}: ${JSON.stringify(item).slice(0, 200)}`;
    }
    recovered.set(pk, version as number);
  }
  return recovered;
}

export function sameState(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [pk, version] of a) if (b.get(pk) !== version) return false;
  return true;
}
