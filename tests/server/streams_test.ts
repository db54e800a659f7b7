import { test } from "node:test";
import assert from "node:assert/strict";
// Types only (Bun erases them); the module loads below from npm: under Deno, node_modules under Bun.
// deno-lint-ignore no-import-prefix
import type * as Streams from "npm:@aws-sdk/client-dynamodb-streams@3.1141.0";
import { Database } from "../../mod.ts";
import { call, client, CREDENTIALS, sdk, startServer } from "./_helpers.ts";

const streamsSdk: typeof Streams = await import(
  "Bun" in globalThis
    ? "@aws-sdk/client-dynamodb-streams"
    : "npm:@aws-sdk/client-dynamodb-streams@3.1141.0"
);

function streamsClient(url: string): Streams.DynamoDBStreamsClient {
  return new streamsSdk.DynamoDBStreamsClient({
    endpoint: url,
    region: "us-east-1",
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
}

const START = Date.UTC(2026, 0, 2, 3, 4, 5, 6);

test("AWS SDK (DynamoDB Streams): ListStreams, DescribeStream, GetShardIterator and GetRecords read a table's changes", async () => {
  const clock = { now: START };
  const db = await Database.memory({ clock: () => clock.now, ttlSweepIntervalMs: 0 });
  await using server = await startServer({ db });
  const ddb = client(server.url);
  const streams = streamsClient(server.url);
  try {
    const orders = await db.createTable("orders", {
      partitionKey: { name: "id", type: "S" },
      sortKey: { name: "line", type: "N" },
    }, { stream: { viewType: "NEW_AND_OLD_IMAGES" }, ttl: { attributeName: "expires" } });
    await ddb.send(
      new sdk.PutItemCommand({
        TableName: "orders",
        Item: {
          id: { S: "o1" },
          line: { N: "1" },
          qty: { N: "2" },
          expires: { N: String(START / 1000 + 60) },
        },
      }),
    );
    await ddb.send(
      new sdk.UpdateItemCommand({
        TableName: "orders",
        Key: { id: { S: "o1" }, line: { N: "1" } },
        UpdateExpression: "SET qty = :q",
        ExpressionAttributeValues: { ":q": { N: "3" } },
      }),
    );
    clock.now += 120_000;
    assert.equal(await db.sweepExpired(), 1);
    await orders.put({ id: "o2", line: 1 });

    const arn =
      "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2026-01-02T03:04:05.006";
    const listed = await streams.send(new streamsSdk.ListStreamsCommand({}));
    assert.deepEqual(listed.Streams, [
      { StreamArn: arn, TableName: "orders", StreamLabel: "2026-01-02T03:04:05.006" },
    ]);
    const described = await streams.send(new streamsSdk.DescribeStreamCommand({ StreamArn: arn }));
    const description = described.StreamDescription!;
    assert.equal(description.StreamStatus, "ENABLED");
    assert.equal(description.StreamViewType, "NEW_AND_OLD_IMAGES");
    assert.equal(description.TableName, "orders");
    assert.deepEqual(description.CreationRequestDateTime, new Date(START));
    assert.deepEqual(description.KeySchema, [
      { AttributeName: "id", KeyType: "HASH" },
      { AttributeName: "line", KeyType: "RANGE" },
    ]);
    assert.equal(description.Shards?.length, 1);
    const shard = description.Shards![0]!;
    assert.match(shard.ShardId!, /^shardId-00000000000000000001-[0-9a-f]{8}$/);
    assert.equal(shard.SequenceNumberRange?.EndingSequenceNumber, undefined);

    const { ShardIterator } = await streams.send(
      new streamsSdk.GetShardIteratorCommand({
        StreamArn: arn,
        ShardId: shard.ShardId,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const page = await streams.send(new streamsSdk.GetRecordsCommand({ ShardIterator, Limit: 3 }));
    const records = page.Records!;
    assert.deepEqual(records.map((r) => r.eventName), ["INSERT", "MODIFY", "REMOVE"]);
    for (const record of records) {
      assert.equal(record.eventVersion, "1.1");
      assert.equal(record.eventSource, "aws:dynamodb");
      assert.equal(record.awsRegion, "us-east-1");
      assert.match(record.eventID!, /^[0-9a-f]{32}$/);
      assert.deepEqual(record.dynamodb?.Keys, { id: { S: "o1" }, line: { N: "1" } });
      assert.equal(record.dynamodb?.StreamViewType, "NEW_AND_OLD_IMAGES");
      assert.match(record.dynamodb!.SequenceNumber!, /^[0-9]{21}$/);
      assert.ok(record.dynamodb!.SizeBytes! > 0);
    }
    assert.deepEqual(
      records[0]!.dynamodb?.ApproximateCreationDateTime,
      new Date(Math.floor(START / 1000) * 1000),
    );
    assert.deepEqual(records[1]!.dynamodb?.OldImage?.qty, { N: "2" });
    assert.deepEqual(records[1]!.dynamodb?.NewImage?.qty, { N: "3" });
    assert.equal(records[2]!.dynamodb?.NewImage, undefined);
    assert.deepEqual(records[2]!.userIdentity, {
      PrincipalId: "dynamodb.amazonaws.com",
      Type: "Service",
    });
    assert.equal(records[0]!.userIdentity, undefined);

    const rest = await streams.send(
      new streamsSdk.GetRecordsCommand({ ShardIterator: page.NextShardIterator }),
    );
    assert.deepEqual(rest.Records?.map((r) => r.dynamodb?.Keys?.id), [{ S: "o2" }]);
    const empty = await streams.send(
      new streamsSdk.GetRecordsCommand({ ShardIterator: rest.NextShardIterator }),
    );
    assert.deepEqual(empty.Records, []);
    assert.ok(empty.NextShardIterator !== undefined, "an open shard always gives a next iterator");

    const after = await streams.send(
      new streamsSdk.GetShardIteratorCommand({
        StreamArn: arn,
        ShardId: shard.ShardId,
        ShardIteratorType: "AFTER_SEQUENCE_NUMBER",
        SequenceNumber: records[1]!.dynamodb!.SequenceNumber,
      }),
    );
    const fromAfter = await streams.send(
      new streamsSdk.GetRecordsCommand({ ShardIterator: after.ShardIterator }),
    );
    assert.deepEqual(fromAfter.Records?.map((r) => r.eventName), ["REMOVE", "INSERT"]);
    const at = await streams.send(
      new streamsSdk.GetShardIteratorCommand({
        StreamArn: arn,
        ShardId: shard.ShardId,
        ShardIteratorType: "AT_SEQUENCE_NUMBER",
        SequenceNumber: records[1]!.dynamodb!.SequenceNumber,
      }),
    );
    const fromAt = await streams.send(
      new streamsSdk.GetRecordsCommand({ ShardIterator: at.ShardIterator, Limit: 1 }),
    );
    assert.deepEqual(fromAt.Records?.map((r) => r.eventName), ["MODIFY"]);

    const latest = await streams.send(
      new streamsSdk.GetShardIteratorCommand({
        StreamArn: arn,
        ShardId: shard.ShardId,
        ShardIteratorType: "LATEST",
      }),
    );
    await orders.put({ id: "o3", line: 1 });
    const fromLatest = await streams.send(
      new streamsSdk.GetRecordsCommand({ ShardIterator: latest.ShardIterator }),
    );
    assert.deepEqual(fromLatest.Records?.map((r) => r.dynamodb?.Keys?.id), [{ S: "o3" }]);
  } finally {
    ddb.destroy();
    streams.destroy();
  }
});

test("AWS SDK (DynamoDB Streams): bad, expired and trimmed iterators and unknown streams fail as DynamoDB's", async () => {
  const clock = { now: START };
  const db = await Database.memory({ clock: () => clock.now, streamRetentionMs: 3600_000 });
  await using server = await startServer({ db });
  const streams = streamsClient(server.url);
  try {
    const events = await db.createTable("events", { partitionKey: { name: "id", type: "S" } }, {
      stream: { viewType: "KEYS_ONLY" },
    });
    await events.put({ id: "a" });
    const arn =
      "arn:aws:dynamodb:us-east-1:000000000000:table/events/stream/2026-01-02T03:04:05.006";
    const shard = (await streams.send(new streamsSdk.DescribeStreamCommand({ StreamArn: arn })))
      .StreamDescription!.Shards![0]!.ShardId!;
    const { ShardIterator } = await streams.send(
      new streamsSdk.GetShardIteratorCommand({
        StreamArn: arn,
        ShardId: shard,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const [a] = (await streams.send(new streamsSdk.GetRecordsCommand({ ShardIterator }))).Records!;

    await assert.rejects(
      streams.send(
        new streamsSdk.GetRecordsCommand({ ShardIterator: ShardIterator!.slice(0, -4) + "AAAA" }),
      ),
      { name: "ValidationException", message: "Invalid ShardIterator" },
    );
    await assert.rejects(
      streams.send(
        new streamsSdk.DescribeStreamCommand({ StreamArn: arn.replace("events", "nothere") }),
      ),
      { name: "ResourceNotFoundException" },
    );
    await assert.rejects(
      streams.send(
        new streamsSdk.GetShardIteratorCommand({
          StreamArn: arn,
          ShardId: "shardId-00000000000000000001-ffffffff",
          ShardIteratorType: "TRIM_HORIZON",
        }),
      ),
      { name: "ResourceNotFoundException" },
    );
    clock.now += 15 * 60_000 + 1;
    await assert.rejects(streams.send(new streamsSdk.GetRecordsCommand({ ShardIterator })), {
      name: "ExpiredIteratorException",
    });

    clock.now += 3600_000;
    await events.put({ id: "b" });
    assert.equal(await db.trimStreams(), 1);
    await assert.rejects(
      streams.send(
        new streamsSdk.GetShardIteratorCommand({
          StreamArn: arn,
          ShardId: shard,
          ShardIteratorType: "AT_SEQUENCE_NUMBER",
          SequenceNumber: a!.dynamodb!.SequenceNumber,
        }),
      ),
      {
        name: "TrimmedDataAccessException",
        message: "The operation attempted to read past the oldest stream record in a shard.",
      },
    );

    await db.updateTable("events", { stream: { enabled: false } });
    const closed = (await streams.send(new streamsSdk.DescribeStreamCommand({ StreamArn: arn })))
      .StreamDescription!;
    assert.equal(closed.StreamStatus, "DISABLED");
    assert.ok(closed.Shards![0]!.SequenceNumberRange!.EndingSequenceNumber !== undefined);
    const last = await streams.send(
      new streamsSdk.GetShardIteratorCommand({
        StreamArn: arn,
        ShardId: shard,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const end = await streams.send(
      new streamsSdk.GetRecordsCommand({ ShardIterator: last.ShardIterator }),
    );
    assert.equal(end.Records?.length, 1);
    assert.equal(
      end.NextShardIterator,
      undefined,
      "a closed shard read to its end has no next iterator",
    );
  } finally {
    streams.destroy();
  }
});

test("DynamoDB Streams protocol: a missing ShardIterator is a ValidationException", async () => {
  await using server = await startServer();
  const response = await call(server.url, "DynamoDBStreams_20120810.GetRecords", {});
  assert.equal(response.status, 400);
  assert.equal(response.body.__type, "com.amazon.coral.validate#ValidationException");
});
