/**
 * The paging iterators behind `queryPages`/`scanPages`: every page is read from one snapshot,
 * taken when the iteration starts, so writes, flushes and compactions during the iteration
 * change nothing it returns.
 *
 * @module
 */
import type { Reader } from "../api/_items.ts";
import type { ItemForm, PageOutput } from "../api/_page.ts";
import type { AttributeMap } from "../model/attribute_value.ts";
import type { Store } from "../store/store.ts";
import { PLAIN_ITEMS, toPage } from "./_convert.ts";
import type { Item, Page } from "./table_options.ts";

/** Reads one page of a planned Query or Scan, its items in the form asked. */
export type ReadPage<P> = (
  reader: Reader,
  plan: P,
  start: AttributeMap | undefined,
  form: ItemForm<Item>,
) => PageOutput<Item>;

/**
 * Pages through a planned Query or Scan on a snapshot of the store. The snapshot is released
 * when the loop ends, breaks or throws; an iterator abandoned in the middle keeps it.
 *
 * @param store The store.
 * @param plan The validated request.
 * @param read Reads one page.
 * @param start The ExclusiveStartKey of the first page.
 * @param signal Checked before every page.
 * @returns The pages.
 */
export async function* pages<P>(
  store: Store,
  plan: P,
  read: ReadPage<P>,
  start: AttributeMap | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<Page, void, undefined> {
  signal?.throwIfAborted();
  const snapshot = store.snapshot();
  try {
    for (;;) {
      const output = read(snapshot, plan, start, PLAIN_ITEMS);
      yield toPage(output);
      if (output.LastEvaluatedKey === undefined) return;
      start = output.LastEvaluatedKey;
      signal?.throwIfAborted();
    }
  } finally {
    snapshot.release();
  }
}

/**
 * The items of every page, in order.
 *
 * @param source The pages.
 * @returns The items.
 */
export async function* itemsOf(source: AsyncIterable<Page>): AsyncGenerator<Item, void, undefined> {
  for await (const page of source) yield* page.items;
}
