/**
 * Streams in the embedded API: the list of a database's streams (what ListStreams shows), and
 * a table's records as plain JavaScript values, read page by page or followed as they are
 * written.
 *
 * @module
 */
import { KstoneError } from "../errors.ts";
import { unmarshallItem } from "../model/marshall.ts";
import type { Store } from "../store/store.ts";
import { oldestSequence, readStream } from "../stream/reader.ts";
import type { ServiceIdentity, StreamEventName, StreamRecord } from "../stream/record.ts";
import { type WatchStart, watchStream } from "../stream/watch.ts";
import type { StreamDefinition, StreamViewType, TableDefinition } from "./catalog.ts";
import type { KeySchema } from "./key_schema.ts";
import type { TableRegistry } from "./table_registry.ts";
import type { Item } from "./table_options.ts";

/** A stream and its table. */
export interface StreamInfo {
  /** The table's name. */
  readonly tableName: string;
  /** Whether the table is live (not deleted). */
  readonly tableActive: boolean;
  /** The table's key schema. */
  readonly keySchema: KeySchema;
  /** The stream. */
  readonly stream: StreamDefinition;
}

/**
 * The streams of a database, oldest first: enabled ones, and disabled ones (or those of deleted
 * tables) while they still hold records.
 *
 * @param store The open store.
 * @param tables The database's tables.
 * @returns The streams.
 */
export function listStreams(store: Store, tables: TableRegistry): StreamInfo[] {
  const streams: StreamInfo[] = [];
  for (const definition of tables.all()) {
    const tableActive = definition.status === "ACTIVE";
    for (const stream of definition.streams ?? []) {
      if (!(stream.enabled && tableActive) && oldestSequence(store, stream.id) === undefined) {
        continue;
      }
      streams.push({
        tableName: definition.name,
        tableActive,
        keySchema: definition.keySchema,
        stream,
      });
    }
  }
  return streams.sort((a, b) =>
    a.stream.createdAt - b.stream.createdAt || a.stream.id - b.stream.id
  );
}

/** A stream record with plain JavaScript images (see `Table.streamRecords`). */
export interface StreamChange {
  /** INSERT, MODIFY or REMOVE. */
  eventName: StreamEventName;
  /** 21 digits, increasing along the stream. */
  sequenceNumber: string;
  /** When the change was made, milliseconds since the epoch. */
  createdAtMs: number;
  /** The item's key attributes. */
  keys: Item;
  /** The item after the change, when the stream's view type carries it. */
  newImage?: Item;
  /** The item before the change, when the stream's view type carries it. */
  oldImage?: Item;
  /** The size of keys and images by DynamoDB's item size rules. */
  sizeBytes: number;
  /** The stream's view type. */
  streamViewType: StreamViewType;
  /** Set on time-to-live deletions: `{ type: "Service", principalId: "dynamodb.amazonaws.com" }`. */
  userIdentity?: ServiceIdentity;
}

/** Options of `Table.readStream`. */
export interface ReadStreamOptions {
  /** Start after this sequence number (the `last` of the previous page). @default the oldest */
  after?: string | undefined;
  /** At most this many records, up to 1000. @default 1000 */
  limit?: number | undefined;
}

/** One page of `Table.readStream`. */
export interface StreamChangePage {
  /** The records, oldest first. */
  records: StreamChange[];
  /** The sequence number of the last record, to pass as `after`; none when the page is empty. */
  last: string | undefined;
}

/** Options of `Table.streamRecords`. */
export interface StreamRecordsOptions {
  /**
   * Where to start: the oldest record kept (`TRIM_HORIZON`), the next one written (`LATEST`),
   * `{ at: sequenceNumber }` or `{ after: sequenceNumber }`. @default "TRIM_HORIZON"
   */
  from?: WatchStart | undefined;
  /** Stops the iteration: it throws the signal's reason. @default none */
  signal?: AbortSignal | undefined;
}

/**
 * A table's latest stream (enabled or not).
 *
 * @param definition The table.
 * @returns The stream.
 * @throws {KstoneError} RESOURCE_NOT_FOUND when the table never had one.
 */
export function tableStream(definition: TableDefinition): StreamDefinition {
  const stream = definition.streams?.at(-1);
  if (stream === undefined) {
    throw new KstoneError(
      "RESOURCE_NOT_FOUND",
      `Requested resource not found: Table: ${definition.name} has no stream`,
    );
  }
  return stream;
}

/**
 * Reads one page of a stream as plain values.
 *
 * @param store The open store.
 * @param stream The stream.
 * @param options Where to start and how many.
 * @returns The page.
 */
export function readChanges(
  store: Store,
  stream: StreamDefinition,
  options: ReadStreamOptions,
): StreamChangePage {
  const limit = Math.min(Math.max(options.limit ?? 1000, 1), 1000);
  const page = readStream(store, stream.id, { after: options.after, limit });
  return { records: page.records.map(plainRecord), last: page.last };
}

/**
 * Follows a stream as plain values.
 *
 * @param store The open store.
 * @param stream The stream.
 * @param options Where to start and an abort signal.
 * @returns The records, as they are written; ends when the database closes.
 */
export async function* followChanges(
  store: Store,
  stream: StreamDefinition,
  options: StreamRecordsOptions,
): AsyncGenerator<StreamChange, void, undefined> {
  for await (const record of watchStream(store, stream.id, options)) yield plainRecord(record);
}

/**
 * A record with plain JavaScript images.
 *
 * @param record The record.
 * @returns The plain record.
 */
export function plainRecord(record: StreamRecord): StreamChange {
  const change: StreamChange = {
    eventName: record.eventName,
    sequenceNumber: record.sequenceNumber,
    createdAtMs: record.createdAtMs,
    keys: unmarshallItem(record.keys),
    sizeBytes: record.sizeBytes,
    streamViewType: record.streamViewType,
  };
  if (record.newImage !== undefined) change.newImage = unmarshallItem(record.newImage);
  if (record.oldImage !== undefined) change.oldImage = unmarshallItem(record.oldImage);
  if (record.userIdentity !== undefined) change.userIdentity = record.userIdentity;
  return change;
}
