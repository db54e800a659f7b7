/**
 * `connect(url)`: a database on the other side of the DynamoDB protocol, `kstone serve` or any
 * DynamoDB endpoint, with the embedded database's API (`put`, `get`, `update`, `query`,
 * `batchWrite`, `transactWrite`, `createTable`, `table(name).get(...)`, …) and its errors.
 *
 * Differences from `Database`: `listTables()` returns a promise; `queryPages`/`scanPages` page
 * with `ExclusiveStartKey` rather than from one snapshot; a table got with `table(name)` knows
 * its key schema only after `describe()`. The default table (`db.put("user#1", …)`) is kstone's
 * table `""`; against DynamoDB, name a real table with `defaultTable`.
 *
 * @module
 */
import {
  batchGetInput,
  batchWriteInput,
  transactGetInput,
  transactWriteInput,
} from "../engine/db/_batch_convert.ts";
import type { DefaultKey } from "../engine/db/database.ts";
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
import { validation } from "../engine/errors.ts";
import { unmarshallItem } from "../engine/model/marshall.ts";
import { mapFromWire } from "../server/wire.ts";
import { maybeItem, RemoteTable } from "./remote_table.ts";
import { Transport, type TransportOptions } from "./transport.ts";

export { RemoteTable } from "./remote_table.ts";

/** Options of {@linkcode connect}. */
export interface ConnectOptions extends TransportOptions {
  /** The table behind the default-table methods (`db.put(key, item)`). @default "" (kstone's default table) */
  defaultTable?: string;
}

function defaultKey(key: DefaultKey): Item {
  if (typeof key === "string") return { pk: key };
  if (key === null || typeof key !== "object") {
    throw validation(`Invalid key: expected a string or { pk, sk }, got ${String(key)}`);
  }
  return key.sk === undefined ? { pk: key.pk } : { pk: key.pk, sk: key.sk };
}

/**
 * A database reached over the DynamoDB protocol. Get one from {@linkcode connect}.
 */
export class RemoteDatabase implements AsyncDisposable {
  readonly #transport: Transport;
  readonly #default: RemoteTable;
  readonly #defaultName: string;

  /**
   * @param transport The connection.
   * @param defaultTable The table behind the default-table methods.
   */
  constructor(transport: Transport, defaultTable = "") {
    this.#transport = transport;
    this.#defaultName = defaultTable;
    this.#default = new RemoteTable(transport, defaultTable, {
      partitionKey: { name: "pk", type: "S" },
      sortKey: { name: "sk", type: "S" },
    });
  }

  /** The endpoint. */
  get url(): string {
    return this.#transport.url.href;
  }

  /** Stores an item in the default table under `key` (its `pk`, `sk` set from the key). */
  async put(key: DefaultKey, item: Item = {}, options: PutOptions = {}): Promise<void> {
    const keyItem = defaultKey(key);
    for (const name of ["pk", "sk"] as const) {
      if (item[name] !== undefined && item[name] !== keyItem[name]) {
        throw validation(`The item's ${name} does not match the key: ${String(item[name])}`);
      }
    }
    await this.#default.put({ ...item, ...keyItem }, options);
  }

  /** Reads an item of the default table. */
  get(key: DefaultKey, options: GetOptions = {}): Promise<Item | undefined> {
    return this.#default.get(defaultKey(key), options);
  }

  /** Deletes an item of the default table. */
  async delete(key: DefaultKey, options: DeleteOptions = {}): Promise<void> {
    await this.#default.delete(defaultKey(key), options);
  }

  /** Updates an item of the default table. */
  update(key: DefaultKey, options: UpdateOptions = {}): Promise<Item | undefined> {
    return this.#default.update(defaultKey(key), options);
  }

  /** Queries a partition of the default table. */
  query(options: QueryOptions): Promise<Page> {
    return this.#default.query(options);
  }

  /** Every page of a Query of the default table. */
  queryPages(options: QueryOptions & IterateOptions): AsyncGenerator<Page, void, undefined> {
    return this.#default.queryPages(options);
  }

  /** Every item a Query of the default table matches. */
  queryAll(options: QueryOptions & IterateOptions): AsyncGenerator<Item, void, undefined> {
    return this.#default.queryAll(options);
  }

  /** Scans a page of the default table. */
  scan(options: ScanOptions = {}): Promise<Page> {
    return this.#default.scan(options);
  }

  /** Every page of a Scan of the default table. */
  scanPages(options: ScanOptions & IterateOptions = {}): AsyncGenerator<Page, void, undefined> {
    return this.#default.scanPages(options);
  }

  /** Every item of the default table. */
  scanAll(options: ScanOptions & IterateOptions = {}): AsyncGenerator<Item, void, undefined> {
    return this.#default.scanAll(options);
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

  /** Creates a table (CreateTable, on-demand billing). */
  async createTable(name: string, keySchema: KeySchema): Promise<RemoteTable> {
    const keys = keySchema.sortKey === undefined
      ? [keySchema.partitionKey]
      : [keySchema.partitionKey, keySchema.sortKey];
    await this.#transport.call("CreateTable", {
      TableName: name,
      AttributeDefinitions: keys.map((key) => ({
        AttributeName: key.name,
        AttributeType: key.type,
      })),
      KeySchema: keys.map((key, i) => ({
        AttributeName: key.name,
        KeyType: i === 0 ? "HASH" : "RANGE",
      })),
      BillingMode: "PAY_PER_REQUEST",
    });
    return new RemoteTable(this.#transport, name, keySchema);
  }

  /** A table by name (no request is made until it is used). */
  table(name: string): RemoteTable {
    return new RemoteTable(this.#transport, name);
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

  #renameTables<T extends { RequestItems: Readonly<Record<string, unknown>> }>(input: T): T {
    if (this.#defaultName === "" || !("" in input.RequestItems)) return input;
    const { "": mine, ...rest } = input.RequestItems;
    return { ...input, RequestItems: { ...rest, [this.#defaultName]: mine } };
  }
}

/**
 * Connects to `kstone serve` or any DynamoDB endpoint. No request is made until the first call.
 *
 * @param url The endpoint, e.g. `http://127.0.0.1:50051`.
 * @param options Credentials (SigV4), region, retries, default table.
 * @returns The remote database.
 *
 * @example Against a server in the same process
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, Database } from "../mod.ts";
 * import { serve } from "../server/serve.ts";
 * const server = await serve({ db: await Database.memory(), port: 0, metricsPort: false });
 * const db = await connect(server.url);
 * await db.put("user#123", { name: "Ada" });
 * assert.deepEqual(await db.get("user#123"), { pk: "user#123", name: "Ada" });
 * await server.shutdown();
 * ```
 */
// deno-lint-ignore require-await
export async function connect(
  url: string | URL,
  options: ConnectOptions = {},
): Promise<RemoteDatabase> {
  return new RemoteDatabase(new Transport(url, options), options.defaultTable);
}
