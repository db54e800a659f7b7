import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { readWal } from "../../../engine/wal/reader.ts";
import { WalWriter, type WalWriterOptions } from "../../../engine/wal/writer.ts";
import { payloadFor, Rng, testSeed } from "./_helpers.ts";

const PATH = "/db/wal.log";

/** The state of the workload at the instant of a simulated power cut. */
interface Snapshot {
  /** Only the synced bytes survived. */
  synced: MemoryFileSystem;
  /** The synced bytes and a random prefix of the unsynced ones survived. */
  prefix: MemoryFileSystem;
  /** Seeds the scrambling of the unsynced bytes. */
  seed: number;
  /** Every appended LSN up to this one had been acknowledged as durable (fdatasync'ed). */
  durable: number;
  /** Records below this LSN may be gone: a `truncateBefore` of it had been called. */
  floor: number;
  operation: number;
}

type Options = Omit<WalWriterOptions, "nextLsn">;

/**
 * Runs a random workload of appends (one to twenty per tick), waits, rewrites and reopens,
 * cloning the filesystem as a power cut would leave it after random operations.
 */
async function workload(
  seed: number,
  options: Options,
): Promise<{ snapshots: Snapshot[]; appended: Set<number> }> {
  const rng = new Rng(seed);
  const snapshots: Snapshot[] = [];
  const appended = new Set<number>();
  let durable = 0;
  let floor = 0;
  let lastAppended = 0;
  let wal: WalWriter | undefined;
  let armed = false;
  const fs = new MemoryFileSystem({
    onOperation(operation) {
      if (!armed || rng.next() < 0.5) return;
      const synced = options.syncMode === "interval" ? (wal?.lastDurableLsn ?? 0) : durable;
      const acknowledged = Math.min(synced, lastAppended);
      snapshots.push({
        synced: fs.crash({ seed: 0, keepUnsynced: 0 }),
        prefix: fs.crash({ seed: rng.int(2 ** 31), keepUnsynced: 1 }),
        seed: rng.int(2 ** 31),
        durable: acknowledged,
        floor,
        operation: operation.count,
      });
    },
  });
  await fs.mkdir("/db");
  await fs.syncDir("/");
  armed = true;
  wal = await WalWriter.create(fs, PATH, { nextLsn: 1, ...options });
  const pending: Promise<unknown>[] = [];
  for (let step = 0; step < 60; step++) {
    const action = rng.next();
    if (action < 0.6) {
      const count = 1 + rng.int(20);
      for (let i = 0; i < count; i++) {
        const lsn = wal.append(payloadFor(wal.nextLsn));
        appended.add(lsn);
        lastAppended = lsn;
        const noted = wal.durable(lsn).then(() => {
          if (options.syncMode !== "interval") durable = Math.max(durable, lsn);
        });
        pending.push(noted);
      }
      if (rng.next() < 0.5) await pending[pending.length - 1];
    } else if (action < 0.75) {
      await new Promise((resolve) => setTimeout(resolve, rng.int(3)));
    } else if (action < 0.9) {
      const lsn = floor + rng.int(wal.nextLsn - floor + 1);
      floor = Math.max(floor, lsn);
      pending.push(wal.truncateBefore(lsn));
      if (rng.next() < 0.5) await pending[pending.length - 1];
    } else {
      await Promise.all(pending);
      await wal.close();
      const log = await readWal(fs, PATH);
      // As the store does, never reuse an LSN a writer was opened past (it may live elsewhere).
      const nextLsn = Math.max(log.nextLsn, wal.nextLsn) + rng.int(3);
      wal = await WalWriter.openForAppend(fs, PATH, {
        ...options,
        nextLsn,
        validSize: log.validSize,
      });
    }
  }
  await Promise.all(pending);
  await wal.close();
  return { snapshots, appended };
}

/**
 * The prefix image with its unsynced bytes scrambled per 512-byte sector, as a disk with a
 * volatile cache may persist them: each sector kept, zeroed or filled with garbage, in any mix.
 */
async function scrambled(snapshot: Snapshot): Promise<MemoryFileSystem | undefined> {
  const fs = snapshot.prefix;
  if ((await fs.list("/db")).every((name) => name !== "wal.log")) return undefined;
  const synced = (await snapshot.synced.readFile(PATH)).length;
  const bytes = await fs.readFile(PATH);
  if (bytes.length === synced) return undefined;
  const rng = new Rng(snapshot.seed);
  for (let sector = synced - (synced % 512); sector < bytes.length; sector += 512) {
    const roll = rng.next();
    for (let at = Math.max(sector, synced); at < Math.min(sector + 512, bytes.length); at++) {
      if (roll < 0.3) bytes[at] = 0;
      else if (roll < 0.4) bytes[at] = rng.int(256);
    }
  }
  const file = await fs.open(PATH);
  file.write(bytes, 0);
  await file.datasync();
  file.close();
  return fs;
}

async function check(
  fs: MemoryFileSystem,
  snapshot: Snapshot,
  appended: Set<number>,
  context: string,
): Promise<void> {
  const where = `${context}, crash after operation ${snapshot.operation}`;
  if ((await fs.list("/db")).every((name) => name !== "wal.log")) {
    assert.equal(snapshot.durable, 0, `${where}: the log is missing`);
    return;
  }
  const log = await readWal(fs, PATH);
  const present = new Set<number>();
  let previous = 0;
  for (const record of log.records) {
    assert.ok(record.lsn > previous, `${where}: LSN ${record.lsn} after ${previous}`);
    assert.ok(appended.has(record.lsn), `${where}: LSN ${record.lsn} was never appended`);
    assert.deepEqual(
      record.payload,
      payloadFor(record.lsn),
      `${where}: payload of LSN ${record.lsn}`,
    );
    present.add(record.lsn);
    previous = record.lsn;
  }
  for (let lsn = snapshot.floor; lsn <= snapshot.durable; lsn++) {
    if (appended.has(lsn)) assert.ok(present.has(lsn), `${where}: durable LSN ${lsn} was lost`);
  }
  const wal = await WalWriter.openForAppend(fs, PATH, {
    nextLsn: log.nextLsn,
    validSize: log.validSize,
  });
  await wal.durable(wal.append(payloadFor(log.nextLsn)));
  await wal.close();
  const reopened = await readWal(fs, PATH);
  assert.equal(reopened.lastLsn, log.nextLsn, `${where}: append after recovery`);
  assert.equal(reopened.tornBytes, 0, `${where}: append after recovery`);
}

const configurations: Array<[string, Options]> = [
  ["always/async", {}],
  ["always/blocking", { syncCall: "blocking" }],
  ["interval", { syncMode: "interval", syncIntervalMs: 1 }],
];

for (const [name, options] of configurations) {
  test(`WalWriter survives power cuts at random points (${name}): durable records stay, no partial record`, async () => {
    const first = testSeed(`wal crash ${name}`);
    for (let run = 0; run < 4; run++) {
      const seed = first + run;
      const { snapshots, appended } = await workload(seed, options);
      assert.ok(snapshots.length > 20, `seed ${seed}: ${snapshots.length} snapshots`);
      let scrambles = 0;
      for (const snapshot of snapshots) {
        await check(snapshot.synced, snapshot, appended, `${name} seed ${seed}, synced bytes only`);
        const damaged = await scrambled(snapshot);
        if (damaged !== undefined) {
          scrambles++;
          await check(
            damaged,
            snapshot,
            appended,
            `${name} seed ${seed}, scrambled unsynced sectors`,
          );
        } else {
          await check(
            snapshot.prefix,
            snapshot,
            appended,
            `${name} seed ${seed}, a prefix of the unsynced bytes`,
          );
        }
      }
      assert.ok(scrambles > 5, `seed ${seed}: ${scrambles} scrambled images`);
    }
  });
}
