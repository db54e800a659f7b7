/**
 * `RemoteTable`: a table of a remote database, with the embedded `Table`'s item, query and scan
 * methods, each one DynamoDB call, and its stream methods over the DynamoDB Streams API.
 *
 * @module
 */
import { conditionInput, queryInput, scanInput, toPage } from "../engine/db/_convert.ts";
import type { KeySchema } from "../engine/db/key_schema.ts";
import type { Item } from "../engine/db/table.ts";
import type {
  DeleteOptions,
  GetOptions,
  IterateOptions,
  Page,
  PutOptions,
  QueryOptions,
  ScanOptions,
  UpdateOptions,
} from "../engine/db/table_options.ts";
import type {
  ReadStreamOptions,
  StreamChange,
  StreamChangePage,
  StreamRecordsOptions,
} from "../engine/db/stream_api.ts";
import { marshallItem, unmarshallItem } from "../engine/model/marshall.ts";
import { mapFromWire } from "../server/wire.ts";
import { followRemoteStream, readRemoteStream } from "./remote_stream.ts";
import type { Transport } from "./transport.ts";

type Wire = Record<string, unknown>;

/** A plain item from a wire item, if any. */
export function maybeItem(value: unknown): Item | undefined {
  return value === undefined ? undefined : unmarshallItem(mapFromWire(value));
}

function pageOf(body: Wire): Page {
  const output = {
    Count: Number(body.Count ?? 0),
    ScannedCount: Number(body.ScannedCount ?? 0),
  } as Parameters<typeof toPage>[0];
  if (Array.isArray(body.Items)) {
    output.Items = body.Items.map((item) => unmarshallItem(mapFromWire(item)));
  }
  if (body.LastEvaluatedKey !== undefined) {
    output.LastEvaluatedKey = mapFromWire(body.LastEvaluatedKey);
  }
  return toPage(output);
}

async function* pagesOf(
  fetchPage: (start: Item | undefined) => Promise<Page>,
  signal: AbortSignal | undefined,
  start: Item | undefined,
): AsyncGenerator<Page, void, undefined> {
  let next = start;
  do {
    signal?.throwIfAborted();
    const page = await fetchPage(next);
    yield page;
    next = page.lastEvaluatedKey;
  } while (next !== undefined);
}

async function* itemsOf(pages: AsyncIterable<Page>): AsyncGenerator<Item, void, undefined> {
  for await (const page of pages) yield* page.items;
}

/**
 * A table of a remote database: the embedded `Table`'s item, query, scan and stream methods.
 */
export class RemoteTable {
  readonly #transport: Transport;
  readonly #streams: Transport;
  #keySchema: KeySchema | undefined;
  /** The table's name. */
  readonly name: string;

  /**
   * @param transport The connection.
   * @param name The table's name.
   * @param keySchema The key schema, when known.
   * @param streams The DynamoDB Streams connection. @default transport
   */
  constructor(
    transport: Transport,
    name: string,
    keySchema?: KeySchema,
    streams: Transport = transport,
  ) {
    this.#transport = transport;
    this.#streams = streams;
    this.name = name;
    this.#keySchema = keySchema;
  }

  /** The key schema, once known (from `createTable` or `describe()`). */
  get keySchema(): KeySchema | undefined {
    return this.#keySchema;
  }

  /**
   * Reads the table's key schema from the server (DescribeTable).
   *
   * @returns The key schema.
   * @throws {KstoneError} RESOURCE_NOT_FOUND when there is no such table.
   */
  async describe(): Promise<KeySchema> {
    const { Table } = await this.#transport.call("DescribeTable", { TableName: this.name });
    const table = Table as {
      KeySchema: { AttributeName: string }[];
      AttributeDefinitions: { AttributeName: string; AttributeType: "S" | "N" | "B" }[];
    };
    const type = (name: string) =>
      table.AttributeDefinitions.find((d) => d.AttributeName === name)!.AttributeType;
    const [hash, range] = table.KeySchema.map((k) => ({
      name: k.AttributeName,
      type: type(k.AttributeName),
    }));
    this.#keySchema = range === undefined
      ? { partitionKey: hash! }
      : { partitionKey: hash!, sortKey: range };
    return this.#keySchema;
  }

  /** Stores an item (PutItem); returns the replaced item with `returnValues: "ALL_OLD"`. */
  async put(item: Item, options: PutOptions = {}): Promise<Item | undefined> {
    const body = await this.#transport.call("PutItem", {
      TableName: this.name,
      Item: marshallItem(item),
      ...conditionInput(options),
      ReturnValues: options.returnValues,
    });
    return maybeItem(body.Attributes);
  }

  /** Reads an item by its key (GetItem). */
  async get(key: Item, options: GetOptions = {}): Promise<Item | undefined> {
    const body = await this.#transport.call("GetItem", {
      TableName: this.name,
      Key: marshallItem(key),
      ProjectionExpression: options.projectionExpression,
      ExpressionAttributeNames: options.expressionAttributeNames,
      ConsistentRead: options.consistentRead,
    });
    return maybeItem(body.Item);
  }

  /** Updates an item (UpdateItem); returns what `returnValues` asks for. */
  async update(key: Item, options: UpdateOptions = {}): Promise<Item | undefined> {
    const body = await this.#transport.call("UpdateItem", {
      TableName: this.name,
      Key: marshallItem(key),
      UpdateExpression: options.updateExpression,
      ...conditionInput(options),
      ReturnValues: options.returnValues,
    });
    return maybeItem(body.Attributes);
  }

  /** Deletes an item (DeleteItem); returns it with `returnValues: "ALL_OLD"`. */
  async delete(key: Item, options: DeleteOptions = {}): Promise<Item | undefined> {
    const body = await this.#transport.call("DeleteItem", {
      TableName: this.name,
      Key: marshallItem(key),
      ...conditionInput(options),
      ReturnValues: options.returnValues,
    });
    return maybeItem(body.Attributes);
  }

  /** One page of a partition (Query). */
  async query(options: QueryOptions): Promise<Page> {
    return pageOf(await this.#transport.call("Query", queryInput(this.name, options)));
  }

  /** Every page of a Query, following `lastEvaluatedKey`. */
  queryPages(options: QueryOptions & IterateOptions): AsyncGenerator<Page, void, undefined> {
    const { signal, ...rest } = options;
    return pagesOf(
      (start) => this.query({ ...rest, exclusiveStartKey: start }),
      signal,
      rest.exclusiveStartKey,
    );
  }

  /** Every item a Query matches. */
  queryAll(options: QueryOptions & IterateOptions): AsyncGenerator<Item, void, undefined> {
    return itemsOf(this.queryPages(options));
  }

  /** One page of the table (Scan). */
  async scan(options: ScanOptions = {}): Promise<Page> {
    return pageOf(await this.#transport.call("Scan", scanInput(this.name, options)));
  }

  /** Every page of a Scan, following `lastEvaluatedKey`. */
  scanPages(options: ScanOptions & IterateOptions = {}): AsyncGenerator<Page, void, undefined> {
    const { signal, ...rest } = options;
    return pagesOf(
      (start) => this.scan({ ...rest, exclusiveStartKey: start }),
      signal,
      rest.exclusiveStartKey,
    );
  }

  /** Every item of the table. */
  scanAll(options: ScanOptions & IterateOptions = {}): AsyncGenerator<Item, void, undefined> {
    return itemsOf(this.scanPages(options));
  }

  /**
   * Reads one page of the table's latest stream (enabled or not), oldest record first, over
   * DescribeTable, DescribeStream, GetShardIterator (`TRIM_HORIZON`, or
   * `AFTER_SEQUENCE_NUMBER` from `after`) and GetRecords. Records are the embedded API's plain
   * `StreamChange`s; `createdAtMs` is in whole seconds (DynamoDB's
   * `ApproximateCreationDateTime`).
   *
   * @param options Where to start (`after` the `last` of the previous page) and how many.
   * @returns The records and the position to go on from.
   * @throws {KstoneError} RESOURCE_NOT_FOUND when the table never had a stream.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { connect, Database } from "../mod.ts";
   * import { serve } from "../server/serve.ts";
   * const server = await serve({ db: await Database.memory(), port: 0, metricsPort: false });
   * const db = await connect(server.url);
   * const users = await db.createTable("users", { partitionKey: { name: "id", type: "S" } }, {
   *   stream: { viewType: "NEW_AND_OLD_IMAGES" },
   * });
   * await users.put({ id: "u1", name: "Ada" });
   * await users.put({ id: "u1", name: "Ada L." });
   * const { records, last } = await users.readStream();
   * assert.deepEqual(records.map((r) => r.eventName), ["INSERT", "MODIFY"]);
   * assert.deepEqual(records[1]?.oldImage, { id: "u1", name: "Ada" });
   * assert.deepEqual((await users.readStream({ after: last })).records, []);
   * await server.shutdown();
   * ```
   */
  readStream(options: ReadStreamOptions = {}): Promise<StreamChangePage> {
    return readRemoteStream(this.#streamTransports(), this.name, options);
  }

  /**
   * Follows the table's latest stream by polling GetRecords (pausing 100 ms, doubling up to
   * 1 s, while nothing new comes), shard after shard in lineage order. It ends when the stream
   * is closed and read to its end; aborting its signal makes it throw the signal's reason.
   * `LATEST` is the end of the stream when the first GetShardIterator is answered, so start
   * the iteration before the writes it must see (or start from a sequence number).
   *
   * @param options Where to start (default the oldest record kept) and an abort signal.
   * @returns The records, in order.
   * @throws {KstoneError} RESOURCE_NOT_FOUND (on the first `next()`) when the table never had
   *   a stream.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { connect, Database } from "../mod.ts";
   * import { serve } from "../server/serve.ts";
   * const server = await serve({ db: await Database.memory(), port: 0, metricsPort: false });
   * const db = await connect(server.url);
   * const users = await db.createTable("users", { partitionKey: { name: "id", type: "S" } }, {
   *   stream: { viewType: "KEYS_ONLY" },
   * });
   * const controller = new AbortController();
   * const changes = users.streamRecords({ signal: controller.signal });
   * const first = changes.next(); // polls
   * await users.put({ id: "u1" });
   * assert.deepEqual((await first).value?.keys, { id: "u1" });
   * controller.abort(new Error("done"));
   * await assert.rejects(changes.next(), /done/);
   * await server.shutdown();
   * ```
   */
  streamRecords(options: StreamRecordsOptions = {}): AsyncGenerator<StreamChange, void, undefined> {
    return followRemoteStream(this.#streamTransports(), this.name, options);
  }

  #streamTransports(): { api: Transport; streams: Transport } {
    return { api: this.#transport, streams: this.#streams };
  }
}
