import { test } from "node:test";
import assert from "node:assert/strict";
import {
  connect,
  type CreateTableOptions,
  Database,
  type Item,
  type KeySchema,
  type Page,
  type QueryOptions,
  type ReadStreamOptions,
  type StreamChange,
  type StreamChangePage,
  type StreamRecordsOptions,
  type TableDescription,
  type TimeToLiveDescription,
  type UpdateTableChanges,
} from "../../mod.ts";
import { startServer } from "./_helpers.ts";

/** What the scenario uses of a table: embedded `Table` and `RemoteTable` must both fit. */
interface TableApi {
  put(item: Item): Promise<unknown>;
  delete(key: Item): Promise<unknown>;
  query(options: QueryOptions): Promise<Page>;
  readStream(options?: ReadStreamOptions): Promise<StreamChangePage>;
  streamRecords(options?: StreamRecordsOptions): AsyncGenerator<StreamChange, void, undefined>;
}

/** What the scenario uses of a database: `Database` and `RemoteDatabase` must both fit. */
interface DatabaseApi {
  createTable(name: string, keySchema: KeySchema, options?: CreateTableOptions): Promise<TableApi>;
  describeTable(name: string): Promise<TableDescription>;
  updateTable(name: string, changes: UpdateTableChanges): Promise<void>;
  waitForTable(name: string): Promise<void>;
  updateTimeToLive(
    name: string,
    setting: { attributeName: string; enabled: boolean },
  ): Promise<void>;
  describeTimeToLive(name: string): TimeToLiveDescription | Promise<TimeToLiveDescription>;
  table(name: string): TableApi;
}

/** A database under test, its clock (whole seconds, as stream records carry) and its sweeper. */
interface Subject {
  db: DatabaseApi;
  advance(ms: number): void;
  sweep(): Promise<number>;
}

const START = Date.UTC(2026, 0, 2, 3, 4, 5);

function clocked(): { clock: { now: number }; open: () => Promise<Database> } {
  const clock = { now: START };
  return {
    clock,
    open: () => Database.memory({ clock: () => clock.now, ttlSweepIntervalMs: 0 }),
  };
}

/** Sequence numbers differ between runs (CreateTable and UpdateTimeToLive are two catalog writes remotely): checked increasing, then replaced by their rank. */
function ranked(changes: readonly StreamChange[], seen: string[]): StreamChange[] {
  return changes.map((change) => {
    assert.match(change.sequenceNumber, /^\d{21}$/);
    if (seen.length > 0) assert.ok(BigInt(change.sequenceNumber) > BigInt(seen.at(-1)!));
    seen.push(change.sequenceNumber);
    return { ...change, sequenceNumber: String(seen.length) };
  });
}

/** The scenario: every result it sees, for comparing the embedded and remote runs. */
async function scenario(subject: Subject): Promise<unknown[]> {
  const { db } = subject;
  const seen: unknown[] = [];
  const orders = await db.createTable("orders", {
    partitionKey: { name: "customer", type: "S" },
    sortKey: { name: "id", type: "S" },
  }, {
    localIndexes: [{ name: "by_date", sortKey: { name: "date", type: "S" } }],
    globalIndexes: [{
      name: "by_status",
      partitionKey: { name: "status", type: "S" },
      sortKey: { name: "date", type: "S" },
      projection: { type: "KEYS_ONLY" },
    }],
    stream: { viewType: "NEW_AND_OLD_IMAGES" },
    ttl: { attributeName: "expires" },
  });
  const created = await db.describeTable("orders");
  assert.equal(created.status, "ACTIVE");
  assert.equal(created.createdAt, START);
  assert.deepEqual(created.attributeDefinitions.map((a) => a.name), [
    "customer",
    "id",
    "date",
    "status",
  ]);
  assert.deepEqual(created.globalIndexes.map((i) => i.status), ["ACTIVE"]);
  assert.deepEqual(created.ttl, { status: "ENABLED", attributeName: "expires" });
  assert.equal(created.stream?.enabled, true);
  assert.equal(created.stream?.label, "2026-01-02T03:04:05.000");
  seen.push(created);

  const now = START / 1000;
  await orders.put({ customer: "c1", id: "o1", date: "2026-01-02", status: "open", cents: 5 });
  await orders.put({ customer: "c1", id: "o2", date: "2026-01-01", status: "shipped", cents: 9 });
  await orders.put({
    customer: "c2",
    id: "o3",
    status: "open",
    date: "2026-01-03",
    expires: now + 60,
  });
  subject.advance(1000);
  await orders.put({ customer: "c1", id: "o1", date: "2026-01-02", status: "open", cents: 7 });
  await orders.delete({ customer: "c1", id: "o2" });

  const byDate = await orders.query({
    indexName: "by_date",
    keyConditionExpression: "customer = :c",
    expressionAttributeValues: { ":c": "c1" },
  });
  assert.deepEqual(byDate.items.map((item) => item.id), ["o1"]);
  const open = await orders.query({
    indexName: "by_status",
    keyConditionExpression: "#s = :s",
    expressionAttributeNames: { "#s": "status" },
    expressionAttributeValues: { ":s": "open" },
  });
  assert.deepEqual(open.items, [
    { customer: "c1", id: "o1", date: "2026-01-02", status: "open" },
    { customer: "c2", id: "o3", date: "2026-01-03", status: "open" },
  ]);
  seen.push(byDate, open);

  await db.updateTable("orders", {
    globalIndexUpdates: [{
      create: {
        name: "by_total",
        partitionKey: { name: "customer", type: "S" },
        sortKey: { name: "cents", type: "N" },
        projection: { type: "INCLUDE", nonKeyAttributes: ["date"] },
      },
    }],
  });
  await db.waitForTable("orders");
  const updated = await db.describeTable("orders");
  assert.deepEqual(updated.globalIndexes.map((i) => [i.name, i.status, i.itemCount]), [
    ["by_status", "ACTIVE", 2],
    ["by_total", "ACTIVE", 1],
  ]);
  assert.deepEqual(updated.attributeDefinitions.at(-1), { name: "cents", type: "N" });
  const byTotal = await orders.query({
    indexName: "by_total",
    keyConditionExpression: "customer = :c AND cents > :t",
    expressionAttributeValues: { ":c": "c1", ":t": 6 },
  });
  assert.deepEqual(byTotal.items, [{ customer: "c1", id: "o1", cents: 7, date: "2026-01-02" }]);
  seen.push(updated, byTotal);

  assert.deepEqual(await db.describeTimeToLive("orders"), {
    status: "ENABLED",
    attributeName: "expires",
  });
  subject.advance(120_000);
  assert.equal(await subject.sweep(), 1);
  seen.push((await db.describeTable("orders")).itemCount);

  const sequences: string[] = [];
  const pages: StreamChange[][] = [];
  let after: string | undefined;
  for (;;) {
    const page = await orders.readStream({ after, limit: 2 });
    if (page.records.length === 0) {
      assert.equal(page.last, undefined);
      break;
    }
    pages.push(ranked(page.records, sequences));
    after = page.last;
  }
  assert.deepEqual(pages.flat().map((c) => [c.eventName, c.keys.id, c.userIdentity?.type]), [
    ["INSERT", "o1", undefined],
    ["INSERT", "o2", undefined],
    ["INSERT", "o3", undefined],
    ["MODIFY", "o1", undefined],
    ["REMOVE", "o2", undefined],
    ["REMOVE", "o3", "Service"],
  ]);
  assert.deepEqual(pages.map((page) => page.length), [2, 2, 2]);
  seen.push(pages);

  const controller = new AbortController();
  const follow = orders.streamRecords({
    from: { after: sequences[2]! },
    signal: controller.signal,
  });
  const followed: StreamChange[] = [];
  for (let i = 0; i < 3; i++) followed.push((await follow.next()).value!);
  const waiting = follow.next();
  await orders.put({ customer: "c3", id: "o4" });
  followed.push((await waiting).value!);
  const followedRanked = ranked(followed, sequences.slice(0, 3));
  assert.deepEqual(followedRanked.map((c) => [c.eventName, c.keys.id]), [
    ["MODIFY", "o1"],
    ["REMOVE", "o2"],
    ["REMOVE", "o3"],
    ["INSERT", "o4"],
  ]);
  seen.push(followedRanked);
  const stopped = follow.next();
  const reason = new Error("stop following");
  controller.abort(reason);
  await assert.rejects(stopped, (error) => error === reason);
  return seen;
}

test("connect() manages tables, indexes, TTL and streams exactly as the embedded database does", async () => {
  const embedded = clocked();
  const local = await embedded.open();
  const fromEmbedded = await scenario({
    db: local,
    advance: (ms) => embedded.clock.now += ms,
    sweep: () => local.sweepExpired(),
  });
  await local.close();

  const served = clocked();
  await using server = await startServer({ db: await served.open() });
  await using remote = await connect(server.url);
  const fromRemote = await scenario({
    db: remote,
    advance: (ms) => served.clock.now += ms,
    sweep: () => server.db.sweepExpired(),
  });
  assert.deepEqual(fromRemote, fromEmbedded);
});
