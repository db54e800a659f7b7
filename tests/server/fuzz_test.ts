import { test } from "node:test";
import assert from "node:assert/strict";
import { baseSeed, envCount, Rng } from "../helpers/random.ts";
import { call, startServer, tableInput } from "./_helpers.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ITEM = {
  pk: { S: "fuzz#1" },
  n: { N: "1" },
  tags: { SS: ["a"] },
  m: { M: { l: { L: [{ S: "x" }] } } },
};
const KEY = { pk: { S: "fuzz#1" } };

/** Valid requests; every mutation below makes them invalid. */
const TEMPLATES: [string, Json][] = [
  ["PutItem", { TableName: "victim", Item: ITEM, ReturnValues: "ALL_OLD" }],
  ["UpdateItem", {
    TableName: "victim",
    Key: KEY,
    UpdateExpression: "SET n = :v",
    ConditionExpression: "attribute_exists(pk)",
    ExpressionAttributeValues: { ":v": { N: "2" } },
  }],
  ["DeleteItem", { TableName: "victim", Key: KEY, ReturnValues: "ALL_OLD" }],
  ["BatchWriteItem", {
    RequestItems: { victim: [{ PutRequest: { Item: ITEM } }, { DeleteRequest: { Key: KEY } }] },
  }],
  ["TransactWriteItems", {
    TransactItems: [{ Put: { TableName: "victim", Item: ITEM } }, {
      Delete: { TableName: "", Key: { pk: { S: "d" } } },
    }],
    ClientRequestToken: "token",
  }],
  ["CreateTable", tableInput("fuzzed-table") as unknown as Json],
  ["DeleteTable", { TableName: "victim" }],
  ["GetItem", { TableName: "victim", Key: KEY, ProjectionExpression: "n, m.l[0]" }],
  ["Query", {
    TableName: "victim",
    KeyConditionExpression: "pk = :p",
    ExpressionAttributeValues: { ":p": { S: "a" } },
    Limit: 5,
  }],
  ["Scan", {
    TableName: "victim",
    FilterExpression: "n > :z",
    ExpressionAttributeValues: { ":z": { N: "0" } },
  }],
  ["BatchGetItem", { RequestItems: { victim: { Keys: [KEY] } } }],
  ["TransactGetItems", { TransactItems: [{ Get: { TableName: "victim", Key: KEY } }] }],
];

function nest(depth: number): Json {
  let value: Json = { S: "deep" };
  for (let i = 0; i < depth; i++) value = { L: [value] };
  return value;
}

const BAD_VALUES: Json[] = [
  {},
  { S: "a", N: "1" },
  { X: "a" },
  { NULL: false },
  { N: "abc" },
  { N: "1e999" },
  { B: "!!" },
  { SS: [] },
  { SS: ["a", "a"] },
  { NS: ["1", "1.0"] },
  { L: [{}] },
  { M: { a: {} } },
  { BOOL: "yes" },
  nest(40),
  "plain",
  7,
];

/** Every node below the root, with a setter. */
function nodes(root: Json): { value: Json; set(next: Json): void; key: string }[] {
  const found: { value: Json; set(next: Json): void; key: string }[] = [];
  const walk = (value: Json) => {
    if (Array.isArray(value)) {
      value.forEach((child, i) => {
        found.push({ value: child, key: String(i), set: (next) => value[i] = next });
        walk(child);
      });
    } else if (value !== null && typeof value === "object") {
      for (const key of Object.keys(value)) {
        found.push({ value: value[key]!, key, set: (next) => value[key] = next });
        walk(value[key]!);
      }
    }
  };
  walk(root);
  return found;
}

function wrongType(value: Json, rng: Rng): Json {
  const kinds: Json[] = [17, "text", true, [1], { x: 1 }];
  const kind = (v: Json) => Array.isArray(v) ? "array" : typeof v;
  const options = kinds.filter((candidate) => kind(candidate) !== kind(value));
  return rng.pick(options);
}

const encoder = new TextEncoder();

/** One malformed request: target, content type and body bytes. */
function mutate(rng: Rng): { target: string; contentType: string; body: Uint8Array | string } {
  const [operation, template] = rng.pick(TEMPLATES);
  const body = structuredClone(template) as { [key: string]: Json };
  let target = `DynamoDB_20120810.${operation}`;
  let contentType = "application/x-amz-json-1.0";
  const text = () => JSON.stringify(body);
  switch (rng.int(12)) {
    case 0: {
      const bytes = new Uint8Array(rng.int(200));
      for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
      return { target, contentType, body: bytes };
    }
    case 1: {
      const whole = text();
      return { target, contentType, body: whole.slice(0, rng.int(whole.length)) };
    }
    case 2: {
      const node = rng.pick(nodes(body));
      node.set(wrongType(node.value, rng));
      break;
    }
    case 3: {
      const objects = [body, ...nodes(body).map((n) => n.value)].filter((v) =>
        v !== null && typeof v === "object" && !Array.isArray(v)
      ) as { [key: string]: Json }[];
      rng.pick(objects)[`Unknown${rng.int(100)}`] = 42;
      break;
    }
    case 4: {
      const values = nodes(body).filter((n) =>
        n.value !== null && typeof n.value === "object" && !Array.isArray(n.value) &&
        ["S", "N", "SS", "M", "L"].some((type) => type in (n.value as object))
      );
      if (values.length === 0) return { target, contentType, body: "[]" };
      rng.pick(values).set(structuredClone(rng.pick(BAD_VALUES)));
      break;
    }
    case 5: {
      const expressions = nodes(body).filter((n) => /Expression$/.test(n.key));
      if (expressions.length === 0) body.ConditionExpression = "attribute_exists(pk) )(";
      else {
        const node = rng.pick(expressions);
        node.set(`${node.value} )(`);
      }
      break;
    }
    case 6:
      return {
        target: "DynamoDB_20120810.PutItem",
        contentType,
        body: JSON.stringify({
          TableName: "victim",
          Item: { ...ITEM, big: { S: "x".repeat(420 * 1024) } },
        }),
      };
    case 7:
      return { target, contentType, body: "x".repeat(1536 * 1024) };
    case 8:
      target = rng.pick([
        `DynamoDB_20120810.${operation.toLowerCase()}`,
        `DynamoDB_20111205.${operation}`,
        `${operation}`,
        `DynamoDB_20120810.${operation}.Extra`,
        "",
      ]);
      break;
    case 9:
      contentType = rng.pick([
        "text/plain",
        "application/x-www-form-urlencoded",
        "",
        "application/xml",
      ]);
      break;
    case 10: {
      const bytes = encoder.encode(text());
      const bad = new Uint8Array(bytes.length + 1);
      bad[0] = 0xff;
      bad.set(bytes, 1);
      return { target, contentType, body: bad };
    }
    default:
      return { target, contentType, body: "[".repeat(5_000 + rng.int(20_000)) };
  }
  return { target, contentType, body: text() };
}

async function snapshot(url: string): Promise<string> {
  const tables = await call(url, "ListTables", {});
  const victim = await call(url, "Scan", { TableName: "victim" });
  const defaults = await call(url, "Scan", { TableName: "" });
  return JSON.stringify([tables.body, victim.body, defaults.body]);
}

test(
  "fuzz: thousands of malformed requests get 4xx answers, never crash the server, never change data",
  { timeout: 120_000 },
  async () => {
    const seed = baseSeed("server fuzz");
    const rng = new Rng(seed);
    const count = envCount("KSTONE_FUZZ_REQUESTS", 2000);
    await using server = await startServer({
      level: "error",
      limits: { maxBodyBytes: 1024 * 1024 },
    });
    await call(server.url, "CreateTable", tableInput("victim"));
    for (let i = 0; i < 20; i++) {
      await call(server.url, "PutItem", {
        TableName: "victim",
        Item: { pk: { S: `item#${i}` }, n: { N: String(i) } },
      });
    }
    await call(server.url, "PutItem", {
      TableName: "",
      Item: { pk: { S: "d" }, keep: { BOOL: true } },
    });
    const before = await snapshot(server.url);
    const statuses = new Map<number, number>();
    for (let sent = 0; sent < count; sent += 8) {
      await Promise.all(Array.from({ length: Math.min(8, count - sent) }, async () => {
        const request = mutate(rng);
        const headers: Record<string, string> = { "x-amz-target": request.target };
        if (request.contentType !== "") headers["content-type"] = request.contentType;
        const response = await fetch(server.url, {
          method: "POST",
          headers,
          body: request.body as BodyInit,
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 200 || response.status >= 500) {
          assert.fail(
            `seed ${seed}: ${request.target} answered ${response.status} to ${
              String(request.body).slice(0, 300)
            }`,
          );
        }
      }));
    }
    assert.equal([...statuses.values()].reduce((a, b) => a + b, 0), count);
    assert.ok(statuses.get(400)! > count / 2, `statuses ${JSON.stringify([...statuses])}`);
    assert.equal((await call(server.url, "ListTables", {})).status, 200);
    assert.equal(await snapshot(server.url), before);
    assert.equal(server.handler.metrics.errors.get({ error_type: "InternalServerError" }), 0);
  },
);
