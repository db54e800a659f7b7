/**
 * The crash campaign of the store tests: a seeded random workload of puts, deletes, atomic
 * batches, flushes, compactions and reopens runs on a `MemoryFileSystem`; at operations chosen
 * at random (reservoir sampling over the whole run) the filesystem is cloned as a power cut would
 * leave it, noting which commits had been acknowledged at that instant. Each clone is then
 * opened with `Database.open` and checked:
 *
 * - the database opens;
 * - its content equals the state after some prefix of the commits, at least as long as the
 *   acknowledged ones (so every acknowledged write is there, and a commit that was not
 *   acknowledged is either wholly there or wholly absent: a batch of several writes is all or
 *   nothing, and nothing newer survives without everything older);
 * - every item is byte for byte the one its commit wrote;
 * - `health()` reports no lost file and no failure;
 * - for some clones: a second power cut right after recovery changes nothing, and the recovered
 *   database takes new writes, flushes and reopens.
 *
 * @module
 */
import { encodeItem } from "../../engine/codec/item_codec.ts";
import { encodeKey, stripeOf } from "../../engine/codec/key_codec.ts";
import { Database } from "../../engine/db/database.ts";
import type { FileSystem } from "../../engine/fs/file_system.ts";
import { MemoryFileSystem } from "../../engine/fs/memory_fs.ts";
import { marshallItem } from "../../engine/model/marshall.ts";
import { createStore, openStore } from "../../engine/store/open.ts";
import type { StoreOptions } from "../../engine/store/options.ts";
import type { Store } from "../../engine/store/store.ts";
import { JitterFileSystem } from "./jitter_fs.ts";
import { processKillCopy } from "./memory_fs_tools.ts";
import {
  explainMismatch,
  itemFor,
  keyUniverse,
  matchingPrefix,
  readAll,
  sameState,
  TABLE_PREFIX,
  type Write,
} from "./model.ts";
import { Rng } from "./random.ts";

/** The database directory of the campaigns: nested, so its parents must be made durable too. */
export const CRASH_DIR = "/data/crash.keystone";

/** Limits small enough that a few hundred writes flush, rewrite the WAL and compact. */
export const SMALL_OPTIONS: Readonly<StoreOptions> = Object.freeze({
  memtableBudgetBytes: 64 * 1024,
  maxStripeRecords: 12,
  maxWalBytes: 64 * 1024,
  sstThreshold: 3,
  blockSize: 512,
});

/** What the workload drives: the Database API, or the Store directly (atomic batches). */
export type CampaignMode = "database" | "store";

/** One run of a campaign. */
export interface CampaignRun {
  /** `database`: single puts and deletes through `Database`; `store`: batches via `Store.commit`. */
  mode: CampaignMode;
  /** Seeds the workload and the crash points. */
  seed: number;
  /** Workload steps. */
  steps: number;
  /** Crash points to sample. */
  points: number;
  /** How to replay this run, printed on failure. */
  replay: string;
}

/** What a run did. */
export interface CampaignResult {
  /** Crash points checked. */
  points: number;
  /** Filesystem operations the workload made. */
  operations: number;
  /** Commits issued. */
  commits: number;
}

interface CrashPoint {
  fs: MemoryFileSystem;
  acked: number;
  issued: number;
  operation: number;
  kind: string;
  path: string;
  keep: number;
  crashSeed: number;
  logLength: number;
}

interface Driver {
  commit(writes: readonly Write[], version: number): Promise<void>;
  /** How many commits are fdatasync'ed (known in store mode only). */
  durableCommits(): number | undefined;
  flush(): Promise<void>;
  compact(): Promise<void>;
  close(): Promise<void>;
}

function databaseDriver(db: Database): Driver {
  return {
    commit(writes, version) {
      const [write] = writes;
      if (writes.length !== 1 || write === undefined) {
        throw new RangeError("Cannot commit a batch through the Database API");
      }
      if (write.pk.startsWith(TABLE_PREFIX)) {
        const name = write.pk.slice(TABLE_PREFIX.length);
        return db.createTable(name, { partitionKey: { name: "id", type: "S" } }).then(() => {});
      }
      if (!write.put) return db.delete(write.pk).then(() => {});
      const { pk: _, ...rest } = itemFor(write.pk, version);
      return db.put(write.pk, rest).then(() => {});
    },
    durableCommits: () => undefined,
    flush: () => db.flush(),
    compact: () => db.compact(),
    close: () => db.close(),
  };
}

function storeDriver(store: Store): Driver {
  return {
    commit(writes, version) {
      const durable = store.commit(writes.map((write) => ({
        stripe: stripeOf({ S: write.pk }),
        key: encodeKey(1, { S: write.pk }),
        value: write.put ? encodeItem(marshallItem(itemFor(write.pk, version))) : null,
      })));
      if (store.lastLsn !== version + 1) {
        throw new Error(`Commit #${version} got LSN ${store.lastLsn}: LSNs must follow commits`);
      }
      return durable;
    },
    durableCommits: () => store.wal.lastDurableLsn,
    flush: () => store.flush(),
    compact: () => store.compact(),
    close: () => store.close(),
  };
}

async function createDriver(mode: CampaignMode, fs: FileSystem, options: StoreOptions) {
  return mode === "database"
    ? databaseDriver(await Database.create(CRASH_DIR, { fs, ...options }))
    : storeDriver(await createStore(fs, CRASH_DIR, options));
}

async function openDriver(mode: CampaignMode, fs: FileSystem, options: StoreOptions) {
  return mode === "database"
    ? databaseDriver(await Database.open(CRASH_DIR, { fs, ...options }))
    : storeDriver(await openStore(fs, CRASH_DIR, options));
}

function describeWrites(writes: readonly Write[]): string {
  return writes.map((write) => `${write.put ? "put" : "delete"} ${write.pk}`).join(", ");
}

/** Fails a run with everything needed to replay and understand it. */
class CampaignFailure extends Error {
  constructor(run: CampaignRun, log: readonly string[], detail: string, point?: CrashPoint) {
    const lines = [`Crash campaign failed (${run.mode} mode, seed ${run.seed})`];
    lines.push(`replay: ${run.replay}`);
    if (point !== undefined) {
      lines.push(
        `crash point: after operation ${point.operation} (${point.kind} ${point.path}), ` +
          `keepUnsynced ${point.keep}, crash seed ${point.crashSeed}; ` +
          `commits 0..${point.acked - 1} acknowledged, ${point.issued} issued`,
      );
    }
    lines.push(`problem: ${detail}`);
    const upTo = point?.logLength ?? log.length;
    const shown = log.slice(Math.max(1, upTo - 80), upTo);
    lines.push(log[0] ?? "", `op log (last ${shown.length} of ${upTo} entries):`, ...shown);
    super(lines.join("\n"));
    this.name = "CampaignFailure";
  }
}

/**
 * Runs the workload of one campaign run and checks every crash point it sampled.
 *
 * @param run Mode, seed and sizes.
 * @returns What was checked.
 * @throws {CampaignFailure} naming the seed, the crash point and the op log.
 */
export async function runCrashCampaign(run: CampaignRun): Promise<CampaignResult> {
  const rng = new Rng(run.seed);
  const sampler = new Rng(run.seed ^ 0x5bd1e995);
  const keys = keyUniverse(40 + rng.int(120));
  // In database mode, tables are created now and then; their existence is checked like a key.
  const tables = run.mode === "database"
    ? Array.from({ length: 6 }, (_, i) => `${TABLE_PREFIX}tbl${i}`)
    : [];
  const universe = [...keys, ...tables];
  const history: Write[][] = [];
  const log: string[] = [];
  const crashes: CrashPoint[] = [];
  const failures: string[] = [];
  let ackedMax = -1;
  let armed = false;
  let driver!: Driver;
  let seen = 0;
  const fs = new MemoryFileSystem({
    onOperation(operation) {
      if (!armed) return;
      seen++;
      const slot = crashes.length < run.points ? crashes.length : sampler.int(seen);
      if (slot >= run.points) return;
      const keep = sampler.pick([0, 0.5, 1]);
      const crashSeed = sampler.int(2 ** 31);
      crashes[slot] = {
        fs: fs.crash({ seed: crashSeed, keepUnsynced: keep }),
        acked: options.durability === "interval" ? (driver.durableCommits() ?? 0) : ackedMax + 1,
        issued: history.length,
        operation: operation.count,
        kind: operation.kind,
        path: operation.path,
        keep,
        crashSeed,
        logLength: log.length,
      };
    },
  });
  const interval = run.mode === "store" && rng.chance(0.3);
  const options: StoreOptions = {
    ...SMALL_OPTIONS,
    durability: interval ? "interval" : "always",
    // No timer sync within a run: the WAL is synced only by flushes, rewrites and close, which
    // keeps runs deterministic (replayable from the seed) and leaves long unsynced windows.
    syncIntervalMs: 60_000,
    maxStripeRecords: rng.pick([4, 12, 40]),
    sstThreshold: rng.pick([2, 3, 4]),
    flushOnClose: rng.chance(0.5),
    autoCompact: rng.chance(0.85),
  };
  const jitter = rng.chance(0.5);
  const engineFs = jitter ? new JitterFileSystem(fs, run.seed) : fs;
  log.push(`options ${JSON.stringify(options)}; ${keys.length} keys; jitter ${jitter}`);
  driver = await createDriver(run.mode, engineFs, options);
  armed = true;

  const pending = new Set<Promise<void>>();
  const track = (promise: Promise<void>, what: string) => {
    const tracked: Promise<void> = promise.then(
      () => {},
      (error: unknown) => void failures.push(`${what} failed: ${String(error)}`),
    ).finally(() => pending.delete(tracked));
    pending.add(tracked);
  };
  const settle = async () => {
    while (pending.size > 0) await Promise.all(pending);
  };
  const commit = (writes: Write[]) => {
    const version = history.length;
    history.push(writes);
    log.push(`#${version} ${describeWrites(writes)}`);
    return driver.commit(writes, version).then(() => {
      if (version > ackedMax) ackedMax = version;
    });
  };
  const commitOne = async (writes: Write[]) => {
    const durable = commit(writes);
    if (rng.chance(0.5)) await durable;
    else track(durable, `commit #${history.length - 1}`);
  };
  const pickWrites = (count: number) => {
    const writes: Write[] = [];
    const used = new Set<string>();
    while (writes.length < count) {
      const pk = rng.pick(keys);
      if (used.has(pk)) continue;
      used.add(pk);
      writes.push({ pk, put: rng.chance(0.8) });
    }
    return writes;
  };

  try {
    for (let step = 0; step < run.steps && failures.length === 0; step++) {
      const r = rng.next();
      if (r < 0.5) {
        await commitOne(pickWrites(1));
      } else if (r < 0.64) {
        await commitOne([{ pk: rng.pick(keys), put: false }]);
      } else if (r < 0.76) {
        const count = 2 + rng.int(7);
        if (run.mode === "store") await commitOne(pickWrites(count));
        else for (const write of pickWrites(count)) track(commit([write]), "commit");
      } else if (r < 0.765 && tables.length > 0) {
        const table = tables.shift()!;
        await commitOne([{ pk: table, put: true }]);
      } else if (r < 0.79) {
        log.push("flush");
        if (rng.chance(0.5)) await driver.flush();
        else track(driver.flush(), "flush");
      } else if (r < 0.81) {
        log.push("compact");
        if (rng.chance(0.5)) await driver.compact();
        else track(driver.compact(), "compact");
      } else if (r < 0.815) {
        log.push("reopen");
        await settle();
        await driver.close();
        driver = await openDriver(run.mode, engineFs, options);
      } else if (r < 0.9) {
        await settle();
      } else {
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
    await settle();
    log.push("close");
    await driver.close();
  } catch (error) {
    failures.push(`the workload failed: ${error instanceof Error ? error.stack : error}`);
  }
  armed = false;
  if (failures.length > 0) throw new CampaignFailure(run, log, failures.join("\n"));

  crashes.sort((a, b) => a.operation - b.operation);
  for (const point of crashes) {
    const problem = await checkCrashPoint(point, history, universe, options, sampler);
    if (problem !== undefined) throw new CampaignFailure(run, log, problem, point);
  }
  return { points: crashes.length, operations: fs.operationCount, commits: history.length };
}

async function checkCrashPoint(
  point: CrashPoint,
  history: readonly Write[][],
  universe: readonly string[],
  options: StoreOptions,
  sampler: Rng,
): Promise<string | undefined> {
  const verifyOptions = { ...options, flushOnClose: false, autoCompact: false };
  let db: Database;
  try {
    db = await Database.open(CRASH_DIR, { fs: point.fs, ...verifyOptions });
  } catch (error) {
    return `the database does not open: ${error instanceof Error ? error.stack : error}`;
  }
  try {
    const recovered = await readAll(db, history, universe);
    if (typeof recovered === "string") return recovered;
    if (matchingPrefix(history, universe, recovered, point.acked, point.issued) === undefined) {
      return explainMismatch(history, universe, recovered, point.acked, point.issued);
    }
    const health = db.health();
    const unexpected = health.warnings.filter((warning) =>
      !/torn WAL tail|High SST count/.test(warning)
    );
    if (health.status === "unhealthy" || unexpected.length > 0) {
      return `health after recovery: ${JSON.stringify(health)}`;
    }
    if (sampler.chance(0.15)) {
      const again = await Database.open(CRASH_DIR, {
        fs: point.fs.crash({ seed: sampler.int(2 ** 31), keepUnsynced: 0.5 }),
        ...verifyOptions,
      });
      const second = await readAll(again, history, universe);
      await again.close();
      if (typeof second === "string" || !sameState(recovered, second)) {
        return `a second power cut right after recovery changed the state: ${
          typeof second === "string" ? second : "different versions"
        }`;
      }
    }
    if (sampler.chance(0.1)) {
      const problem = await crashDuringRecovery(point.fs, history, universe, recovered, sampler);
      if (problem !== undefined) return problem;
    }
    if (sampler.chance(0.15)) {
      await db.put("sentinel", { after: "recovery" });
      await db.flush();
      await db.close();
      db = await Database.open(CRASH_DIR, { fs: point.fs, ...verifyOptions });
      const reopened = await readAll(db, history, universe);
      const sentinel = await db.get("sentinel");
      if (
        typeof reopened === "string" || !sameState(recovered, reopened) || sentinel === undefined
      ) {
        return `the recovered database lost data after a write, a flush and a reopen: ${
          typeof reopened === "string" ? reopened : `sentinel ${JSON.stringify(sentinel)}`
        }`;
      }
    }
    return undefined;
  } catch (error) {
    return `checking the recovered database failed: ${
      error instanceof Error ? error.stack : error
    }`;
  } finally {
    await db.close().catch(() => {});
  }
}

/**
 * Recovers a copy of a crashed directory again while power cuts hit the recovery itself (its
 * WAL truncation and sync, its removal of unlisted files): each must recover the same state.
 */
async function crashDuringRecovery(
  crashed: MemoryFileSystem,
  history: readonly Write[][],
  universe: readonly string[],
  recovered: ReadonlyMap<string, number>,
  sampler: Rng,
): Promise<string | undefined> {
  const images: { fs: MemoryFileSystem; at: string }[] = [];
  let armed = false;
  const copy: MemoryFileSystem = await processKillCopy(crashed, {
    onOperation(operation) {
      if (!armed) return;
      const seed = sampler.int(2 ** 31);
      images.push({
        fs: copy.crash({ seed, keepUnsynced: 0.5 }),
        at: `${operation.kind} ${operation.path} (crash seed ${seed})`,
      });
    },
  });
  armed = true;
  const db = await Database.open(CRASH_DIR, { fs: copy, flushOnClose: false, autoCompact: false });
  armed = false;
  await db.close();
  for (const image of images) {
    let again: Database;
    try {
      again = await Database.open(CRASH_DIR, { fs: image.fs, flushOnClose: false });
    } catch (error) {
      return `a power cut during recovery, after ${image.at}, left a database that does not open: ${error}`;
    }
    const state = await readAll(again, history, universe);
    await again.close();
    if (typeof state === "string" || !sameState(recovered, state)) {
      return `a power cut during recovery, after ${image.at}, changed the recovered state: ${
        typeof state === "string" ? state : "different versions"
      }`;
    }
  }
  return undefined;
}
