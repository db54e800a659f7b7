import { test } from "node:test";
import assert from "node:assert/strict";
import type { TransactionCanceledError } from "../../../mod.ts";
import {
  getItem,
  putItem,
  transactGetItems,
  type TransactWriteItem,
  transactWriteItems,
} from "../../../engine/api/mod.ts";
import type { AttributeMap } from "../../../mod.ts";
import { fixture, rejectsWith } from "./_helpers.ts";

const key = (id: string): AttributeMap => ({ id: { S: id } });
const put = (id: string, extra: AttributeMap = {}): TransactWriteItem => ({
  Put: { TableName: "users", Item: { ...key(id), ...extra } },
});

async function item(ctx: Parameters<typeof getItem>[0], id: string) {
  return (await getItem(ctx, { TableName: "users", Key: key(id) })).Item;
}

test("transactWriteItems() applies puts, updates, deletes and checks together as one WAL record", async () => {
  const { db, ctx } = await fixture();
  await putItem(ctx, { TableName: "users", Item: { ...key("a"), n: { N: "1" } } });
  await putItem(ctx, { TableName: "users", Item: key("gone") });
  const lsn = (await db.stats()).last_lsn;
  await transactWriteItems(ctx, {
    TransactItems: [
      put("new", { v: { S: "x" } }),
      {
        Update: {
          TableName: "users",
          Key: key("a"),
          UpdateExpression: "SET n = n + :one",
          ExpressionAttributeValues: { ":one": { N: "1" } },
        },
      },
      { Delete: { TableName: "users", Key: key("gone") } },
      {
        ConditionCheck: {
          TableName: "users",
          Key: key("check"),
          ConditionExpression: "attribute_not_exists(id)",
        },
      },
      { Put: { TableName: "orders", Item: { customer: { S: "c" }, ts: { N: "1" } } } },
    ],
  });
  assert.equal((await db.stats()).last_lsn, lsn + 1);
  assert.deepEqual(await item(ctx, "new"), { ...key("new"), v: { S: "x" } });
  assert.deepEqual(await item(ctx, "a"), { ...key("a"), n: { N: "2" } });
  assert.equal(await item(ctx, "gone"), undefined);
  await db.close();
});

test("transactWriteItems() with a failed condition writes nothing and lists a reason per action", async () => {
  const { db, ctx } = await fixture();
  await putItem(ctx, { TableName: "users", Item: { ...key("a"), n: { N: "1" } } });
  const lsn = (await db.stats()).last_lsn;
  const error = await rejectsWith(
    transactWriteItems(ctx, {
      TransactItems: [
        put("b"),
        {
          ConditionCheck: {
            TableName: "users",
            Key: key("a"),
            ConditionExpression: "n > :five",
            ExpressionAttributeValues: { ":five": { N: "5" } },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          },
        },
        {
          Delete: {
            TableName: "users",
            Key: key("missing"),
            ConditionExpression: "attribute_exists(id)",
          },
        },
      ],
    }),
    "TRANSACTION_CANCELED",
    "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, ConditionalCheckFailed]",
  ) as TransactionCanceledError;
  assert.deepEqual(error.cancellationReasons, [
    { Code: "None" },
    {
      Code: "ConditionalCheckFailed",
      Message: "The conditional request failed",
      Item: { ...key("a"), n: { N: "1" } },
    },
    { Code: "ConditionalCheckFailed", Message: "The conditional request failed" },
  ]);
  assert.deepEqual(error.reasons[1], {
    code: "ConditionalCheckFailed",
    message: "The conditional request failed",
    item: { id: "a", n: 1 },
  });
  assert.equal(await item(ctx, "b"), undefined);
  assert.equal((await db.stats()).last_lsn, lsn, "nothing was committed");
  await db.close();
});

test("transactWriteItems() cancels when an update cannot apply to its item", async () => {
  const { db, ctx } = await fixture();
  await putItem(ctx, { TableName: "users", Item: { ...key("a"), s: { S: "text" } } });
  const error = await rejectsWith(
    transactWriteItems(ctx, {
      TransactItems: [
        put("b"),
        {
          Update: {
            TableName: "users",
            Key: key("a"),
            UpdateExpression: "ADD s :one",
            ExpressionAttributeValues: { ":one": { N: "1" } },
          },
        },
      ],
    }),
    "TRANSACTION_CANCELED",
  ) as TransactionCanceledError;
  assert.deepEqual(error.reasons.map((reason) => reason.code), ["None", "ValidationError"]);
  assert.match(error.reasons[1]?.message ?? "", /incorrect data type/);
  assert.equal(await item(ctx, "b"), undefined);
  await db.close();
});

test("transactWriteItems() rejects two actions on one item as a validation error", async () => {
  const { db, ctx } = await fixture();
  await rejectsWith(
    transactWriteItems(ctx, {
      TransactItems: [put("a"), {
        ConditionCheck: {
          TableName: "users",
          Key: key("a"),
          ConditionExpression: "attribute_not_exists(id)",
        },
      }],
    }),
    "VALIDATION",
    "Transaction request cannot include multiple operations on one item",
  );
  await db.close();
});

test("transactWriteItems() takes 1 to 100 actions, each exactly one kind", async () => {
  const { db, ctx } = await fixture();
  const many = (n: number) => Array.from({ length: n }, (_, i) => put(`u${i}`));
  await transactWriteItems(ctx, { TransactItems: many(100) });
  assert.ok(await item(ctx, "u99"));
  await rejectsWith(
    transactWriteItems(ctx, { TransactItems: many(101) }),
    "VALIDATION",
    "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100",
  );
  await rejectsWith(
    transactWriteItems(ctx, { TransactItems: [] }),
    "VALIDATION",
    /Member must have length greater than or equal to 1$/,
  );
  await rejectsWith(
    transactWriteItems(ctx, {
      TransactItems: [{ ...put("x"), Delete: { TableName: "users", Key: key("y") } }],
    }),
    "VALIDATION",
    "TransactItems can only contain one of Check, Put, Update or Delete",
  );
  await rejectsWith(
    transactWriteItems(ctx, {
      TransactItems: [put("x"), { ConditionCheck: { TableName: "users", Key: key("y") } as never }],
    }),
    "VALIDATION",
    "1 validation error detected: Value null at 'transactItems.2.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null",
  );
  await db.close();
});

test("transactWriteItems() validates every action before reading any item", async () => {
  const { db, ctx } = await fixture();
  await rejectsWith(
    transactWriteItems(ctx, {
      TransactItems: [
        {
          ConditionCheck: {
            TableName: "users",
            Key: key("a"),
            ConditionExpression: "attribute_exists(id)",
          },
        },
        {
          Update: {
            TableName: "users",
            Key: key("b"),
            UpdateExpression: "SET id = :x",
            ExpressionAttributeValues: { ":x": { S: "x" } },
          },
        },
      ],
    }),
    "VALIDATION",
    /Cannot update attribute id/,
  );
  await db.close();
});

test("transactions are serializable: concurrent transfers keep the total", async () => {
  const { db, ctx } = await fixture();
  const accounts = ["a", "b", "c", "d"];
  for (const id of accounts) {
    await putItem(ctx, { TableName: "users", Item: { ...key(id), balance: { N: "100" } } });
  }
  const transfer = (from: string, to: string, amount: number) =>
    transactWriteItems(ctx, {
      TransactItems: [
        {
          Update: {
            TableName: "users",
            Key: key(from),
            UpdateExpression: "SET balance = balance - :a",
            ConditionExpression: "balance >= :a",
            ExpressionAttributeValues: { ":a": { N: String(amount) } },
          },
        },
        {
          Update: {
            TableName: "users",
            Key: key(to),
            UpdateExpression: "SET balance = balance + :a",
            ExpressionAttributeValues: { ":a": { N: String(amount) } },
          },
        },
      ],
    });
  const results = await Promise.allSettled(
    Array.from(
      { length: 200 },
      (_, i) =>
        transfer(accounts[i % 4]!, accounts[(i + 1 + ((i >> 2) % 3)) % 4]!, 50 + ((i * 37) % 100)),
    ),
  );
  assert.ok(
    results.some((r) => r.status === "rejected"),
    "some transfers overdraw and are cancelled",
  );
  let total = 0;
  for (const id of accounts) {
    const balance = Number(((await item(ctx, id))?.balance as { N: string }).N);
    assert.ok(balance >= 0);
    total += balance;
  }
  assert.equal(total, 400);
  await db.close();
});

test("transactGetItems() reads distinct items in order, missing ones empty, projected", async () => {
  const { db, ctx } = await fixture();
  await putItem(ctx, { TableName: "users", Item: { ...key("a"), n: { N: "1" }, s: { S: "x" } } });
  const output = await transactGetItems(ctx, {
    TransactItems: [
      { Get: { TableName: "users", Key: key("missing") } },
      { Get: { TableName: "users", Key: key("a"), ProjectionExpression: "n" } },
    ],
  });
  assert.deepEqual(output, { Responses: [{}, { Item: { n: { N: "1" } } }] });
  await rejectsWith(
    transactGetItems(ctx, {
      TransactItems: [{ Get: { TableName: "users", Key: key("a") } }, {
        Get: { TableName: "users", Key: key("a") },
      }],
    }),
    "VALIDATION",
    "Transaction request cannot include multiple operations on one item",
  );
  await rejectsWith(
    transactGetItems(ctx, { TransactItems: [] }),
    "VALIDATION",
    /greater than or equal to 1$/,
  );
  await db.close();
});
