import { test } from "node:test";
import assert from "node:assert/strict";
import { Database, type Item, MemoryFileSystem } from "../../../mod.ts";
import { Rng, seedFromEnv } from "../model/_rng.ts";

const DIR = "/data/crash.keystone";
const ACCOUNTS = ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"];
const TRANSACTIONS = 30;

type State = Map<string, Item>;

/** A power cut: the filesystem as it would be, and how many transactions were acknowledged then. */
interface Cut {
  fs: MemoryFileSystem;
  acknowledged: number;
  operation: number;
}

function apply(state: State, t: number, moves: [string, number][]): State {
  const next = new Map(state);
  for (const [account, delta] of moves) {
    const old = next.get(account)!;
    next.set(account, { ...old, balance: (old.balance as number) + delta, last: t });
  }
  next.set(`log#${t}`, { pk: `log#${t}`, accounts: moves.map(([account]) => account) });
  return next;
}

function render(state: State): string {
  return JSON.stringify(
    [...state.values()].sort((x, y) => (x.pk as string) < (y.pk as string) ? -1 : 1),
  );
}

test("transactWrite() is all or nothing after a power cut at every filesystem operation", {
  timeout: 120_000,
}, async () => {
  const seed = seedFromEnv();
  console.log(`crash test seed ${seed} (replay with KSTONE_SEED=${seed})`);
  const rng = new Rng(seed);
  const cuts: Cut[] = [];
  let armed = false;
  let acknowledged = 0;
  const fs: MemoryFileSystem = new MemoryFileSystem({
    onOperation(operation) {
      // Every operation but the bulk writes of SST data: WAL appends and syncs, file
      // syncs, creates, renames, removes and directory syncs.
      if (
        !armed || (operation.path.endsWith(".sst") && ["write", "append"].includes(operation.kind))
      ) return;
      const keepUnsynced = operation.count % 2 === 0 ? 0 : 1;
      cuts.push({
        fs: fs.crash({ seed: rng.int(2 ** 31), keepUnsynced }),
        acknowledged,
        operation: operation.count,
      });
    },
  });
  const db = await Database.create(DIR, { fs, maxStripeRecords: 6, sstThreshold: 3 });
  await db.batchWrite({ "": ACCOUNTS.map((pk) => ({ put: { pk, balance: 100, last: 0 } })) });
  let state: State = new Map(ACCOUNTS.map((pk) => [pk, { pk, balance: 100, last: 0 }]));
  const states = [render(state)];
  armed = true;
  const pending: Promise<void>[] = [];
  for (let t = 1; t <= TRANSACTIONS; t++) {
    const chosen = ACCOUNTS.filter(() => rng.next() < 0.4).slice(0, 4);
    if (chosen.length < 2) {
      chosen.push(...ACCOUNTS.filter((a) => !chosen.includes(a)).slice(0, 2 - chosen.length));
    }
    const deltas = chosen.map(() => rng.int(21) - 10);
    deltas[0] = deltas[0]! - deltas.reduce((x, y) => x + y, 0);
    const moves = chosen.map((account, i) => [account, deltas[i]!] as [string, number]);
    const done = db.transactWrite([
      ...moves.map(([key, delta]) => ({
        update: {
          key,
          updateExpression: "SET balance = balance + :d, #last = :t",
          expressionAttributeNames: { "#last": "last" },
          expressionAttributeValues: { ":d": delta, ":t": t },
        },
      })),
      { put: { item: { pk: `log#${t}`, accounts: moves.map(([account]) => account) } } },
    ]).then(() => {
      acknowledged = Math.max(acknowledged, t);
    });
    pending.push(done);
    state = apply(state, t, moves);
    states.push(render(state));
    if (rng.next() < 0.5) await done;
    if (rng.next() < 0.1) await db.flush();
  }
  await Promise.all(pending);
  armed = false;
  await db.close();
  // Group commit lets transactions in flight share a WAL write and sync, so a run may make
  // fewer operations than transactions; it still must offer cuts throughout.
  assert.ok(cuts.length > TRANSACTIONS / 2, `a cut at every operation: ${cuts.length}`);
  let torn = 0;
  for (const cut of cuts) {
    const where = `seed ${seed}, cut after operation ${cut.operation}`;
    const recovered = await Database.open(DIR, { fs: cut.fs });
    const items = await Array.fromAsync(recovered.scanAll());
    await recovered.close();
    const got = render(new Map(items.map((item) => [item.pk as string, item])));
    const prefix = states.indexOf(got);
    assert.ok(
      prefix >= 0,
      `${where}: the recovered state is not the state after any whole number of transactions`,
    );
    assert.ok(
      prefix >= cut.acknowledged,
      `${where}: transaction ${cut.acknowledged} was acknowledged but is lost`,
    );
    if (prefix > cut.acknowledged) torn++;
    const total = items.filter((item) => ACCOUNTS.includes(item.pk as string))
      .reduce((sum, item) => sum + (item.balance as number), 0);
    assert.equal(total, 800, where);
  }
  assert.ok(torn > 0, "some cuts kept transactions that were written but not yet acknowledged");
});
