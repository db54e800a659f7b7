/**
 * BatchGetItem and BatchWriteItem over `engine/api/`.
 *
 * @module
 */
import {
  batchGetItem,
  type BatchGetItemInput,
  type KeysAndAttributes,
} from "../../engine/api/batch_get_item.ts";
import {
  batchWriteItem,
  type BatchWriteItemInput,
  type WriteRequest,
} from "../../engine/api/batch_write_item.ts";
import { ENUMS, s } from "../shapes.ts";
import { mapToWire } from "../wire.ts";
import { defineOperation, LEGACY, rejectLegacy } from "./operation.ts";

const KEYS_AND_ATTRIBUTES = s.struct("KeysAndAttributes", {
  Keys: { shape: s.list(s.attributes, 1, 100), notNull: true },
  AttributesToGet: s.any,
  ConsistentRead: s.boolean,
  ProjectionExpression: s.string(),
  ExpressionAttributeNames: ENUMS.expressionAttributeNames,
});

const WRITE_REQUEST = s.struct("WriteRequest", {
  PutRequest: s.struct("PutRequest", { Item: { shape: s.attributes, notNull: true } }),
  DeleteRequest: s.struct("DeleteRequest", { Key: { shape: s.attributes, notNull: true } }),
});

function keysToWire(keys: KeysAndAttributes): Record<string, unknown> {
  return { ...keys, Keys: keys.Keys.map(mapToWire) };
}

function writeToWire(write: WriteRequest): Record<string, unknown> {
  if (write.PutRequest !== undefined) {
    return { PutRequest: { Item: mapToWire(write.PutRequest.Item) } };
  }
  if (write.DeleteRequest !== undefined) {
    return { DeleteRequest: { Key: mapToWire(write.DeleteRequest.Key) } };
  }
  return {};
}

/** BatchGetItem: up to 100 items from one or more tables, read as of one moment. */
export const BatchGetItem = defineOperation<BatchGetItemInput>(
  s.struct("BatchGetItemInput", {
    RequestItems: { shape: s.map(KEYS_AND_ATTRIBUTES, 1, 100), notNull: true },
    ReturnConsumedCapacity: ENUMS.returnConsumedCapacity,
  }),
  async ({ api }, input) => {
    for (const request of Object.values(input.RequestItems)) {
      rejectLegacy(request as unknown as Record<string, unknown>, LEGACY.get);
    }
    const output = await batchGetItem(api, input);
    const responses: Record<string, unknown> = {};
    for (const [table, items] of Object.entries(output.Responses)) {
      responses[table] = items.map(mapToWire);
    }
    const unprocessed: Record<string, unknown> = {};
    for (const [table, keys] of Object.entries(output.UnprocessedKeys)) {
      unprocessed[table] = keysToWire(keys);
    }
    return { Responses: responses, UnprocessedKeys: unprocessed };
  },
);

/** BatchWriteItem: up to 25 puts and deletes, written as one atomic commit. */
export const BatchWriteItem = defineOperation<BatchWriteItemInput>(
  s.struct("BatchWriteItemInput", {
    RequestItems: { shape: s.map(s.list(WRITE_REQUEST, 1, 25), 1, 25), notNull: true },
    ReturnConsumedCapacity: ENUMS.returnConsumedCapacity,
    ReturnItemCollectionMetrics: ENUMS.returnItemCollectionMetrics,
  }),
  async ({ api }, input) => {
    const output = await batchWriteItem(api, input);
    const unprocessed: Record<string, unknown> = {};
    for (const [table, writes] of Object.entries(output.UnprocessedItems)) {
      unprocessed[table] = writes.map(writeToWire);
    }
    return { UnprocessedItems: unprocessed };
  },
);
