import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, Database, KstoneError, type StreamChange } from "../../mod.ts";
import { startServer } from "./_helpers.ts";

/** `{ code, message }` of what a call rejects with. */
async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof KstoneError);
    return { code: error.code, message: error.message };
  }
  assert.fail("expected a rejection");
}

test("connect() fails table management and stream reads with the embedded database's codes and messages", async () => {
  const local = await Database.memory({ ttlSweepIntervalMs: 0 });
  await using server = await startServer();
  await using remote = await connect(server.url);
  const results = [];
  for (const db of [local, remote]) {
    await db.createTable("plain", { partitionKey: { name: "id", type: "S" } }, {
      ttl: { attributeName: "expires" },
    });
    results.push([
      await failure(db.createTable("plain", { partitionKey: { name: "id", type: "S" } })),
      await failure(db.describeTable("missing")),
      await failure(db.table("plain").readStream()),
      await failure(db.updateTimeToLive("plain", { attributeName: "expires", enabled: true })),
      await failure(db.updateTimeToLive("plain", { attributeName: "other", enabled: false })),
      await failure(db.updateTable("plain", { globalIndexUpdates: [{ delete: "nope" }] })),
      await failure(db.updateTable("plain", { stream: { enabled: false } })),
    ]);
  }
  await local.close();
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[0]!.map((r) => r.code), [
    "RESOURCE_IN_USE",
    "RESOURCE_NOT_FOUND",
    "RESOURCE_NOT_FOUND",
    "VALIDATION",
    "VALIDATION",
    "RESOURCE_NOT_FOUND",
    "VALIDATION",
  ]);
  assert.equal(results[0]![2]!.message, "Requested resource not found: Table: plain has no stream");
});

test("a remote table follows its stream from LATEST, at or after a sequence number, and stops once the stream is disabled", async () => {
  await using server = await startServer();
  let positioned!: () => void;
  const latestPositioned = new Promise<void>((resolve) => positioned = resolve);
  const spy: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const body = new TextDecoder().decode(init?.body as Uint8Array);
    if (body.includes('"ShardIteratorType":"LATEST"')) positioned();
    return response;
  };
  await using db = await connect(server.url, { fetch: spy });
  const users = await db.createTable("users", { partitionKey: { name: "id", type: "S" } }, {
    stream: { viewType: "KEYS_ONLY" },
  });
  await users.put({ id: "u1" });
  await users.put({ id: "u2" });
  const [first, second] = (await users.readStream()).records as [StreamChange, StreamChange];
  const ids = async (changes: AsyncGenerator<StreamChange>, n: number) => {
    const read = [];
    for (let i = 0; i < n; i++) read.push((await changes.next()).value!.keys.id);
    return read;
  };
  assert.deepEqual(await ids(users.streamRecords({ from: { at: second.sequenceNumber } }), 1), [
    "u2",
  ]);
  const latest = users.streamRecords({ from: "LATEST" });
  const pending = latest.next(); // positioned once GetShardIterator answers
  await latestPositioned;
  assert.deepEqual(await ids(users.streamRecords({ from: { after: first.sequenceNumber } }), 1), [
    "u2",
  ]);
  await users.put({ id: "u3" });
  assert.deepEqual((await pending).value?.keys, { id: "u3" });

  const rest = users.streamRecords({ from: { after: second.sequenceNumber } });
  await db.updateTable("users", { stream: { enabled: false } });
  assert.deepEqual(await ids(rest, 1), ["u3"]);
  assert.deepEqual(await rest.next(), { done: true, value: undefined });
  assert.equal((await db.describeTable("users")).stream?.enabled, false);
});

/** A fake AWS endpoint: DynamoDB and DynamoDB Streams with a parent and a child shard. */
function fakeAws() {
  const calls: { host: string; target: string; scope: string; body: Record<string, unknown> }[] =
    [];
  const record = (sequence: string, eventName: string, id: string) => ({
    eventName,
    dynamodb: {
      ApproximateCreationDateTime: 1767323045,
      Keys: { id: { S: id } },
      SequenceNumber: sequence,
      SizeBytes: 3,
      StreamViewType: "KEYS_ONLY",
    },
  });
  const shards: Record<string, ReturnType<typeof record>[]> = {
    parent: [record("100", "INSERT", "a"), record("200", "MODIFY", "a")],
    child: [record("300", "REMOVE", "a")],
  };
  const statuses = ["CREATING", "ACTIVE"];
  const fetch = async (input: URL | RequestInfo, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const target = headers.get("x-amz-target")!;
    const body = JSON.parse(new TextDecoder().decode(init?.body as Uint8Array));
    const scope = /Credential=[^/]+\/\d+\/([^,]+),/.exec(headers.get("authorization")!)![1]!;
    calls.push({ host: new URL(String(input)).host, target, scope, body });
    await Promise.resolve();
    const json = (value: unknown) => new Response(JSON.stringify(value));
    switch (target.split(".")[1]) {
      case "CreateTable":
      case "UpdateTimeToLive":
        return json({});
      case "DescribeTable":
        return json({
          Table: {
            TableStatus: statuses.length > 1 ? statuses.shift() : statuses[0],
            LatestStreamArn: "arn:aws:dynamodb:eu-west-1:1:table/t/stream/2026-01-02T03:04:05.000",
          },
        });
      case "DescribeStream": // children listed first: the client orders by lineage
        return json({
          StreamDescription: {
            Shards: [
              {
                ShardId: "child",
                ParentShardId: "parent",
                SequenceNumberRange: { StartingSequenceNumber: "300" },
              },
              {
                ShardId: "parent",
                SequenceNumberRange: {
                  StartingSequenceNumber: "100",
                  EndingSequenceNumber: "200",
                },
              },
            ],
          },
        });
      case "GetShardIterator":
        return json({
          ShardIterator: `${body.ShardId}|${body.ShardIteratorType}|${body.SequenceNumber ?? ""}`,
        });
      case "GetRecords": {
        const [shard, type, sequence] = String(body.ShardIterator).split("|") as [
          string,
          string,
          string,
        ];
        const records = shards[shard]!.filter((r) =>
          type === "TRIM_HORIZON" ||
          (type === "AFTER_SEQUENCE_NUMBER" && BigInt(r.dynamodb.SequenceNumber) > BigInt(sequence))
        );
        const last = records.at(-1)?.dynamodb.SequenceNumber ?? sequence;
        const next = shard === "parent" ? {} : {
          NextShardIterator: `${shard}|${last === "" ? type : "AFTER_SEQUENCE_NUMBER"}|${last}`,
        };
        return json({ Records: records, ...next });
      }
    }
    return new Response(JSON.stringify({ __type: "UnknownOperationException" }), { status: 400 });
  };
  return { calls, shards, record, fetch: fetch as typeof globalThis.fetch };
}

test("against DynamoDB, createTable waits for ACTIVE before UpdateTimeToLive, and streams go to the regional streams endpoint, parent shards first", async () => {
  const aws = fakeAws();
  await using db = await connect("https://dynamodb.eu-west-1.amazonaws.com", {
    region: "eu-west-1",
    fetch: aws.fetch,
  });
  const table = await db.createTable("t", { partitionKey: { name: "id", type: "S" } }, {
    ttl: { attributeName: "expires" },
  });
  assert.deepEqual(aws.calls.map((c) => c.target.split(".")[1]), [
    "CreateTable",
    "DescribeTable", // CREATING
    "DescribeTable", // ACTIVE
    "UpdateTimeToLive",
  ]);
  aws.calls.length = 0;

  const first = await table.readStream();
  assert.deepEqual(first.records.map((r) => [r.sequenceNumber, r.eventName]), [
    ["100", "INSERT"],
    ["200", "MODIFY"],
  ]);
  assert.equal(first.records[0]?.createdAtMs, 1767323045000);
  const streamsCall = aws.calls.find((c) => c.target.endsWith(".GetRecords"))!;
  assert.equal(streamsCall.host, "streams.dynamodb.eu-west-1.amazonaws.com");
  assert.equal(streamsCall.target, "DynamoDBStreams_20120810.GetRecords");
  assert.equal(streamsCall.scope, "eu-west-1/dynamodb/aws4_request");
  const second = await table.readStream({ after: first.last });
  assert.deepEqual(second.records.map((r) => r.sequenceNumber), ["300"]);
  assert.deepEqual(await table.readStream({ after: second.last }), {
    records: [],
    last: undefined,
  });

  aws.calls.length = 0;
  const controller = new AbortController();
  const follow = table.streamRecords({ signal: controller.signal });
  const read = [];
  for (let i = 0; i < 3; i++) read.push((await follow.next()).value!.sequenceNumber);
  assert.deepEqual(read, ["100", "200", "300"]);
  const iterators = aws.calls.filter((c) => c.target.endsWith(".GetShardIterator"));
  assert.deepEqual(iterators.map((c) => [c.body.ShardId, c.body.ShardIteratorType]), [
    ["parent", "TRIM_HORIZON"],
    ["child", "TRIM_HORIZON"],
  ]);
  const waiting = follow.next();
  aws.shards.child!.push(aws.record("400", "INSERT", "b"));
  assert.equal((await waiting).value?.sequenceNumber, "400");
  const stopped = follow.next();
  controller.abort(new Error("enough"));
  await assert.rejects(stopped, /enough/);
});

test("waitForTable gives up with FAILED after its timeout", async () => {
  const aws = fakeAws();
  await using db = await connect("https://dynamodb.eu-west-1.amazonaws.com", { fetch: aws.fetch });
  aws.calls.length = 0;
  await assert.rejects(db.waitForTable("t", { timeoutMs: 0 }), {
    code: "FAILED",
    message: "Timed out after 0 ms waiting for table t to become ACTIVE",
  });
  assert.equal(aws.calls.length, 1);
});
