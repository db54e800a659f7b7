/**
 * One page of a Query or Scan: read items in order until `Limit` items were read or 1 MB of
 * item data (by DynamoDB's item size, read from the encoding; the item that crosses 1 MB is
 * included), apply the FilterExpression and projection, and say where to resume when more
 * items may follow. A read of a secondary index reads its entries, which an {@linkcode EntryView}
 * turns into items.
 *
 * @module
 */
import { decodeItem } from "../codec/item_codec.ts";
import {
  applyProjection,
  type ConditionNode,
  evaluateCondition,
  type ProjectionNode,
} from "../expression/mod.ts";
import { MAX_PAGE_SIZE } from "../limits.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import type { RangeEntry } from "../store/stripe.ts";
import type { ApiTable } from "./context.ts";
import { encodedItemSize } from "./_encoded_size.ts";
import { type Expiry, keyOf, type Reader } from "./_items.ts";
import { isExpired } from "../ttl/expiry.ts";
import type { ExpressionInput } from "./_request.ts";

/** The request fields Query and Scan share, in DynamoDB's shape. */
export interface PageInput extends ExpressionInput {
  /** The table. */
  readonly TableName: string;
  /** A secondary index of the table to read instead of the table. @default the table */
  readonly IndexName?: string | undefined;
  /** Items read must satisfy this to be returned. @default none */
  readonly FilterExpression?: string | undefined;
  /** The attributes to return. @default every attribute */
  readonly ProjectionExpression?: string | undefined;
  /** Most items to read for this page (before the filter). @default no limit but 1 MB */
  readonly Limit?: number | undefined;
  /** The LastEvaluatedKey of the previous page. */
  readonly ExclusiveStartKey?: AttributeMap | undefined;
  /**
   * `ALL_ATTRIBUTES`, `ALL_PROJECTED_ATTRIBUTES` (indexes only), `SPECIFIC_ATTRIBUTES` or
   * `COUNT`. @default "ALL_ATTRIBUTES" for a table, "ALL_PROJECTED_ATTRIBUTES" for an index
   */
  readonly Select?: string | undefined;
  /**
   * Accepted (every read is strongly consistent), but `true` is refused on a global secondary
   * index, as DynamoDB does. @default false
   */
  readonly ConsistentRead?: boolean | undefined;
}

/** What a page keeps of each item, and when it is full. */
export interface PageOptions {
  /** Most items to read. @default Infinity */
  readonly limit: number;
  /** Items must satisfy this to be returned (they count as scanned either way). */
  readonly filter: ConditionNode | undefined;
  /** The attributes to return. */
  readonly projection: ProjectionNode | undefined;
  /** Whether only the count is wanted (`Select: COUNT`). */
  readonly countOnly: boolean;
  /** With time to live enabled: the TTL attribute and the time; expired items are skipped. */
  readonly expiry?: Expiry | undefined;
  /** For a read of a secondary index: how its entries become items (expiry included). */
  readonly view?: EntryView | undefined;
}

/** How the entries of a secondary index become items; see `engine/index/read.ts`. */
export interface EntryView {
  /**
   * The LastEvaluatedKey of an entry.
   *
   * @param entry The entry's item.
   * @returns The table's and the index's key attributes.
   */
  keyOf(entry: AttributeMap): AttributeMap;
  /**
   * The item an entry stands for.
   *
   * @param reader What the entry was read from.
   * @param entry The entry's item.
   * @returns The item to filter and project and the item to return without a projection, or
   *   `undefined` to skip the entry (expired).
   */
  resolve(
    reader: Reader,
    entry: AttributeMap,
  ): { item: AttributeMap; returned: AttributeMap } | undefined;
}

/**
 * The form a page returns its items in: DynamoDB's AttributeMaps ({@linkcode ATTRIBUTE_MAPS}),
 * or the plain JS items of the `Table` API.
 */
export interface ItemForm<T> {
  /** An item from its encoding: the usual case, when no filter, projection or view needs it. */
  readonly decode: (bytes: Uint8Array) => T;
  /** An item from its AttributeMap, once filtered, projected or resolved from an index entry. */
  readonly fromMap: (item: AttributeMap) => T;
}

/**
 * Items as DynamoDB's AttributeMaps, for the data plane's requests and responses.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeItem } from "../codec/item_codec.ts";
 * import { ATTRIBUTE_MAPS } from "./_page.ts";
 * assert.deepEqual(ATTRIBUTE_MAPS.decode(encodeItem({ pk: { S: "a" } })), { pk: { S: "a" } });
 * ```
 */
export const ATTRIBUTE_MAPS: ItemForm<AttributeMap> = {
  decode: decodeItem,
  fromMap: (item) => item,
};

/** A Query or Scan page, in DynamoDB's shape (its items in the form asked). */
export interface PageOutput<T = AttributeMap> {
  /** The items, absent with `Select: COUNT`. */
  Items?: T[];
  /** Items returned (after the filter). */
  Count: number;
  /** Items read (before the filter). */
  ScannedCount: number;
  /** The key of the last item read, present when more items may follow. */
  LastEvaluatedKey?: AttributeMap;
}

/**
 * Collects one page. Feed it entries in order with {@linkcode Page.add} until it is full; if
 * an entry is left after that, call {@linkcode Page.more}.
 */
export class Page<T = AttributeMap> {
  readonly #table: ApiTable;
  readonly #options: PageOptions;
  readonly #reader: Reader;
  readonly #form: ItemForm<T>;
  readonly #items: T[] = [];
  #count = 0;
  #scanned = 0;
  #size = 0;
  /** The encoding of the last item read (decoded only for the LastEvaluatedKey). */
  #last: Uint8Array | undefined;
  #more = false;

  /**
   * @param table The table read.
   * @param options Limit, filter, projection, count only.
   * @param reader What the entries are read from (an index view fetches items from it).
   * @param form The form of the items returned.
   */
  constructor(table: ApiTable, options: PageOptions, reader: Reader, form: ItemForm<T>) {
    this.#table = table;
    this.#options = options;
    this.#reader = reader;
    this.#form = form;
  }

  /** Whether the page holds `Limit` items or 1 MB. */
  get full(): boolean {
    return this.#scanned >= this.#options.limit || this.#size >= MAX_PAGE_SIZE;
  }

  /**
   * Reads one more item into the page.
   *
   * @param entry The item's entry from the store.
   */
  add(entry: RangeEntry): void {
    const { filter, projection, countOnly, expiry, view } = this.#options;
    let item: AttributeMap | undefined;
    let returned: AttributeMap | undefined;
    if (view !== undefined) {
      const resolved = view.resolve(this.#reader, decodeItem(entry.value));
      if (resolved === undefined) return;
      ({ item, returned } = resolved);
    } else if (expiry !== undefined) {
      item = decodeItem(entry.value);
      if (isExpired(item, expiry.attribute, expiry.nowMs)) return;
    }
    this.#scanned++;
    this.#size += encodedItemSize(entry.value);
    this.#last = entry.value;
    if (countOnly && filter === undefined) {
      this.#count++;
      return;
    }
    if (item === undefined && filter === undefined && projection === undefined) {
      // Nothing needs the AttributeMap: decode straight to the form returned.
      this.#count++;
      this.#items.push(this.#form.decode(entry.value));
      return;
    }
    item ??= decodeItem(entry.value);
    if (filter !== undefined && !evaluateCondition(filter, item)) return;
    this.#count++;
    if (!countOnly) {
      this.#items.push(this.#form.fromMap(
        projection === undefined ? returned ?? item : applyProjection(projection, item),
      ));
    }
  }

  /** Records that an item follows the full page, so the page gets a LastEvaluatedKey. */
  more(): void {
    this.#more = true;
  }

  /**
   * Reads entries into the page until it is full; notes whether any entry was left.
   *
   * @param entries The entries, in order.
   * @returns Whether the page is full (and so the caller should stop feeding it).
   */
  fill(entries: Iterable<RangeEntry>): boolean {
    for (const entry of entries) {
      if (this.full) {
        this.#more = true;
        return true;
      }
      this.add(entry);
    }
    return this.full;
  }

  /** Whether the page is full and an item is known to follow. */
  get hasMore(): boolean {
    return this.#more;
  }

  /**
   * The finished page.
   *
   * @returns Items, counts and, when more items may follow, the LastEvaluatedKey.
   */
  output(): PageOutput<T> {
    const output: PageOutput<T> = { Count: this.#count, ScannedCount: this.#scanned };
    if (!this.#options.countOnly) output.Items = this.#items;
    if (this.#more && this.#last !== undefined) {
      const last = decodeItem(this.#last);
      const view = this.#options.view;
      output.LastEvaluatedKey = view === undefined ? keyOf(this.#table, last) : view.keyOf(last);
    }
    return output;
  }
}
