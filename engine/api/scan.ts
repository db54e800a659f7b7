/**
 * Scan: every item of a table, stripe by stripe (stripes 0..255 in order, keys in order within
 * a stripe). A parallel scan's segment `s` of `n` reads the contiguous stripes
 * `[floor(256·s/n), floor(256·(s+1)/n))`, so every item belongs to exactly one segment. With
 * `IndexName`, the scan reads the index's entries instead, split the same way by the stripe of
 * their index partition key.
 *
 * @module
 */
import { prefixEnd, tablePrefix } from "../codec/key_codec.ts";
import type { IndexDefinition } from "../db/catalog.ts";
import { validation } from "../errors.ts";
import { IndexView, resolveIndex } from "../index/read.ts";
import { STRIPE_COUNT } from "../limits.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import type { RangeEntry } from "../store/stripe.ts";
import type { ApiContext, ApiTable } from "./context.ts";
import { expiryOf, type Reader } from "./_items.ts";
import {
  ATTRIBUTE_MAPS,
  type ItemForm,
  Page,
  type PageInput,
  type PageOptions,
  type PageOutput,
} from "./_page.ts";
import {
  checkInteger,
  checkSelect,
  expressionContext,
  optionalCondition,
  optionalProjection,
} from "./_request.ts";
import { after, locateStartKey } from "./_start_key.ts";

/**
 * Most segments of a parallel scan: one per stripe. (DynamoDB allows 1,000,000; kstone splits
 * a scan by stripe.)
 */
export const MAX_SCAN_SEGMENTS = STRIPE_COUNT;

/** A Scan request, in DynamoDB's shape. */
export interface ScanInput extends PageInput {
  /** This worker's segment, 0-based; requires TotalSegments. */
  readonly Segment?: number | undefined;
  /** The number of segments, 1 to 256; requires Segment. */
  readonly TotalSegments?: number | undefined;
}

/** A Scan response: items, counts and where to resume. */
export type ScanOutput = PageOutput;

/** A validated Scan. */
export interface ScanPlan {
  /** The table. */
  readonly table: ApiTable;
  /** The index read instead of the table, if any. */
  readonly index?: IndexDefinition | undefined;
  /** The segment's first stripe. */
  readonly firstStripe: number;
  /** The stripe after the segment's last. */
  readonly endStripe: number;
  /** The first key of the table (or index). */
  readonly start: Uint8Array;
  /** The first key after the table (or index). */
  readonly end: Uint8Array;
  /** Limit, filter, projection, count only. */
  readonly page: PageOptions;
  /** For messages: the segment and the number of segments. */
  readonly segment: { readonly index: number; readonly total: number };
}

/**
 * Validates a Scan.
 *
 * @param ctx The database.
 * @param input The request (its ExclusiveStartKey is not looked at).
 * @returns The plan.
 * @throws {KstoneError} VALIDATION for a bad expression or parameter (TotalSegments above
 *   256 included), or an index that is unknown, still backfilling or read with a Select it
 *   cannot serve; RESOURCE_NOT_FOUND for an unknown table.
 *
 * @example Segment 1 of 4 reads stripes 64 to 127
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { planScan, scanPage } from "./scan.ts";
 * await using db = await Database.memory();
 * const plan = planScan(db.apiContext(), { TableName: "", Segment: 1, TotalSegments: 4 });
 * assert.deepEqual([plan.firstStripe, plan.endStripe], [64, 128]);
 * assert.equal(scanPage(db.apiContext().store, plan).Count, 0);
 * ```
 */
export function planScan(ctx: ApiContext, input: ScanInput): ScanPlan {
  const table = ctx.table(input.TableName);
  const secondary = input.IndexName === undefined
    ? undefined
    : resolveIndex(table, input.IndexName, input.ConsistentRead);
  const expressions = expressionContext(input);
  const filter = optionalCondition(input.FilterExpression, expressions, "FilterExpression");
  const projection = optionalProjection(input.ProjectionExpression, expressions);
  expressions.assertAllUsed();
  const expiry = expiryOf(ctx, table);
  const view = secondary === undefined
    ? undefined
    : IndexView.plan(table, secondary, { select: input.Select, projection, filter, expiry });
  const countOnly = view?.countOnly ?? checkSelect(input.Select, projection !== undefined);
  const limit = input.Limit === undefined ? Infinity : checkInteger(input.Limit, "limit", 1);
  const { Segment: index, TotalSegments: total } = input;
  if (index !== undefined && total === undefined) {
    throw validation(
      "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
    );
  }
  if (total !== undefined && index === undefined) {
    throw validation(
      "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
    );
  }
  const segment = { index: index ?? 0, total: total ?? 1 };
  if (total !== undefined) {
    checkInteger(segment.total, "totalSegments", 1, MAX_SCAN_SEGMENTS);
    checkInteger(segment.index, "segment", 0);
    if (segment.index >= segment.total) {
      throw validation(
        `The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${segment.index} is not less than TotalSegments: ${segment.total}`,
      );
    }
  }
  const start = tablePrefix(secondary?.id ?? table.id);
  return {
    table,
    index: secondary,
    firstStripe: Math.floor((STRIPE_COUNT * segment.index) / segment.total),
    endStripe: Math.floor((STRIPE_COUNT * (segment.index + 1)) / segment.total),
    start,
    end: prefixEnd(start)!,
    page: { limit, filter, projection, countOnly, expiry, view },
    segment,
  };
}

function isEmpty(entries: Iterable<RangeEntry>): boolean {
  for (const _ of entries) return false;
  return true;
}

/**
 * Reads one page of a planned Scan.
 *
 * @param reader The store or a snapshot.
 * @param plan The plan.
 * @param exclusiveStartKey Where the previous page stopped.
 * @returns The page.
 * @throws {KstoneError} VALIDATION when the start key is not a key of the table or not in
 *   the segment.
 */
export function scanPage(
  reader: Reader,
  plan: ScanPlan,
  exclusiveStartKey?: AttributeMap,
): ScanOutput;
/**
 * Reads one page of a planned Scan, its items in another form.
 *
 * @param reader The store or a snapshot.
 * @param plan The plan.
 * @param exclusiveStartKey Where the previous page stopped.
 * @param form The form of the items returned.
 * @returns The page.
 */
export function scanPage<T>(
  reader: Reader,
  plan: ScanPlan,
  exclusiveStartKey: AttributeMap | undefined,
  form: ItemForm<T>,
): PageOutput<T>;
export function scanPage<T>(
  reader: Reader,
  plan: ScanPlan,
  exclusiveStartKey?: AttributeMap,
  form?: ItemForm<T>,
): PageOutput<T | AttributeMap> {
  let stripe = plan.firstStripe;
  let start = plan.start;
  if (exclusiveStartKey !== undefined) {
    const location = locateStartKey(
      plan.table,
      exclusiveStartKey,
      "The provided starting key is invalid: The provided key element does not match the schema",
      plan.index,
    );
    if (location.stripe < plan.firstStripe || location.stripe >= plan.endStripe) {
      throw validation(
        `The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: ${plan.segment.total} Segment: ${plan.segment.index}`,
      );
    }
    stripe = location.stripe;
    start = after(location.key);
  }
  const page = new Page<T | AttributeMap>(plan.table, plan.page, reader, form ?? ATTRIBUTE_MAPS);
  for (; stripe < plan.endStripe; stripe++) {
    const full = page.fill(reader.range(stripe, { start, end: plan.end }));
    start = plan.start;
    if (!full) continue;
    if (!page.hasMore) {
      for (let next = stripe + 1; next < plan.endStripe; next++) {
        if (!isEmpty(reader.range(next, { start, end: plan.end }))) {
          page.more();
          break;
        }
      }
    }
    break;
  }
  return page.output();
}

/**
 * Scans one page of a table (or of one segment of it). The page is read in one synchronous
 * step; it holds at most `Limit` items read and stops after the item that takes it to 1 MB.
 * `LastEvaluatedKey` is set only when another item follows in the segment.
 *
 * @param ctx The database.
 * @param input The request.
 * @returns The page.
 * @throws {KstoneError} VALIDATION for a bad expression, parameter or start key;
 *   RESOURCE_NOT_FOUND for an unknown table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * import { scan } from "./scan.ts";
 * await using db = await Database.memory();
 * for (const pk of ["a", "b", "c"]) await db.put(pk, { n: pk.charCodeAt(0) });
 * const page = await scan(db.apiContext(), {
 *   TableName: "",
 *   FilterExpression: "n > :a",
 *   ExpressionAttributeValues: { ":a": { N: "97" } },
 * });
 * assert.equal(page.Count, 2);
 * assert.equal(page.ScannedCount, 3);
 * assert.equal(page.LastEvaluatedKey, undefined);
 * ```
 */
// deno-lint-ignore require-await
export async function scan(ctx: ApiContext, input: ScanInput): Promise<ScanOutput> {
  return scanPage(ctx.store, planScan(ctx, input), input.ExclusiveStartKey);
}
