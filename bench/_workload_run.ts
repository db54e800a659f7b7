/**
 * The workload's phases, run on one subject in fresh directories: durable sequential puts,
 * durable puts 100 in flight, bulk load, warm random gets, reopen + first gets; with disk bytes,
 * bytes written to storage and peak RSS.
 *
 * @module
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type ItemSet, randomIndices } from "./_items.ts";
import { directoryBytes, loadAverage, RssSampler, storageBytesWritten } from "./_proc.ts";
import type { Subject } from "./_subject.ts";

/** The sizes of the workload. */
export interface WorkloadPlan {
  /** Seed of the items, the insert order and the random gets. */
  seed: number;
  /** Most durable sequential puts. */
  sequentialPuts: number;
  /** Time box of the sequential puts, in ms. */
  sequentialMs: number;
  /** Durable puts of the in-flight phase. */
  inFlightPuts: number;
  /** Puts in flight at once. */
  inFlight: number;
  /** Items per bulk-load batch. */
  batch: number;
  /** Warm random gets after the load. */
  gets: number;
  /** Random gets timed after reopen. */
  reopenGets: number;
  /** Items read back and compared after the warm gets. */
  verify: number;
}

/** A measured rate. */
export interface Rate {
  /** Operations done. */
  count: number;
  /** Elapsed milliseconds. */
  ms: number;
  /** Operations per second. */
  perSecond: number;
}

/** Everything measured on one subject. */
export interface SubjectResult {
  /** The subject's name. */
  subject: string;
  /** Durable sequential puts. */
  sequentialPuts: Rate;
  /** Durable puts, `inFlight` at once. */
  inFlightPuts: Rate & { inFlight: number };
  /** The bulk load. */
  bulkLoad: Rate & { batch: number };
  /** Bytes of the directory right after the load. */
  diskAfterLoad: number;
  /** Bytes of the directory after close. */
  diskAfterClose: number;
  /** Bytes written to storage from the start of the load through close, if measurable. */
  writtenThroughClose: number | undefined;
  /** Warm random gets, one at a time. */
  warmGets: Rate & { misses: number };
  /** Items read back and compared with what was written, and how many differed. */
  verified: { count: number; mismatches: number };
  /** Reopen, then the first random gets. */
  reopen: { openMs: number; gets: number; getsMs: number; totalMs: number; misses: number };
  /** Peak resident set size of the process, bytes. */
  peakRss: number;
  /** Store-specific figures after the load. */
  details: Record<string, unknown>;
  /** The machine's 1-minute load average at the start and the end (other work skews figures). */
  load: { start: number | undefined; end: number | undefined };
}

const DOC_FIELDS = ["name", "email", "age", "score", "tags", "bio"];

function rate(count: number, ms: number): Rate {
  return { count, ms: round(ms), perSecond: Math.round(count / (ms / 1000)) };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function log(subject: string, message: string): void {
  console.error(`[${subject}] ${message}`);
}

/**
 * Runs every phase on `subject` under `baseDir` and removes what it made.
 *
 * @param subject The store under test.
 * @param items The items.
 * @param plan The sizes.
 * @param baseDir An existing directory on the disk to measure.
 * @returns The measurements.
 */
export async function runWorkload<R>(
  subject: Subject<R>,
  items: ItemSet,
  plan: WorkloadPlan,
  baseDir: string,
): Promise<SubjectResult> {
  const name = subject.name;
  const loadAtStart = loadAverage();
  const rss = new RssSampler();
  rss.start();
  const order = items.order;
  const at = (n: number) => order[n % items.count]!;
  try {
    // (1) + (2) on their own database, then dropped.
    const small = join(baseDir, "puts");
    mkdirSync(small, { recursive: true });
    await subject.create(small);
    let done = 0;
    const seqStart = performance.now();
    while (done < plan.sequentialPuts && performance.now() - seqStart < plan.sequentialMs) {
      await subject.putOne(subject.row(at(done++)));
    }
    const sequentialPuts = rate(done, performance.now() - seqStart);
    log(name, `durable sequential puts: ${fmtRate(sequentialPuts)}`);

    let flightMs = 0;
    for (let n = 0; n < plan.inFlightPuts; n += plan.inFlight) {
      const rows: R[] = [];
      for (let k = n; k < Math.min(n + plan.inFlight, plan.inFlightPuts); k++) {
        rows.push(subject.row(at(done + k)));
      }
      const start = performance.now();
      await subject.putInFlight(rows);
      flightMs += performance.now() - start;
    }
    const inFlightPuts = { ...rate(plan.inFlightPuts, flightMs), inFlight: plan.inFlight };
    log(name, `durable puts, ${plan.inFlight} in flight: ${fmtRate(inFlightPuts)}`);
    await subject.close();
    rmSync(small, { recursive: true, force: true });
    rss.sample();

    // (3) bulk load on a fresh database.
    const dir = join(baseDir, "load");
    mkdirSync(dir, { recursive: true });
    await subject.create(dir);
    const writtenBefore = storageBytesWritten();
    let loadMs = 0;
    for (let n = 0; n < items.count; n += plan.batch) {
      const rows: R[] = [];
      for (let k = n; k < Math.min(n + plan.batch, items.count); k++) rows.push(subject.row(at(k)));
      const start = performance.now();
      await subject.putBatch(rows);
      loadMs += performance.now() - start;
    }
    const bulkLoad = { ...rate(items.count, loadMs), batch: plan.batch };
    const diskAfterLoad = directoryBytes(dir);
    const details = (await subject.details?.()) ?? {};
    log(name, `bulk load: ${fmtRate(bulkLoad)}, disk ${mib(diskAfterLoad)} MiB`);
    rss.sample();

    // (4) warm random gets, one at a time.
    const keys = randomIndices(plan.gets, items.count, plan.seed + 1);
    let misses = 0;
    const getStart = performance.now();
    for (let n = 0; n < keys.length; n++) {
      const i = keys[n]!;
      if (!(await subject.get(items.pk(i), items.sk(i)))) misses++;
    }
    const warmGets = { ...rate(keys.length, performance.now() - getStart), misses };
    log(name, `warm random gets: ${fmtRate(warmGets)}, ${misses} misses`);
    rss.sample();
    const verified = await verify(subject, items, plan);

    // (5) close, reopen, first gets.
    await subject.close();
    const diskAfterClose = directoryBytes(dir);
    const writtenAfter = storageBytesWritten();
    const writtenThroughClose = writtenBefore === undefined || writtenAfter === undefined
      ? undefined
      : writtenAfter - writtenBefore;
    const firstKeys = randomIndices(plan.reopenGets, items.count, plan.seed + 2);
    let reopenMisses = 0;
    const openStart = performance.now();
    await subject.open(dir);
    const openMs = performance.now() - openStart;
    for (let n = 0; n < firstKeys.length; n++) {
      const i = firstKeys[n]!;
      if (!(await subject.get(items.pk(i), items.sk(i)))) reopenMisses++;
    }
    const totalMs = performance.now() - openStart;
    const reopen = {
      openMs: round(openMs),
      gets: firstKeys.length,
      getsMs: round(totalMs - openMs),
      totalMs: round(totalMs),
      misses: reopenMisses,
    };
    log(name, `reopen + ${firstKeys.length} gets: ${reopen.totalMs} ms (open ${reopen.openMs})`);
    await subject.close();
    rmSync(dir, { recursive: true, force: true });
    rss.stop();
    return {
      subject: name,
      sequentialPuts,
      inFlightPuts,
      bulkLoad,
      diskAfterLoad,
      diskAfterClose,
      writtenThroughClose,
      warmGets,
      verified,
      reopen,
      peakRss: rss.peak(),
      details,
      load: { start: loadAtStart, end: loadAverage() },
    };
  } finally {
    rss.stop();
  }
}

async function verify<R>(
  subject: Subject<R>,
  items: ItemSet,
  plan: WorkloadPlan,
): Promise<{ count: number; mismatches: number }> {
  const keys = randomIndices(plan.verify, items.count, plan.seed + 3);
  let mismatches = 0;
  for (const i of keys) {
    const doc = await subject.read(items.pk(i), items.sk(i));
    const expected = JSON.stringify(items.doc(i), DOC_FIELDS);
    if (doc === undefined || JSON.stringify(doc, DOC_FIELDS) !== expected) {
      if (mismatches++ === 0) {
        log(subject.name, `MISMATCH at ${items.pk(i)}/${items.sk(i)}: ${JSON.stringify(doc)}`);
      }
    }
  }
  return { count: keys.length, mismatches };
}

/** Formats a rate as `12,345/s (1,000 in 81.0 ms)`. */
export function fmtRate(r: Rate): string {
  return `${r.perSecond.toLocaleString("en-US")}/s (${r.count} in ${r.ms} ms)`;
}

/** Bytes to MiB with one decimal. */
export function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
