/**
 * `RemoteDatabase`: the embedded `Database`'s API over the DynamoDB protocol, each method one
 * or a few DynamoDB calls. `connect(url)` (in `connect.ts`) makes one.
 *
 * @module
 */
import {
  batchGetInput,
  batchWriteInput,
  transactGetInput,
  transactWriteInput,
} from "../engine/db/_batch_convert.ts";
import type {
  CreateTableOptions,
  TableDescription,
  TimeToLiveDescription,
  UpdateTableChanges,
} from "../engine/db/admin_options.ts";
import { DefaultTableMethods } from "../engine/db/default_table.ts";
import type { HealthReport } from "../engine/db/health.ts";
import type { KeySchema } from "../engine/db/key_schema.ts";
import type { Item } from "../engine/db/table.ts";
import type {
  BatchGetRequest,
  BatchGetResult,
  BatchWriteRequest,
  TransactGet,
  TransactWriteAction,
} from "../engine/db/batch_options.ts";
import { unmarshallItem } from "../engine/model/marshall.ts";
import { mapFromWire } from "../server/wire.ts";
import {
  createTableInput,
  describeTable,
  describeTimeToLive,
  updateTableInput,
  waitForActive,
  type WaitOptions,
} from "./remote_admin.ts";
import { maybeItem, RemoteTable } from "./remote_table.ts";
import type { Transport } from "./transport.ts";

/**
 * A database reached over the DynamoDB protocol. Get one from `connect(url)`.
 */
export class RemoteDatabase extends DefaultTableMethods implements AsyncDisposable {
  readonly #transport: Transport;
  readonly #streams: Transport;
  readonly #defaultName: string;

  /**
   * @param transport The connection.
   * @param defaultTable The table behind the default-table methods.
   * @param streams The DynamoDB Streams connection. @default transport
   */
  constructor(transport: Transport, defaultTable = "", streams: Transport = transport) {
    super(
      new RemoteTable(transport, defaultTable, {
        partitionKey: { name: "pk", type: "S" },
        sortKey: { name: "sk", type: "S" },
      }, streams),
    );
    this.#transport = transport;
    this.#streams = streams;
    this.#defaultName = defaultTable;
  }

  /** The endpoint. */
  get url(): string {
    return this.#transport.url.href;
  }

  /** Reads up to 100 items across tables (`""` is the default table), retrying unprocessed keys. */
  async batchGet(request: BatchGetRequest): Promise<BatchGetResult> {
    const result: BatchGetResult = {};
    let input: unknown = this.#renameTables(batchGetInput(request));
    for (;;) {
      const body = await this.#transport.call("BatchGetItem", input);
      for (const [name, items] of Object.entries(body.Responses as Record<string, unknown[]>)) {
        const list = result[name === this.#defaultName ? "" : name] ??= [];
        for (const item of items) list.push(unmarshallItem(mapFromWire(item)));
      }
      const unprocessed = (body.UnprocessedKeys ?? {}) as Record<string, unknown>;
      if (Object.keys(unprocessed).length === 0) return result;
      input = { RequestItems: unprocessed };
    }
  }

  /** Writes up to 25 puts and deletes across tables (BatchWriteItem), retrying unprocessed ones. */
  async batchWrite(request: BatchWriteRequest): Promise<void> {
    let input: unknown = this.#renameTables(batchWriteInput(request));
    for (;;) {
      const body = await this.#transport.call("BatchWriteItem", input);
      const unprocessed = (body.UnprocessedItems ?? {}) as Record<string, unknown>;
      if (Object.keys(unprocessed).length === 0) return;
      input = { RequestItems: unprocessed };
    }
  }

  /** Runs up to 100 actions all or nothing (TransactWriteItems). */
  async transactWrite(actions: readonly TransactWriteAction[]): Promise<void> {
    const input = transactWriteInput(actions);
    for (const action of input.TransactItems) {
      for (const part of Object.values(action)) {
        if (part !== undefined && part.TableName === "") {
          (part as { TableName: string }).TableName = this.#defaultName;
        }
      }
    }
    await this.#transport.call("TransactWriteItems", input);
  }

  /** Reads up to 100 items as of one moment (TransactGetItems). */
  async transactGet(gets: readonly TransactGet[]): Promise<(Item | undefined)[]> {
    const input = transactGetInput(gets);
    for (const { Get } of input.TransactItems) {
      if (Get.TableName === "") (Get as { TableName: string }).TableName = this.#defaultName;
    }
    const body = await this.#transport.call("TransactGetItems", input);
    return (body.Responses as { Item?: unknown }[]).map((response) => maybeItem(response.Item));
  }

  /**
   * Creates a table (CreateTable, on-demand billing) with its secondary indexes and stream, waits
   * until it is `ACTIVE` (DynamoDB creates tables in the background), then enables time to
   * live (UpdateTimeToLive) when `ttl` is given.
   *
   * @param name The table's name.
   * @param keySchema The partition key and optional sort key.
   * @param options Indexes, stream, time to live, and how to wait for `ACTIVE`.
   * @returns The table.
   * @throws {KstoneError} RESOURCE_IN_USE when the table exists; VALIDATION with DynamoDB's
   *   wording; FAILED when it is not `ACTIVE` within `timeoutMs`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { connect, Database } from "../mod.ts";
   * import { serve } from "../server/serve.ts";
   * const server = await serve({ db: await Database.memory(), port: 0, metricsPort: false });
   * const db = await connect(server.url);
   * await db.createTable("users", { partitionKey: { name: "id", type: "S" } }, {
   *   globalIndexes: [{ name: "by_email", partitionKey: { name: "email", type: "S" } }],
   *   ttl: { attributeName: "expires" },
   * });
   * const description = await db.describeTable("users");
   * assert.equal(description.globalIndexes[0]?.status, "ACTIVE");
   * assert.deepEqual(description.ttl, { status: "ENABLED", attributeName: "expires" });
   * await server.shutdown();
   * ```
   */
  async createTable(
    name: string,
    keySchema: KeySchema,
    options: CreateTableOptions & WaitOptions = {},
  ): Promise<RemoteTable> {
    await this.#transport.call("CreateTable", createTableInput(name, keySchema, options));
    await waitForActive(this.#transport, name, options);
    if (options.ttl !== undefined) {
      await this.updateTimeToLive(name, {
        attributeName: options.ttl.attributeName,
        enabled: true,
      });
    }
    return new RemoteTable(this.#transport, name, keySchema, this.#streams);
  }

  /**
   * Describes a table in the embedded shape (DescribeTable, DescribeTimeToLive, and
   * DescribeStream when it has a stream). `id` and `stream.id` are kstone's keyspace ids (`-1`
   * from DynamoDB); `createdAt` is in milliseconds.
   *
   * @param name The table's name; `""` is the default table.
   * @returns The description.
   * @throws {KstoneError} RESOURCE_NOT_FOUND when there is no such table.
   */
  describeTable(name: string): Promise<TableDescription> {
    return describeTable(this.#transport, this.#streams, this.#tableName(name));
  }

  /**
   * Creates or deletes a global secondary index, or enables or disables the stream
   * (UpdateTable). Resolves once the server accepted the change; {@linkcode RemoteDatabase.waitForTable} waits
   * for a new index to be backfilled.
   *
   * @param name The table's name; `""` is the default table.
   * @param changes One index update, or a stream change.
   * @throws {KstoneError} LIMIT_EXCEEDED while another index is being created or deleted;
   *   VALIDATION or RESOURCE_NOT_FOUND with DynamoDB's wording.
   *
   * @example Add an index to a table with items
   * ```ts
   * import assert from "node:assert/strict";
   * import { connect, Database } from "../mod.ts";
   * import { serve } from "../server/serve.ts";
   * const server = await serve({ db: await Database.memory(), port: 0, metricsPort: false });
   * const db = await connect(server.url);
   * const users = await db.createTable("users", { partitionKey: { name: "id", type: "S" } });
   * await users.put({ id: "u1", email: "ada@example.com" });
   * await db.updateTable("users", {
   *   globalIndexUpdates: [{ create: { name: "by_email", partitionKey: { name: "email", type: "S" } } }],
   * });
   * await db.waitForTable("users");
   * const page = await users.query({
   *   indexName: "by_email",
   *   keyConditionExpression: "email = :e",
   *   expressionAttributeValues: { ":e": "ada@example.com" },
   * });
   * assert.deepEqual(page.items, [{ id: "u1", email: "ada@example.com" }]);
   * await server.shutdown();
   * ```
   */
  async updateTable(name: string, changes: UpdateTableChanges): Promise<void> {
    await this.#transport.call("UpdateTable", updateTableInput(this.#tableName(name), changes));
  }

  /**
   * Waits until the table and every index are `ACTIVE` and deleted indexes are gone, polling
   * DescribeTable (25 ms, doubling up to `pollIntervalMs`).
   *
   * @param name The table's name; `""` is the default table.
   * @param options The longest pause and the timeout.
   * @throws {KstoneError} FAILED `Timed out after <ms> ms waiting for table <name> to become
   *   ACTIVE`; RESOURCE_NOT_FOUND for an unknown table.
   */
  waitForTable(name: string, options: WaitOptions = {}): Promise<void> {
    return waitForActive(this.#transport, this.#tableName(name), options);
  }

  /**
   * Enables or disables time to live (UpdateTimeToLive).
   *
   * @param name The table's name; `""` is the default table.
   * @param setting The attribute and whether expiry is on.
   * @throws {KstoneError} VALIDATION `TimeToLive is already enabled`, `TimeToLive is already
   *   disabled`, or `TimeToLive is active on a different AttributeName: ...`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { connect, Database } from "../mod.ts";
   * import { serve } from "../server/serve.ts";
   * const server = await serve({ db: await Database.memory(), port: 0, metricsPort: false });
   * const db = await connect(server.url);
   * await db.updateTimeToLive("", { attributeName: "expires", enabled: true });
   * assert.deepEqual(await db.describeTimeToLive(""), { status: "ENABLED", attributeName: "expires" });
   * await assert.rejects(db.updateTimeToLive("", { attributeName: "expires", enabled: true }), /already enabled/);
   * await server.shutdown();
   * ```
   */
  async updateTimeToLive(
    name: string,
    setting: { readonly attributeName: string; readonly enabled: boolean },
  ): Promise<void> {
    await this.#transport.call("UpdateTimeToLive", {
      TableName: this.#tableName(name),
      TimeToLiveSpecification: { AttributeName: setting.attributeName, Enabled: setting.enabled },
    });
  }

  /**
   * A table's time-to-live setting (DescribeTimeToLive).
   *
   * @param name The table's name; `""` is the default table.
   * @returns `ENABLED` with its attribute, or `DISABLED`.
   * @throws {KstoneError} RESOURCE_NOT_FOUND when there is no such table.
   */
  describeTimeToLive(name: string): Promise<TimeToLiveDescription> {
    return describeTimeToLive(this.#transport, this.#tableName(name));
  }

  /** A table by name (no request is made until it is used). */
  table(name: string): RemoteTable {
    return new RemoteTable(this.#transport, name, undefined, this.#streams);
  }

  /** The names of the tables, sorted (every page of ListTables). */
  async listTables(): Promise<string[]> {
    const names: string[] = [];
    let start: string | undefined;
    do {
      const body = await this.#transport.call("ListTables", { ExclusiveStartTableName: start });
      names.push(...(body.TableNames as string[]));
      start = body.LastEvaluatedTableName as string | undefined;
    } while (start !== undefined);
    return names.sort();
  }

  /** Deletes a table (DeleteTable). */
  async deleteTable(name: string): Promise<void> {
    await this.#transport.call("DeleteTable", { TableName: name });
  }

  /** The server's health (`GET /health`; kstone servers only). */
  async health(): Promise<HealthReport> {
    const response = await this.#transport.get("/health");
    return await response.json() as HealthReport;
  }

  /** Nothing to release (each call is one HTTP request); kept for parity with `Database`. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Closes the connection (`await using db = await connect(...)`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #tableName(name: string): string {
    return name === "" ? this.#defaultName : name;
  }

  #renameTables<T extends { RequestItems: Readonly<Record<string, unknown>> }>(input: T): T {
    if (this.#defaultName === "" || !("" in input.RequestItems)) return input;
    const { "": mine, ...rest } = input.RequestItems;
    return { ...input, RequestItems: { ...rest, [this.#defaultName]: mine } };
  }
}
