/**
 * Benchmarks of the WAL writer on the real disk, in a temp directory, with the runtime's own
 * filesystem adapter (`DenoFileSystem` under Deno, `NodeFileSystem` under Bun):
 *
 * - raw: write 274 bytes + fdatasync with no WAL around it, blocking and async (the floor);
 * - (a) sequential durable appends of 250-byte payloads (append, await durable, repeat);
 * - (b) 10,000 durable appends with 100 in flight (100 writers, each append + await durable);
 *   "deep" awaits through two extra async functions, as the store and the API layer will;
 * - (c) appends of 1,000 at once, then await the last;
 * - (d) 100 clients whose requests arrive as separate events (a `setTimeout` between requests,
 *   as network I/O would deliver them), each doing 20 us of CPU work before the append and after
 *   the durable wait. This is where a blocking fdatasync defeats group commit.
 *
 * Each scenario runs for the `syncCall` policies `async` and `blocking`, interleaved
 * round by round so that a noisy disk hurts them alike; the table shows the median of the rounds
 * and the range. `interval` mode runs once at the end for reference.
 *
 * Run: `deno run -A bench/wal_bench.ts` or `bun bench/wal_bench.ts`; `--rounds N` (default 5).
 *
 * @module
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import type { FileSystem } from "../engine/fs/file_system.ts";
import { currentRuntime, defaultFileSystem } from "../engine/fs/runtime_fs.ts";
import { type WalSyncCall, WalWriter, type WalWriterOptions } from "../engine/wal/writer.ts";

const roundsFlag = process.argv.indexOf("--rounds");
const ROUNDS = roundsFlag > 0 ? Number(process.argv[roundsFlag + 1]) : 5;
const SEQUENTIAL = 1000;
const CONCURRENT = 10_000;
const IN_FLIGHT = 100;
const BULK = 1000;
const BULK_ROUNDS = 10;
const PAYLOAD = new Uint8Array(250).map((_, i) => i);
const ARRIVING = 5000;
const WORK_US = 20;
const POLICIES: WalSyncCall[] = ["async", "blocking"];

type Options = Omit<WalWriterOptions, "nextLsn">;

/** One measured run: operations, elapsed milliseconds, fdatasyncs. */
interface Run {
  ops: number;
  ms: number;
  syncs: number;
}

const fs: FileSystem = defaultFileSystem();
const dir = mkdtempSync(`${tmpdir()}/kstone-wal-bench-`);
let files = 0;

async function writer(options: Options): Promise<WalWriter> {
  return await WalWriter.create(fs, `${dir}/wal-${files++}.log`, { nextLsn: 1, ...options });
}

async function measure(wal: WalWriter, ops: number, body: () => Promise<void>): Promise<Run> {
  const syncs = wal.stats.syncs;
  const start = performance.now();
  await body();
  const ms = performance.now() - start;
  const run = { ops, ms, syncs: wal.stats.syncs - syncs };
  await wal.close();
  return run;
}

async function raw(blocking: boolean): Promise<Run> {
  const file = await fs.open(`${dir}/raw-${files++}.bin`, { create: true, truncate: true });
  const record = new Uint8Array(274);
  const start = performance.now();
  for (let i = 0; i < SEQUENTIAL; i++) {
    file.write(record, i * record.length);
    if (blocking) file.datasyncSync();
    else await file.datasync();
  }
  const ms = performance.now() - start;
  file.close();
  return { ops: SEQUENTIAL, ms, syncs: SEQUENTIAL };
}

async function sequential(options: Options): Promise<Run> {
  const wal = await writer(options);
  return await measure(wal, SEQUENTIAL, async () => {
    for (let i = 0; i < SEQUENTIAL; i++) await wal.durable(wal.append(PAYLOAD));
  });
}

async function commit(wal: WalWriter): Promise<void> {
  await wal.durable(wal.append(PAYLOAD));
}

async function apiPut(wal: WalWriter): Promise<void> {
  await commit(wal);
}

async function concurrent(options: Options, deep: boolean): Promise<Run> {
  const wal = await writer(options);
  let remaining = CONCURRENT;
  const client = async () => {
    while (remaining-- > 0) {
      if (deep) await apiPut(wal);
      else await wal.durable(wal.append(PAYLOAD));
    }
  };
  return await measure(wal, CONCURRENT, async () => {
    await Promise.all(Array.from({ length: IN_FLIGHT }, client));
  });
}

async function bulk(options: Options): Promise<Run> {
  const wal = await writer(options);
  return await measure(wal, BULK * BULK_ROUNDS, async () => {
    for (let round = 0; round < BULK_ROUNDS; round++) {
      let last = 0;
      for (let i = 0; i < BULK; i++) last = wal.append(PAYLOAD);
      await wal.durable(last);
    }
  });
}

function spin(micros: number): void {
  const end = performance.now() + micros / 1000;
  while (performance.now() < end) {
    // CPU work of a request: parsing, encoding, checks.
  }
}

async function arriving(options: Options): Promise<Run> {
  const wal = await writer(options);
  let remaining = ARRIVING;
  const client = async () => {
    while (remaining-- > 0) {
      spin(WORK_US);
      await wal.durable(wal.append(PAYLOAD));
      spin(WORK_US);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  return await measure(wal, ARRIVING, async () => {
    await Promise.all(Array.from({ length: IN_FLIGHT }, client));
  });
}

function rate(run: Run): number {
  return run.ops / run.ms * 1000;
}

function print(name: string, runs: Run[]): void {
  const rates = runs.map(rate).sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)]!;
  const per = runs.reduce((sum, run) => sum + run.ops, 0) /
    Math.max(1, runs.reduce((sum, run) => sum + run.syncs, 0));
  const fmt = (value: number) => Math.round(value).toLocaleString("en-US");
  console.log(
    `${name.padEnd(30)} ${fmt(median).padStart(10)} /s  ${
      (1e6 / median).toFixed(1).padStart(7)
    } us/op` +
      `  range ${fmt(rates[0]!)}..${fmt(rates[rates.length - 1]!)}  ${per.toFixed(1)} records/sync`,
  );
}

const scenarios: Array<[string, (options: Options) => Promise<Run>]> = [
  ["(a) sequential", sequential],
  [`(b) ${IN_FLIGHT} in flight`, (options) => concurrent(options, false)],
  [`(b) ${IN_FLIGHT} in flight, deep`, (options) => concurrent(options, true)],
  [`(c) ${BULK} at once`, bulk],
  [`(d) ${IN_FLIGHT} arriving, ${WORK_US}us work`, arriving],
];

console.log(
  `WAL bench on ${currentRuntime()} (${fs.name} filesystem), ${ROUNDS} rounds, in ${dir}`,
);
try {
  const rawRuns: Record<string, Run[]> = { blocking: [], async: [] };
  for (let round = 0; round < ROUNDS; round++) {
    rawRuns.blocking!.push(await raw(true));
    rawRuns.async!.push(await raw(false));
  }
  print("raw write+fdatasync blocking", rawRuns.blocking!);
  print("raw write+fdatasync async", rawRuns.async!);
  for (const [name, scenario] of scenarios) {
    const runs = new Map<WalSyncCall, Run[]>(POLICIES.map((policy) => [policy, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const policy of POLICIES) runs.get(policy)!.push(await scenario({ syncCall: policy }));
    }
    for (const policy of POLICIES) print(`${name} ${policy}`, runs.get(policy)!);
  }
  print("(a) sequential, interval mode", [await sequential({ syncMode: "interval" })]);
  print(`(b) ${IN_FLIGHT} in flight, interval mode`, [
    await concurrent({ syncMode: "interval" }, false),
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
