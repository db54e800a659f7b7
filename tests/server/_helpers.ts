/**
 * Test helpers of the server suites: a server on a free loopback port over an in-memory
 * database, capturing its log lines, and the AWS SDK loaded the way each runtime can (`npm:`
 * specifiers under Deno, `node_modules` under Bun).
 *
 * @module
 */
// Types only (Bun erases them); the modules load below from npm: under Deno, node_modules under Bun.
// deno-lint-ignore no-import-prefix
import type * as DynamoDb from "npm:@aws-sdk/client-dynamodb@3.1169.0";
// deno-lint-ignore no-import-prefix
import type * as DocumentClient from "npm:@aws-sdk/lib-dynamodb@3.1169.0";
import { Database } from "../../mod.ts";
import { type Level, Logger } from "../../server/logger.ts";
import { type KstoneServer, serve, type ServeOptions } from "../../server/serve.ts";

const isBun = "Bun" in globalThis;

/** `@aws-sdk/client-dynamodb`. */
export const sdk: typeof DynamoDb = await import(
  isBun ? "@aws-sdk/client-dynamodb" : "npm:@aws-sdk/client-dynamodb@3.1169.0"
);
/** `@aws-sdk/lib-dynamodb` (the DocumentClient). */
export const lib: typeof DocumentClient = await import(
  isBun ? "@aws-sdk/lib-dynamodb" : "npm:@aws-sdk/lib-dynamodb@3.1169.0"
);

/** A running test server and its log. */
export interface TestServer extends KstoneServer, AsyncDisposable {
  /** Every log line so far. */
  readonly lines: string[];
}

/**
 * Starts a server on 127.0.0.1 and a free port, over an in-memory database unless `db` is
 * given, with no metrics port unless asked. Dispose it (`await using`) to shut it down.
 */
export async function startServer(
  options: Partial<ServeOptions> & { level?: Level } = {},
): Promise<TestServer> {
  const lines: string[] = [];
  const { level = "debug", ...rest } = options;
  const server = await serve({
    db: options.db ?? await Database.memory(),
    port: 0,
    metricsPort: false,
    logger: new Logger({ level, sink: (line) => lines.push(line) }),
    ...rest,
  });
  return Object.assign(server, { lines, [Symbol.asyncDispose]: () => server.shutdown() });
}

/** Test credentials (the server accepts any unless started with `credentials`). */
export const CREDENTIALS = { accessKeyId: "AKIDKSTONETEST", secretAccessKey: "kstone-test-secret" };

/** A DynamoDB client of the AWS SDK pointed at `url`. */
export function client(
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string } = CREDENTIALS,
): DynamoDb.DynamoDBClient {
  return new sdk.DynamoDBClient({
    endpoint: url,
    region: "us-east-1",
    credentials,
    maxAttempts: 1,
  });
}

/** Sends a raw protocol request and returns the status, headers and parsed body. */
export async function call(
  url: string,
  operation: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown>; text: string }> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": operation.includes(".") ? operation : `DynamoDB_20120810.${operation}`,
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the caller looks at `text`.
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** CreateTable input of a table `name` with a string partition key and an optional sort key. */
export function tableInput(name: string, sortKey?: { name: string; type: "S" | "N" | "B" }) {
  const attributes = [{ AttributeName: "pk", AttributeType: "S" as const }];
  const keys = [{ AttributeName: "pk", KeyType: "HASH" as const }];
  if (sortKey !== undefined) {
    attributes.push({ AttributeName: sortKey.name, AttributeType: sortKey.type as "S" });
    keys.push({ AttributeName: sortKey.name, KeyType: "RANGE" as "HASH" });
  }
  return {
    TableName: name,
    AttributeDefinitions: attributes,
    KeySchema: keys,
    BillingMode: "PAY_PER_REQUEST" as const,
  };
}
