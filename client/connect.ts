/**
 * `connect(url)`: a database on the other side of the DynamoDB protocol, `kstone serve` or any
 * DynamoDB endpoint, with the embedded database's API (`put`, `get`, `update`, `query`,
 * `batchWrite`, `transactWrite`, `createTable`, `table(name).get(...)`, …) and its errors.
 *
 * Table management (`createTable` with indexes, stream and TTL, `describeTable`, `updateTable`,
 * `waitForTable`, `updateTimeToLive`, `describeTimeToLive`) and streams (`table.readStream`,
 * `table.streamRecords`, over the DynamoDB Streams API) take and give the embedded shapes.
 *
 * Differences from `Database`: `listTables()` and `describeTimeToLive()` return promises;
 * `queryPages`/`scanPages` page with `ExclusiveStartKey` rather than from one snapshot; a table
 * got with `table(name)` knows its key schema only after `describe()`; `waitForTable` polls
 * DescribeTable; stream records carry `createdAtMs` in whole seconds. The default table (`db.put("user#1", …)`) is kstone's
 * table `""`; against DynamoDB, name a real table with `defaultTable`.
 *
 * @module
 */
import { STREAMS_TARGET } from "../server/protocol.ts";
import { RemoteDatabase } from "./remote_database.ts";
import { Transport, type TransportOptions } from "./transport.ts";

export { RemoteDatabase } from "./remote_database.ts";
export { RemoteTable } from "./remote_table.ts";
export type { WaitOptions } from "./remote_admin.ts";

/** Options of {@linkcode connect}. */
export interface ConnectOptions extends Omit<TransportOptions, "target"> {
  /** The table behind the default-table methods (`db.put(key, item)`). @default "" (kstone's default table) */
  defaultTable?: string;
  /**
   * The DynamoDB Streams endpoint. @default `https://streams.dynamodb.<region>.amazonaws.com`
   * for `https://dynamodb.<region>.amazonaws.com`, else the url itself (kstone serves both APIs)
   */
  streamsUrl?: string | URL;
}

/**
 * The DynamoDB Streams endpoint of a DynamoDB endpoint.
 *
 * @param url The DynamoDB endpoint.
 * @returns AWS's `streams.dynamodb.<region>` host for AWS's `dynamodb.<region>`, else `url`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { streamsUrlOf } from "./connect.ts";
 * assert.equal(
 *   streamsUrlOf("https://dynamodb.eu-west-1.amazonaws.com").href,
 *   "https://streams.dynamodb.eu-west-1.amazonaws.com/",
 * );
 * assert.equal(streamsUrlOf("http://127.0.0.1:50051").href, "http://127.0.0.1:50051/");
 * ```
 */
export function streamsUrlOf(url: string | URL): URL {
  const streams = new URL(url);
  if (/^dynamodb\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(streams.hostname)) {
    streams.hostname = `streams.${streams.hostname}`;
  }
  return streams;
}

/**
 * Connects to `kstone serve` or any DynamoDB endpoint. No request is made until the first call.
 *
 * @param url The endpoint, e.g. `http://127.0.0.1:50051`.
 * @param options Credentials (SigV4), region, retries, default table, streams endpoint.
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
  const streams = new Transport(options.streamsUrl ?? streamsUrlOf(url), {
    ...options,
    target: STREAMS_TARGET,
  });
  return new RemoteDatabase(new Transport(url, options), options.defaultTable, streams);
}
