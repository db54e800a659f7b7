/**
 * PLACEHOLDER — being written by the stream engineer.
 *
 * @module
 */
import type { ItemChange } from "../api/_derived.ts";
import type { ApiTable } from "../api/context.ts";
import type { StreamDefinition } from "../db/catalog.ts";
import type { Mutation } from "../store/batch_codec.ts";

/** Where a record goes in its stream. */
export interface RecordPosition {
  /** The LSN of the commit that carries the record. */
  readonly lsn: number;
  /** The record's position among the commit's stream records, from 0. */
  readonly position: number;
  /** The time, milliseconds since the epoch. */
  readonly nowMs: number;
}

/**
 * The stream record of one change, as a mutation; none when the item did not change.
 *
 * @param table The table.
 * @param stream The table's enabled stream.
 * @param change The change.
 * @param at Sequence and time.
 * @returns The mutation, or `undefined`.
 */
export function streamMutation(
  table: ApiTable,
  stream: StreamDefinition,
  change: ItemChange,
  at: RecordPosition,
): Mutation | undefined {
  void table, stream, change, at;
  return undefined;
}
