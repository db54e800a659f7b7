/**
 * Converts the JS requests of `Database.batchGet`, `batchWrite`, `transactWrite` and
 * `transactGet` into `engine/api/` requests.
 *
 * @module
 */
import type { BatchGetItemInput, KeysAndAttributes } from "../api/batch_get_item.ts";
import type { BatchWriteItemInput, WriteRequest } from "../api/batch_write_item.ts";
import type { TransactGetItemsInput } from "../api/transact_get_items.ts";
import type { TransactWriteItem, TransactWriteItemsInput } from "../api/transact_write_items.ts";
import { validation } from "../errors.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import { marshallItem } from "../model/marshall.ts";
import type {
  BatchGetRequest,
  BatchWriteRequest,
  ItemKey,
  TransactGet,
  TransactWriteAction,
} from "./batch_options.ts";
import { conditionInput } from "./_convert.ts";

/**
 * Marshalls a key; a string is the default table's partition key.
 *
 * @param tableName The table.
 * @param key The key.
 * @returns The key's AttributeMap.
 * @throws {KstoneError} VALIDATION for a string key of a named table.
 */
export function marshallKey(tableName: string, key: ItemKey): AttributeMap {
  if (typeof key !== "string") return marshallItem(key);
  if (tableName !== "") {
    throw validation(
      `Invalid key for table ${tableName}: a string key is only accepted for the default table`,
    );
  }
  return { pk: { S: key } };
}

/**
 * A BatchGetItem request.
 *
 * @param request The JS request.
 * @returns The DynamoDB request.
 */
export function batchGetInput(request: BatchGetRequest): BatchGetItemInput {
  const items: Record<string, KeysAndAttributes> = {};
  for (const [name, entry] of Object.entries(request ?? {})) {
    const options = Array.isArray(entry)
      ? { keys: entry as readonly ItemKey[] }
      : entry as Exclude<typeof entry, readonly ItemKey[]>;
    items[name] = {
      Keys: (options.keys ?? []).map((key) => marshallKey(name, key)),
      ProjectionExpression: options.projectionExpression,
      ExpressionAttributeNames: options.expressionAttributeNames,
      ConsistentRead: options.consistentRead,
    };
  }
  return { RequestItems: items };
}

/**
 * A BatchWriteItem request.
 *
 * @param request The JS request.
 * @returns The DynamoDB request.
 */
export function batchWriteInput(request: BatchWriteRequest): BatchWriteItemInput {
  const items: Record<string, WriteRequest[]> = {};
  for (const [name, writes] of Object.entries(request ?? {})) {
    items[name] = (writes ?? []).map((write) => {
      if (write?.put !== undefined && write.delete === undefined) {
        return { PutRequest: { Item: marshallItem(write.put) } };
      }
      if (write?.delete !== undefined && write.put === undefined) {
        return { DeleteRequest: { Key: marshallKey(name, write.delete) } };
      }
      return {};
    });
  }
  return { RequestItems: items };
}

/**
 * A TransactWriteItems request.
 *
 * @param actions The JS actions.
 * @returns The DynamoDB request.
 */
export function transactWriteInput(
  actions: readonly TransactWriteAction[],
): TransactWriteItemsInput {
  return {
    TransactItems: (actions ?? []).map((action): TransactWriteItem => {
      const kinds = Object.keys(action ?? {}).filter((k) =>
        (action as Record<string, unknown>)[k] !== undefined
      );
      if (kinds.length !== 1) return {};
      if ("put" in action) {
        const { tableName = "", item } = action.put;
        return {
          Put: { TableName: tableName, Item: marshallItem(item), ...conditionInput(action.put) },
        };
      }
      if ("update" in action) {
        const { tableName = "", key, updateExpression } = action.update;
        return {
          Update: {
            TableName: tableName,
            Key: marshallKey(tableName, key),
            UpdateExpression: updateExpression,
            ...conditionInput(action.update),
          },
        };
      }
      if ("delete" in action) {
        const { tableName = "", key } = action.delete;
        return {
          Delete: {
            TableName: tableName,
            Key: marshallKey(tableName, key),
            ...conditionInput(action.delete),
          },
        };
      }
      if ("conditionCheck" in action) {
        const { tableName = "", key, conditionExpression } = action.conditionCheck;
        return {
          ConditionCheck: {
            TableName: tableName,
            Key: marshallKey(tableName, key),
            ...conditionInput(action.conditionCheck),
            ConditionExpression: conditionExpression,
          },
        };
      }
      return {};
    }),
  };
}

/**
 * A TransactGetItems request.
 *
 * @param gets The JS reads.
 * @returns The DynamoDB request.
 */
export function transactGetInput(gets: readonly TransactGet[]): TransactGetItemsInput {
  return {
    TransactItems: (gets ?? []).map((
      { tableName = "", key, projectionExpression, expressionAttributeNames },
    ) => ({
      Get: {
        TableName: tableName,
        Key: marshallKey(tableName, key),
        ProjectionExpression: projectionExpression,
        ExpressionAttributeNames: expressionAttributeNames,
      },
    })),
  };
}
