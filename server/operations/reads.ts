/**
 * Query and Scan over `engine/api/`: one page per request, `LastEvaluatedKey` to resume.
 *
 * @module
 */
import type { PageOutput } from "../../engine/api/_page.ts";
import { query, type QueryInput } from "../../engine/api/query.ts";
import { scan, type ScanInput } from "../../engine/api/scan.ts";
import { validationError } from "../protocol.ts";
import { ENUMS, s } from "../shapes.ts";
import { mapToWire } from "../wire.ts";
import { defineOperation, LEGACY, rejectLegacy } from "./operation.ts";

const SELECT = s.string({
  enum: ["SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"],
});

/** Members of both reads. */
const READ = {
  TableName: ENUMS.tableName,
  IndexName: s.string({ minLength: 3, maxLength: 255, pattern: "[a-zA-Z0-9_.-]+" }),
  Select: SELECT,
  AttributesToGet: s.any,
  Limit: s.integer(1),
  ConsistentRead: s.boolean,
  ConditionalOperator: s.any,
  ExclusiveStartKey: s.attributes,
  ReturnConsumedCapacity: ENUMS.returnConsumedCapacity,
  ProjectionExpression: s.string(),
  FilterExpression: s.string(),
  ExpressionAttributeNames: ENUMS.expressionAttributeNames,
  ExpressionAttributeValues: ENUMS.expressionAttributeValues,
};

function page(output: PageOutput): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (output.Items !== undefined) body.Items = output.Items.map(mapToWire);
  body.Count = output.Count;
  body.ScannedCount = output.ScannedCount;
  if (output.LastEvaluatedKey !== undefined) {
    body.LastEvaluatedKey = mapToWire(output.LastEvaluatedKey);
  }
  return body;
}

/** Query: one page of a partition, in sort key order. */
export const Query = defineOperation<QueryInput & Record<string, unknown>>(
  s.struct("QueryInput", {
    ...READ,
    KeyConditions: s.any,
    QueryFilter: s.any,
    ScanIndexForward: s.boolean,
    KeyConditionExpression: s.string(),
  }),
  async ({ api }, input) => {
    rejectLegacy(input, LEGACY.query);
    if (input.KeyConditionExpression === undefined) {
      throw validationError(
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
      );
    }
    return page(await query(api, input));
  },
);

/** Scan: one page of a table (or of one segment of a parallel scan). */
export const Scan = defineOperation<ScanInput & Record<string, unknown>>(
  s.struct("ScanInput", {
    ...READ,
    ScanFilter: s.any,
    TotalSegments: s.integer(1, 1_000_000),
    Segment: s.integer(0, 999_999),
  }),
  async ({ api }, input) => {
    rejectLegacy(input, LEGACY.scan);
    return page(await scan(api, input));
  },
);
