/**
 * The data plane against its peer in the same run: Deno KV under Deno, `bun:sqlite` under
 * Bun. Both stores get the same 20,000 items (100 partitions of 100 items, and one partition
 * of 10,000), on the real disk, then:
 *
 * - query of one 100-item partition (random partitions), and one page of the 10,000-item
 *   partition (kstone's 1 MB page; the peer reads as many items);
 * - full scan, in items/s;
 * - conditional update (`SET score` if `age` matches), one at a time and 100 in flight;
 * - TransactWrite of 2 and of 25 items.
 *
 * Every write is durable when it resolves. The last column is kstone's rate over the peer's.
 *
 * ```sh
 * node_modules/.bin/deno run -A --unstable-kv bench/data_plane.ts [--quick] [--json]
 * node_modules/.bin/bun bench/data_plane.ts [--quick] [--json]
 * ```
 *
 * Flags: `--quick` (fewer repetitions), `--seed N`, `--dir DIR` (where the temp directories
 * go), `--json`.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { itemSize } from "../engine/codec/item_codec.ts";
import { MAX_PAGE_SIZE } from "../engine/limits.ts";
import { marshallItem } from "../engine/model/marshall.ts";
import { ItemSet, mulberry32 } from "./_items.ts";
import { benchDir, flag, hasFlag, runtime } from "./_cli.ts";
import { filesystemType } from "./_proc.ts";
import { type DataPlaneSubject, KstoneDataPlane, type Row } from "./_data_plane_subject.ts";

const quick = hasFlag("--quick");
const json = hasFlag("--json");
const seed = Number(flag("--seed") ?? 42);
const base = benchDir();

/** The benchmark's items: 100 partitions of 100, then one partition of 10,000. */
function buildRows(): { small: Row[]; big: Row[] } {
  const smallSet = new ItemSet(100, 100, seed);
  const small = Array.from(
    { length: smallSet.count },
    (_, i) => ({ pk: smallSet.pk(i), sk: smallSet.sk(i), doc: smallSet.doc(i) }),
  );
  const bigSet = new ItemSet(1, 10_000, seed + 1);
  const big = Array.from({ length: 10_000 }, (_, i) => ({
    pk: "big#000000",
    sk: `item#${String(i).padStart(5, "0")}`,
    doc: bigSet.doc(i),
  }));
  return { small, big };
}

/** How many items of the big partition kstone's 1 MB page holds (by DynamoDB's item size). */
function pageItems(big: readonly Row[]): number {
  let size = 0;
  for (let i = 0; i < big.length; i++) {
    size += itemSize(marshallItem({ pk: big[i]!.pk, sk: big[i]!.sk, ...big[i]!.doc }));
    if (size >= MAX_PAGE_SIZE) return i + 1;
  }
  return big.length;
}

/** One measured figure. */
interface Figure {
  name: string;
  unit: "ops/s" | "items/s";
  rate: number;
}

async function timed(count: number, run: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await run(i);
  return count / ((performance.now() - start) / 1000);
}

async function measure(
  subject: DataPlaneSubject,
  rows: { small: Row[]; big: Row[] },
  page: number,
): Promise<Figure[]> {
  const random = mulberry32(seed);
  const pick = () => rows.small[Math.floor(random() * rows.small.length)]!;
  const n = (full: number) => (quick ? Math.max(3, Math.floor(full / 10)) : full);
  const check = (got: number, want: number, what: string) => {
    if (got !== want) {
      throw new Error(`${subject.name}: ${what} read ${got} items, expected ${want}`);
    }
  };
  const figures: Figure[] = [];
  const partitions = [...new Set(rows.small.map((row) => row.pk))];
  await subject.queryPartition(partitions[0]!);
  figures.push({
    name: "query: one 100-item partition",
    unit: "ops/s",
    rate: await timed(n(3000), async () => {
      check(
        await subject.queryPartition(partitions[Math.floor(random() * partitions.length)]!),
        100,
        "query",
      );
    }),
  });
  const pageLimit = subject.name === "kstone" ? undefined : page;
  figures.push({
    name: `query: one page (${page} items) of a 10,000-item partition`,
    unit: "ops/s",
    rate: await timed(
      n(200),
      async () => check(await subject.queryPartition("big#000000", pageLimit), page, "page"),
    ),
  });
  const total = rows.small.length + rows.big.length;
  await subject.scanAll();
  const scans = await timed(
    quick ? 2 : 5,
    async () => check(await subject.scanAll(), total, "scan"),
  );
  figures.push({ name: "scan: every item", unit: "items/s", rate: scans * total });
  let score = 0;
  figures.push({
    name: "conditional update, one at a time",
    unit: "ops/s",
    rate: await timed(n(1000), async () => {
      const row = pick();
      if (!(await subject.conditionalUpdate(row, row.doc.age, ++score))) {
        throw new Error("condition failed");
      }
    }),
  });
  const rounds = n(30);
  const inFlight = await timed(rounds, () =>
    Promise.all(Array.from({ length: 100 }, (_, i) => {
      const row = rows.small[(Math.floor(random() * 100) * 100 + i) % rows.small.length]!;
      return subject.conditionalUpdate(row, row.doc.age, ++score);
    })));
  figures.push({ name: "conditional update, 100 in flight", unit: "ops/s", rate: inFlight * 100 });
  for (const size of [2, 25]) {
    figures.push({
      name: `TransactWrite of ${size} items`,
      unit: "ops/s",
      rate: await timed(
        n(size === 2 ? 1000 : 400),
        (t) =>
          subject.transactPut(Array.from({ length: size }, (_, i) => ({
            pk: `tx#${size}#${t}`,
            sk: `item#${i}`,
            doc: rows.small[(t * size + i) % rows.small.length]!.doc,
          }))),
      ),
    });
  }
  return figures;
}

async function run(subject: DataPlaneSubject, rows: { small: Row[]; big: Row[] }, page: number) {
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, `kstone-data-plane-${subject.name.replace(/\W/g, "")}-`));
  try {
    await subject.create(dir);
    const loadStart = performance.now();
    await subject.load([...rows.small, ...rows.big]);
    const load = (performance.now() - loadStart) / 1000;
    const figures = await measure(subject, rows, page);
    await subject.close();
    return { load, figures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function peer(): Promise<DataPlaneSubject> {
  if (runtime === "bun") {
    const { SqliteDataPlane } = await import("./_data_plane_peers.ts");
    return SqliteDataPlane.open();
  }
  const { DenoKvDataPlane } = await import("./_data_plane_peers.ts");
  return new DenoKvDataPlane();
}

const rows = buildRows();
const page = pageItems(rows.big);
const other = await peer();
const peerResult = await run(other, rows, page);
const kstoneResult = await run(new KstoneDataPlane(), rows, page);
const version = (globalThis as { Bun?: { version: string } }).Bun?.version ??
  (globalThis as { Deno?: { version: { deno: string } } }).Deno?.version.deno;
if (json) {
  console.log(
    JSON.stringify(
      { runtime, version, seed, quick, dir: base, kstone: kstoneResult, peer: peerResult },
      null,
      2,
    ),
  );
} else {
  console.log(
    `\n${runtime} ${version}, 20,000 items, seed ${seed}${
      quick ? ", --quick" : ""
    }, temp dir ${base} (${filesystemType(base)})\n`,
  );
  const header = ["operation", "kstone", other.name, "kstone/peer"];
  const lines = kstoneResult.figures.map((figure, i) => {
    const theirs = peerResult.figures[i]!.rate;
    const fmt = (rate: number) => `${Math.round(rate).toLocaleString("en-US")} ${figure.unit}`;
    return [figure.name, fmt(figure.rate), fmt(theirs), `${(figure.rate / theirs).toFixed(2)}x`];
  });
  lines.push([
    "load (not part of the comparison)",
    `${kstoneResult.load.toFixed(2)} s`,
    `${peerResult.load.toFixed(2)} s`,
    "",
  ]);
  const widths = header.map((_, c) =>
    Math.max(...[header, ...lines].map((line) => line[c]!.length))
  );
  const render = (line: string[]) =>
    line.map((cell, c) => c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)).join("  ");
  console.log(render(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const line of lines) console.log(render(line));
}
