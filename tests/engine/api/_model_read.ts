/**
 * Queries and scans in the reference model: sort the whole partition or table the simple way,
 * drop what comes before the start key, then cut a page by Limit and 1 MB.
 *
 * @module
 */
import { itemSize } from "../../../engine/codec/item_codec.ts";
import { stripeOf } from "../../../engine/codec/key_codec.ts";
import {
  applyProjection,
  evaluateCondition,
  ExpressionContext,
  parseCondition,
  parseProjection,
} from "../../../engine/expression/mod.ts";
import { marshall, marshallItem, unmarshallItem } from "../../../engine/model/marshall.ts";
import {
  compareKeyValue,
  type Item,
  type Model,
  type PlainPage,
  type QuerySpec,
  type ReadSpec,
  type ScanSpec,
  SCHEMAS,
  type SortCondition,
} from "./_model.ts";

const PAGE_BYTES = 1024 * 1024;

function matches(sk: unknown, sort: SortCondition | undefined): boolean {
  if (sort === undefined) return true;
  if (sk === undefined) return false;
  const [a, b] = sort.values;
  const c = compareKeyValue(sk, a);
  switch (sort.op) {
    case "=":
      return c === 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
    case "BETWEEN":
      return c >= 0 && compareKeyValue(sk, b) <= 0;
    case "begins_with":
      return (sk as string).startsWith(a as string);
  }
}

/**
 * One page of a Query in the model, starting after `start`.
 *
 * @param model The model.
 * @param spec The query.
 * @param start The previous page's LastEvaluatedKey.
 * @returns The expected page.
 */
export function queryModel(model: Model, spec: QuerySpec, start: Item | undefined): PlainPage {
  const schema = SCHEMAS[spec.table]!;
  const sk = (item: Item) => schema.sk === undefined ? undefined : (item as Item)[schema.sk];
  const ordered = [...model.tables.get(spec.table)!.values()]
    .map((item) => unmarshallItem(item))
    .filter((item) =>
      compareKeyValue(item[schema.pk], spec.pk) === 0 && matches(sk(item), spec.sort)
    )
    .sort((x, y) => compareKeyValue(sk(x), sk(y)) * (spec.reverse ? -1 : 1));
  const rest = start === undefined
    ? ordered
    : ordered.filter((item) => compareKeyValue(sk(item), sk(start)) * (spec.reverse ? -1 : 1) > 0);
  return page(model, spec, rest);
}

/**
 * One page of a Scan in the model, starting after `start`.
 *
 * @param model The model.
 * @param spec The scan.
 * @param start The previous page's LastEvaluatedKey.
 * @returns The expected page.
 */
export function scanModel(model: Model, spec: ScanSpec, start: Item | undefined): PlainPage {
  const schema = SCHEMAS[spec.table]!;
  const total = spec.totalSegments ?? 1;
  const segment = spec.segment ?? 0;
  const first = Math.floor((256 * segment) / total);
  const end = Math.floor((256 * (segment + 1)) / total);
  const position = (item: Item) => ({
    stripe: stripeOf(marshall(item[schema.pk])),
    pk: item[schema.pk],
    sk: schema.sk === undefined ? undefined : item[schema.sk],
  });
  const compare = (x: Item, y: Item) => {
    const a = position(x);
    const b = position(y);
    return a.stripe - b.stripe || compareKeyValue(a.pk, b.pk) || compareKeyValue(a.sk, b.sk);
  };
  const ordered = [...model.tables.get(spec.table)!.values()]
    .map((item) => unmarshallItem(item))
    .filter((item) => {
      const stripe = position(item).stripe;
      return stripe >= first && stripe < end;
    })
    .sort(compare);
  const rest = start === undefined ? ordered : ordered.filter((item) => compare(item, start) > 0);
  return page(model, spec, rest);
}

function page(model: Model, spec: ReadSpec, items: Item[]): PlainPage {
  const values = spec.values === undefined
    ? undefined
    : Object.fromEntries(Object.entries(spec.values).map(([k, v]) => [k, marshall(v)]));
  const ctx = new ExpressionContext(spec.names, values);
  const filter = spec.filter === undefined
    ? undefined
    : parseCondition(spec.filter, ctx, "FilterExpression");
  const projection = spec.projection === undefined
    ? undefined
    : parseProjection(spec.projection, ctx);
  const page: PlainPage = { items: [], count: 0, scannedCount: 0 };
  let size = 0;
  let last: Item | undefined;
  for (let i = 0; i < items.length; i++) {
    if (page.scannedCount >= (spec.limit ?? Infinity) || size >= PAGE_BYTES) {
      page.lastEvaluatedKey = model.keyOf(spec.table, last!);
      break;
    }
    const item = marshallItem(items[i]!);
    last = items[i]!;
    page.scannedCount++;
    size += itemSize(item);
    if (filter !== undefined && !evaluateCondition(filter, item)) continue;
    page.count++;
    if (!spec.countOnly) {
      page.items.push(
        unmarshallItem(projection === undefined ? item : applyProjection(projection, item)),
      );
    }
  }
  return page;
}
