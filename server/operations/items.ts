/**
 * PutItem, GetItem, UpdateItem and DeleteItem over `engine/api/`.
 *
 * @module
 */
import { deleteItem, type DeleteItemInput } from "../../engine/api/delete_item.ts";
import { getItem, type GetItemInput } from "../../engine/api/get_item.ts";
import { putItem, type PutItemInput } from "../../engine/api/put_item.ts";
import { updateItem, type UpdateItemInput } from "../../engine/api/update_item.ts";
import type { AttributeMap } from "../../engine/model/attribute_value.ts";
import { ENUMS, s } from "../shapes.ts";
import { mapToWire } from "../wire.ts";
import { defineOperation, LEGACY, rejectLegacy } from "./operation.ts";

const RETURN_VALUES = s.string({
  enum: ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"],
});
const ON_FAILURE = s.string({ enum: ["ALL_OLD", "NONE"] });
const KEY = { shape: s.attributes, notNull: true };

/** Members of every conditional write. */
const CONDITIONAL = {
  TableName: ENUMS.tableName,
  Expected: s.any,
  ConditionalOperator: s.any,
  ReturnValues: RETURN_VALUES,
  ReturnConsumedCapacity: ENUMS.returnConsumedCapacity,
  ReturnItemCollectionMetrics: ENUMS.returnItemCollectionMetrics,
  ConditionExpression: s.string(),
  ExpressionAttributeNames: ENUMS.expressionAttributeNames,
  ExpressionAttributeValues: ENUMS.expressionAttributeValues,
  ReturnValuesOnConditionCheckFailure: ON_FAILURE,
};

function attributes(map: AttributeMap | undefined): { Attributes?: unknown } {
  return map === undefined ? {} : { Attributes: mapToWire(map) };
}

/** PutItem: store a whole item, optionally under a condition. */
export const PutItem = defineOperation<PutItemInput & Record<string, unknown>>(
  s.struct("PutItemInput", { ...CONDITIONAL, Item: KEY }),
  async ({ api }, input) => {
    rejectLegacy(input, LEGACY.write);
    return attributes((await putItem(api, input)).Attributes);
  },
);

/** GetItem: read one item by its key. */
export const GetItem = defineOperation<GetItemInput & Record<string, unknown>>(
  s.struct("GetItemInput", {
    TableName: ENUMS.tableName,
    Key: KEY,
    AttributesToGet: s.any,
    ConsistentRead: s.boolean,
    ReturnConsumedCapacity: ENUMS.returnConsumedCapacity,
    ProjectionExpression: s.string(),
    ExpressionAttributeNames: ENUMS.expressionAttributeNames,
  }),
  async ({ api }, input) => {
    rejectLegacy(input, LEGACY.get);
    const { Item } = await getItem(api, input);
    return Item === undefined ? {} : { Item: mapToWire(Item) };
  },
);

/** UpdateItem: change attributes of an item, creating it when missing. */
export const UpdateItem = defineOperation<UpdateItemInput & Record<string, unknown>>(
  s.struct("UpdateItemInput", {
    ...CONDITIONAL,
    Key: KEY,
    AttributeUpdates: s.any,
    UpdateExpression: s.string(),
  }),
  async ({ api }, input) => {
    rejectLegacy(input, LEGACY.update);
    return attributes((await updateItem(api, input)).Attributes);
  },
);

/** DeleteItem: delete an item by its key, optionally under a condition. */
export const DeleteItem = defineOperation<DeleteItemInput & Record<string, unknown>>(
  s.struct("DeleteItemInput", { ...CONDITIONAL, Key: KEY }),
  async ({ api }, input) => {
    rejectLegacy(input, LEGACY.write);
    return attributes((await deleteItem(api, input)).Attributes);
  },
);
