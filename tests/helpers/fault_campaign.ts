/**
 * The fault campaign of the store tests: a seeded random workload of puts, deletes, flushes and
 * compactions runs through `Database` on an `ErrorFileSystem` over a `MemoryFileSystem`; at a
 * random step one fault is injected (ENOSPC or EIO on a write, append, sync, rename, directory
 * sync, remove, open or truncate, once or until the disk is "fixed", sometimes a torn write).
 * The workload goes on, expecting only I/O errors and `FAILED`. Then:
 *
 * - the open database still reads every write it applied (reads go on after a failure);
 * - the directory a process kill would leave, and the ones a power cut would leave, open with
 *   the state of a prefix of the commits holding every acknowledged one;
 * - an open that itself meets a fault fails with that I/O error and leaves the directory
 *   openable once the fault is gone;
 * - once the fault is gone, the database closes and reopens with the same guarantee.
 *
 * @module
 */
import { Database } from "../../engine/db/database.ts";
import { KstoneError } from "../../engine/errors.ts";
import { ErrorFileSystem, type FaultOp, type FaultRule } from "../../engine/fs/error_fs.ts";
import { MemoryFileSystem } from "../../engine/fs/memory_fs.ts";
import type { StoreOptions } from "../../engine/store/options.ts";
import { CRASH_DIR, SMALL_OPTIONS } from "./crash_campaign.ts";
import { processKillCopy } from "./memory_fs_tools.ts";
import {
  explainMismatch,
  itemFor,
  keyUniverse,
  matchingPrefix,
  readAll,
  type Write,
} from "./model.ts";
import { Rng } from "./random.ts";

/** One run of the fault campaign. */
export interface FaultRun {
  /** Seeds the workload and the fault. */
  seed: number;
  /** Workload steps. */
  steps: number;
  /** How to replay this run, printed on failure. */
  replay: string;
}

/** What a run did. */
export interface FaultResult {
  /** The fault, described. */
  fault: string;
  /** How many calls it failed. */
  fired: number;
  /** Commits issued and acknowledged. */
  commits: number;
  acknowledged: number;
}

const OPS: readonly FaultOp[] = [
  "write",
  "append",
  "sync",
  "rename",
  "syncDir",
  "remove",
  "open",
  "truncate",
];

function randomRule(rng: Rng): FaultRule {
  const op = rng.pick(OPS);
  const rule: FaultRule = {
    op,
    nth: 1 + rng.int(op === "write" || op === "append" ? 40 : 12),
    times: rng.chance(0.5) ? 1 : Infinity,
    errno: rng.pick(["ENOSPC", "EIO"]),
  };
  const path = rng.pick([undefined, "wal.log", ".sst", "MANIFEST"]);
  if (path !== undefined) rule.path = path;
  if ((op === "write" || op === "append") && rng.chance(0.5)) rule.partial = true;
  return rule;
}

function describe(rule: FaultRule): string {
  return JSON.stringify(rule, (_, value) => value === Infinity ? "Infinity" : value);
}

class FaultFailure extends Error {
  constructor(run: FaultRun, fault: string, log: readonly string[], detail: string) {
    const shown = log.slice(-60);
    super(
      [
        `Fault campaign failed (seed ${run.seed})`,
        `replay: ${run.replay}`,
        `fault: ${fault}`,
        `problem: ${detail}`,
        `op log (last ${shown.length} of ${log.length} entries):`,
        ...shown,
      ].join("\n"),
    );
    this.name = "FaultFailure";
  }
}

/** Whether an error is one a fault may cause: an I/O error, or FAILED after one. */
function expected(error: unknown): boolean {
  return error instanceof KstoneError && (error.code === "IO_ERROR" || error.code === "FAILED");
}

/**
 * Runs one fault campaign run.
 *
 * @param run Seed and size.
 * @returns The fault and the counts.
 * @throws {FaultFailure} naming the seed, the fault and the op log.
 */
export async function runFaultCampaign(run: FaultRun): Promise<FaultResult> {
  const rng = new Rng(run.seed);
  const universe = keyUniverse(30 + rng.int(60));
  const options: StoreOptions = {
    ...SMALL_OPTIONS,
    maxStripeRecords: rng.pick([4, 12]),
    sstThreshold: rng.pick([2, 3]),
  };
  const inner = new MemoryFileSystem();
  const fs = new ErrorFileSystem(inner);
  const history: Write[][] = [];
  const notApplied = new Set<number>();
  const log: string[] = [`options ${JSON.stringify(options)}; ${universe.length} keys`];
  const problems: string[] = [];
  const pending = new Set<Promise<void>>();
  let ackedMax = -1;
  const rule = randomRule(rng);
  const fault = describe(rule);
  const faultAt = rng.int(run.steps);
  let active: ReturnType<ErrorFileSystem["inject"]> | undefined;

  const track = (promise: Promise<void>, what: string, version?: number) => {
    const tracked: Promise<void> = promise.then(
      () => {},
      (error: unknown) => {
        if (!expected(error)) problems.push(`${what} failed unexpectedly: ${String(error)}`);
        // FAILED: the WAL refused the append, so the commit never happened.
        if (version !== undefined && (error as KstoneError).code === "FAILED") {
          notApplied.add(version);
        }
      },
    ).finally(() => pending.delete(tracked));
    pending.add(tracked);
    return tracked;
  };
  const settle = async () => {
    while (pending.size > 0) await Promise.all(pending);
  };

  const db = await Database.create(CRASH_DIR, { fs, ...options });
  const commit = (write: Write) => {
    const version = history.length;
    history.push([write]);
    log.push(`#${version} ${write.put ? "put" : "delete"} ${write.pk}`);
    const { pk: _, ...rest } = itemFor(write.pk, version);
    const durable = write.put ? db.put(write.pk, rest) : db.delete(write.pk);
    return track(
      durable.then(() => {
        if (version > ackedMax) ackedMax = version;
      }),
      `commit #${version}`,
      version,
    );
  };

  for (let step = 0; step < run.steps && problems.length === 0; step++) {
    if (step === faultAt) {
      log.push(`inject ${fault}`);
      active = fs.inject(rule);
    }
    const r = rng.next();
    if (r < 0.55) {
      const done = commit({ pk: rng.pick(universe), put: rng.chance(0.8) });
      if (rng.chance(0.5)) await done;
    } else if (r < 0.7) {
      for (let i = 2 + rng.int(6); i > 0; i--) void commit({ pk: rng.pick(universe), put: true });
    } else if (r < 0.75) {
      log.push("flush");
      await track(db.flush(), "flush");
    } else if (r < 0.78) {
      log.push("compact");
      await track(db.compact(), "compact");
    } else if (r < 0.9) {
      await settle();
    } else {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  await settle();
  const fired = active?.fired ?? 0;
  for (const version of notApplied) history[version] = [];
  const acked = ackedMax + 1;
  const issued = history.length;
  const fail = (detail: string) => new FaultFailure(run, fault, log, detail);
  if (problems.length > 0) throw fail(problems.join("\n"));

  // Reads go on: the open database holds every applied commit.
  const live = await readAll(db, history, universe);
  if (typeof live === "string") throw fail(`live read: ${live}`);
  if (matchingPrefix(history, universe, live, issued, issued) === undefined) {
    throw fail(`live read: ${explainMismatch(history, universe, live, issued, issued)}`);
  }

  const check = async (label: string, target: MemoryFileSystem, faulty?: Rng) => {
    let what = label;
    let openFs: MemoryFileSystem | ErrorFileSystem = target;
    if (faulty !== undefined) {
      const wrapped = new ErrorFileSystem(target);
      const openRule: FaultRule = { ...randomRule(faulty), times: 1 };
      what = `${what} (${describe(openRule)})`;
      wrapped.inject(openRule);
      try {
        const first = await Database.open(CRASH_DIR, { fs: wrapped, ...options });
        await first.close().catch(() => {});
      } catch (error) {
        if (!expected(error)) throw fail(`${what}: a faulty open failed with ${error}`);
      }
      wrapped.clear();
      openFs = wrapped;
    }
    let reopened: Database;
    try {
      reopened = await Database.open(CRASH_DIR, { fs: openFs, ...options, flushOnClose: false });
    } catch (error) {
      throw fail(`${what}: the database does not open: ${error}`);
    }
    try {
      const state = await readAll(reopened, history, universe);
      if (typeof state === "string") throw fail(`${what}: ${state}`);
      if (matchingPrefix(history, universe, state, acked, issued) === undefined) {
        throw fail(`${what}: ${explainMismatch(history, universe, state, acked, issued)}`);
      }
      const lost = reopened.health().warnings.filter((warning) => /missing/.test(warning));
      if (lost.length > 0) throw fail(`${what}: ${lost.join("; ")}`);
    } finally {
      await reopened.close().catch(() => {});
    }
  };

  await check("after a process kill", await processKillCopy(inner));
  for (const keep of [0, 1]) {
    await check(
      `after a power cut (keepUnsynced ${keep})`,
      inner.crash({ seed: run.seed, keepUnsynced: keep }),
    );
  }
  await check("an open meeting a fault, then a clean one", await processKillCopy(inner), rng);

  fs.clear();
  await db.close().catch((error: unknown) => {
    if (!expected(error)) throw fail(`close failed: ${error}`);
  });
  await check("after close and reopen", inner);
  return { fault, fired, commits: issued, acknowledged: acked };
}
