import { test } from "node:test";
import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import { createHandler } from "../../server/handler.ts";
import { call, startServer } from "./_helpers.ts";

/** A ListTables request whose body arrives only when `release` is called. */
function heldRequest(): { request: Request; release(): void } {
  let release!: () => void;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      release = () => {
        controller.enqueue(new TextEncoder().encode("{}"));
        controller.close();
      };
    },
  });
  const request = new Request("http://127.0.0.1/", {
    method: "POST",
    headers: {
      "x-amz-target": "DynamoDB_20120810.ListTables",
      "content-type": "application/x-amz-json-1.0",
    },
    body,
    duplex: "half",
  } as RequestInit);
  return { request, release };
}

function listTables(): Request {
  return new Request("http://127.0.0.1/", {
    method: "POST",
    headers: {
      "x-amz-target": "DynamoDB_20120810.ListTables",
      "content-type": "application/x-amz-json-1.0",
    },
    body: "{}",
  });
}

test("requests past maxInFlight get ThrottlingException at once, and are served again after", async () => {
  await using db = await Database.memory();
  const handler = createHandler({ db, limits: { maxInFlight: 2 } });
  try {
    const held = [heldRequest(), heldRequest()];
    const pending = held.map(({ request }) => handler.fetch(request));
    const refused = await handler.fetch(listTables());
    assert.equal(refused.status, 400);
    assert.deepEqual(await refused.json(), {
      __type: "com.amazon.coral.availability#ThrottlingException",
      message: "Rate of requests exceeds the allowed throughput: more than 2 requests in flight",
    });
    for (const { release } of held) release();
    for (const response of await Promise.all(pending)) assert.equal(response.status, 200);
    assert.equal((await handler.fetch(listTables())).status, 200);
    assert.equal(handler.metrics.rateLimited.get({ limit_type: "in_flight" }), 1);
  } finally {
    handler.close();
  }
});

test("a request on a connection past maxConnections is throttled and told to close", async () => {
  await using db = await Database.memory();
  const handler = createHandler({ db, limits: { maxConnections: 2, connectionIdleMs: 50 } });
  try {
    for (const port of [1001, 1002]) {
      assert.equal(
        (await handler.fetch(listTables(), { remoteAddr: `127.0.0.1:${port}` })).status,
        200,
      );
    }
    const refused = await handler.fetch(listTables(), { remoteAddr: "127.0.0.1:1003" });
    assert.equal(refused.status, 400);
    assert.equal(refused.headers.get("connection"), "close");
    assert.match((await refused.json()).message, /more than 2 connections/);
    assert.equal((await handler.fetch(listTables(), { remoteAddr: "127.0.0.1:1001" })).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal((await handler.fetch(listTables(), { remoteAddr: "127.0.0.1:1003" })).status, 200);
  } finally {
    handler.close();
  }
});

test("a body over maxBodyBytes is refused with 413 and the server goes on answering", async () => {
  await using server = await startServer({ limits: { maxBodyBytes: 64 * 1024 } });
  const big = await call(server.url, "PutItem", {
    TableName: "",
    Item: { pk: { S: "a" }, x: { S: "x".repeat(100_000) } },
  });
  assert.equal(big.status, 413);
  assert.equal(big.body.__type, "com.amazon.coral.validate#ValidationException");
  assert.match(String(big.body.message), /exceeds the limit of 65536 bytes/);
  assert.equal((await call(server.url, "ListTables", {})).status, 200);
  assert.equal(server.handler.metrics.rateLimited.get({ limit_type: "body_size" }), 1);
});

test("the server binds 127.0.0.1 unless told otherwise", async () => {
  await using server = await startServer();
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
});
