/**
 * TransactGetItems and TransactWriteItems over `engine/api/`.
 *
 * @module
 */
import {
  transactGetItems,
  type TransactGetItemsInput,
} from "../../engine/api/transact_get_items.ts";
import {
  transactWriteItems,
  type TransactWriteItemsInput,
} from "../../engine/api/transact_write_items.ts";
import { ENUMS, type Member, s } from "../shapes.ts";
import { mapToWire } from "../wire.ts";
import { defineOperation } from "./operation.ts";

const KEY: Member = { shape: s.attributes, notNull: true };
const ACTION = {
  TableName: ENUMS.tableName,
  ConditionExpression: s.string(),
  ExpressionAttributeNames: ENUMS.expressionAttributeNames,
  ExpressionAttributeValues: ENUMS.expressionAttributeValues,
  ReturnValuesOnConditionCheckFailure: s.string({ enum: ["ALL_OLD", "NONE"] }),
};

const TRANSACT_WRITE_ITEM = s.struct("TransactWriteItem", {
  ConditionCheck: s.struct("ConditionCheck", {
    ...ACTION,
    Key: KEY,
    ConditionExpression: { shape: s.string(), notNull: true },
  }),
  Put: s.struct("Put", { ...ACTION, Item: KEY }),
  Delete: s.struct("Delete", { ...ACTION, Key: KEY }),
  Update: s.struct("Update", {
    ...ACTION,
    Key: KEY,
    UpdateExpression: { shape: s.string(), notNull: true },
  }),
});

const TRANSACT_GET_ITEM = s.struct("TransactGetItem", {
  Get: {
    shape: s.struct("Get", {
      TableName: ENUMS.tableName,
      Key: KEY,
      ProjectionExpression: s.string(),
      ExpressionAttributeNames: ENUMS.expressionAttributeNames,
    }),
    notNull: true,
  },
});

/** TransactGetItems: up to 100 distinct items, read as of one moment. */
export const TransactGetItems = defineOperation<TransactGetItemsInput>(
  s.struct("TransactGetItemsInput", {
    TransactItems: { shape: s.list(TRANSACT_GET_ITEM, 1, 100), notNull: true },
    ReturnConsumedCapacity: ENUMS.returnConsumedCapacity,
  }),
  async ({ api }, input) => {
    const output = await transactGetItems(api, input);
    return {
      Responses: output.Responses.map((response) =>
        response.Item === undefined ? {} : { Item: mapToWire(response.Item) }
      ),
    };
  },
);

/**
 * TransactWriteItems: up to 100 actions on distinct items, all or nothing. The
 * `ClientRequestToken` the SDKs fill in is accepted and ignored (there is no idempotency
 * window: a retried transaction runs again).
 */
export const TransactWriteItems = defineOperation<TransactWriteItemsInput>(
  s.struct("TransactWriteItemsInput", {
    TransactItems: { shape: s.list(TRANSACT_WRITE_ITEM, 1, 100), notNull: true },
    ReturnConsumedCapacity: ENUMS.returnConsumedCapacity,
    ReturnItemCollectionMetrics: ENUMS.returnItemCollectionMetrics,
    ClientRequestToken: s.string({ minLength: 1, maxLength: 36 }),
  }),
  async ({ api }, input) => {
    await transactWriteItems(api, input);
    return {};
  },
);
