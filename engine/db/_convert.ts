/**
 * Converts the JS API's options (camelCase, plain values) into `engine/api/` requests
 * (DynamoDB's shape, AttributeValues) and its responses back.
 *
 * @module
 */
import type { ItemForm, PageOutput } from "../api/_page.ts";
import type { ExpressionInput } from "../api/_request.ts";
import type { QueryInput } from "../api/query.ts";
import type { ScanInput } from "../api/scan.ts";
import { decodePlainItem } from "../codec/item_codec.ts";
import { validation } from "../errors.ts";
import type { AttributeMap, AttributeValue } from "../model/attribute_value.ts";
import { marshall, marshallItem, unmarshallItem } from "../model/marshall.ts";
import type {
  ConditionOptions,
  ExpressionOptions,
  Item,
  Page,
  PutOptions,
  QueryOptions,
  ReadOptions,
  ScanOptions,
} from "./table_options.ts";

/**
 * The placeholders of a request, values marshalled.
 *
 * @param options The JS options.
 * @returns The DynamoDB members.
 */
export function expressionInput(options: ExpressionOptions): ExpressionInput {
  const values = options.expressionAttributeValues;
  let marshalled: Record<string, AttributeValue> | undefined;
  if (values !== undefined) {
    if (values === null || typeof values !== "object") {
      throw validation(
        `Invalid expressionAttributeValues: expected an object, got ${String(values)}`,
      );
    }
    marshalled = {};
    for (const name of Object.keys(values)) marshalled[name] = marshall(values[name], name);
  }
  return {
    ExpressionAttributeNames: options.expressionAttributeNames,
    ExpressionAttributeValues: marshalled,
  };
}

/**
 * The condition members of a write request.
 *
 * @param options The JS options.
 * @returns The DynamoDB members.
 */
export function conditionInput(options: ConditionOptions): ExpressionInput & {
  ConditionExpression: string | undefined;
  ReturnValuesOnConditionCheckFailure: string | undefined;
} {
  return {
    ...expressionInput(options),
    ConditionExpression: options.conditionExpression,
    ReturnValuesOnConditionCheckFailure: options.returnValuesOnConditionCheckFailure,
  };
}

/**
 * Whether a put's options ask for nothing beyond the write itself (no condition, placeholders
 * or returned values), so that it may take the encoded-item path.
 *
 * @param options The JS options.
 * @returns Whether every option is absent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPlainPut } from "./_convert.ts";
 * assert.equal(isPlainPut({}), true);
 * assert.equal(isPlainPut({ returnValues: "ALL_OLD" }), false);
 * ```
 */
export function isPlainPut(options: PutOptions): boolean {
  return typeof options === "object" && options !== null &&
    options.conditionExpression === undefined && options.returnValues === undefined &&
    options.expressionAttributeNames === undefined &&
    options.expressionAttributeValues === undefined &&
    options.returnValuesOnConditionCheckFailure === undefined;
}

/**
 * Marshalls an item or key, when there is one.
 *
 * @param item The plain item.
 * @returns Its AttributeMap, or `undefined`.
 */
export function optionalItem(item: Item | undefined): AttributeMap | undefined {
  return item === undefined ? undefined : marshallItem(item);
}

/**
 * Unmarshalls an item, when there is one.
 *
 * @param map The AttributeMap.
 * @returns The plain item, or `undefined`.
 */
export function plainItem(map: AttributeMap | undefined): Item | undefined {
  return map === undefined ? undefined : unmarshallItem(map);
}

function readInput(tableName: string, options: ReadOptions) {
  return {
    TableName: tableName,
    IndexName: options.indexName,
    ...expressionInput(options),
    FilterExpression: options.filterExpression,
    ProjectionExpression: options.projectionExpression,
    Limit: options.limit,
    ExclusiveStartKey: optionalItem(options.exclusiveStartKey),
    Select: options.select,
    ConsistentRead: options.consistentRead,
  };
}

/**
 * A Query request from JS options.
 *
 * @param tableName The table.
 * @param options The JS options.
 * @returns The request.
 */
export function queryInput(tableName: string, options: QueryOptions): QueryInput {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `Cannot query: expected options with a keyConditionExpression, got ${String(options)}`,
    );
  }
  return {
    ...readInput(tableName, options),
    KeyConditionExpression: options.keyConditionExpression,
    ScanIndexForward: options.scanIndexForward,
  };
}

/**
 * A Scan request from JS options.
 *
 * @param tableName The table.
 * @param options The JS options.
 * @returns The request.
 */
export function scanInput(tableName: string, options: ScanOptions): ScanInput {
  return {
    ...readInput(tableName, options),
    Segment: options.segment,
    TotalSegments: options.totalSegments,
  };
}

/**
 * Items as the JS API returns them: decoded straight from their encoding to plain values (the
 * AttributeMap path, `unmarshallItem(decodeItem(bytes))`, gives the same items and errors).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeItem } from "../codec/item_codec.ts";
 * import { PLAIN_ITEMS } from "./_convert.ts";
 * assert.deepEqual(PLAIN_ITEMS.decode(encodeItem({ pk: { S: "a" }, n: { N: "1" } })), { pk: "a", n: 1 });
 * assert.deepEqual(PLAIN_ITEMS.fromMap({ pk: { S: "a" } }), { pk: "a" });
 * ```
 */
export const PLAIN_ITEMS: ItemForm<Item> = {
  decode: decodePlainItem,
  fromMap: (item) => unmarshallItem(item),
};

/**
 * A JS page from a Query or Scan response whose items are plain ({@linkcode PLAIN_ITEMS}).
 *
 * @param output The response.
 * @returns The page.
 */
export function toPage(output: PageOutput<Item>): Page {
  const page: Page = {
    items: output.Items ?? [],
    count: output.Count,
    scannedCount: output.ScannedCount,
  };
  if (output.LastEvaluatedKey !== undefined) {
    page.lastEvaluatedKey = unmarshallItem(output.LastEvaluatedKey);
  }
  return page;
}
