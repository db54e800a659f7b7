/**
 * The request handler: one web-standard `(Request) => Promise<Response>` serving the DynamoDB
 * JSON 1.0 protocol on `POST /` and the operations endpoints `GET /metrics`, `GET /health`
 * and `GET /ready`. `Deno.serve` and `Bun.serve` run it unchanged (see `serve.ts`); tests can
 * call it directly.
 *
 * A protocol request goes: limits (connections, requests in flight, body size), then
 * `X-Amz-Target`, then the SigV4 signature when credentials are configured, then the JSON body
 * and its shape, then the operation. Every answer carries `x-amzn-RequestId` (logged as the
 * request's `trace_id`) and `x-amz-crc32`.
 *
 * @module
 */
import type { Database } from "../engine/db/database.ts";
import { type HealthProbes, ServerHealth } from "./health.ts";
import {
  ConnectionTracker,
  DEFAULT_LIMITS,
  readBody,
  type ServerLimits,
  throttled,
} from "./limits.ts";
import { Logger } from "./logger.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./metrics.ts";
import { EngineWatcher, ServerMetrics } from "./observability.ts";
import {
  DYNAMODB_OPERATIONS,
  type DynamoDbOperationName,
  type Operation,
  type OperationContext,
  STREAMS_OPERATIONS,
  type StreamsOperationName,
} from "./operations/mod.ts";
import {
  DYNAMODB_TARGET,
  DynamoError,
  JSON_1_0,
  jsonResponse,
  newRequestId,
  notSupported,
  parseTarget,
  serializationError,
  STREAMS_TARGET,
  toDynamoError,
} from "./protocol.ts";
import { checkInput } from "./shapes.ts";
import { type Credentials, verifyRequest } from "./sigv4.ts";
import { mapToWire } from "./wire.ts";

/** Options of {@linkcode createHandler}. */
export interface HandlerOptions {
  /** The open database to serve. */
  db: Database;
  /** Where logs go. @default no logging */
  logger?: Logger;
  /** Accepted key pairs; when set, every protocol request must be SigV4-signed by one. @default none: no authentication */
  credentials?: readonly Credentials[];
  /** Body, in-flight and connection limits. @default {@linkcode DEFAULT_LIMITS} */
  limits?: Partial<ServerLimits>;
  /** The region reported in table ARNs. @default "us-east-1" */
  region?: string;
  /** Disk and directory measurements for `GET /health`. @default none */
  probes?: HealthProbes;
}

/** What the runtime knows of a request's connection. */
export interface RequestInfo {
  /** The client's `address:port`. */
  readonly remoteAddr?: string;
}

const TARGET = "kstone::server";
const decoder = new TextDecoder();

function textResponse(
  text: string,
  status: number,
  contentType = "text/plain; charset=utf-8",
): Response {
  return new Response(text, { status, headers: { "content-type": contentType } });
}

function lookup(service: string, operation: string): Operation | undefined | null {
  if (service === DYNAMODB_TARGET && Object.hasOwn(DYNAMODB_OPERATIONS, operation)) {
    return DYNAMODB_OPERATIONS[operation as DynamoDbOperationName];
  }
  if (service === STREAMS_TARGET && Object.hasOwn(STREAMS_OPERATIONS, operation)) {
    return STREAMS_OPERATIONS[operation as StreamsOperationName];
  }
  return null;
}

/**
 * Serves one database. Create it with {@linkcode createHandler}; close it after the HTTP
 * server has stopped.
 *
 * @example A request straight to the handler
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../mod.ts";
 * import { createHandler } from "./handler.ts";
 * await using db = await Database.memory();
 * const handler = createHandler({ db });
 * const response = await handler.fetch(new Request("http://127.0.0.1/", {
 *   method: "POST",
 *   headers: { "x-amz-target": "DynamoDB_20120810.ListTables", "content-type": "application/x-amz-json-1.0" },
 *   body: "{}",
 * }));
 * assert.equal(response.status, 200);
 * assert.deepEqual(await response.json(), { TableNames: [] });
 * handler.close();
 * ```
 */
export class KstoneHandler {
  /** The database served. */
  readonly db: Database;
  /** The metrics `GET /metrics` renders. */
  readonly metrics: ServerMetrics;
  /** The verdict `GET /health` reports. */
  readonly health: ServerHealth;
  /** The logger. */
  readonly log: Logger;
  readonly #limits: ServerLimits;
  readonly #connections: ConnectionTracker;
  readonly #secrets: ReadonlyMap<string, string> | undefined;
  readonly #region: string;
  readonly #watcher: EngineWatcher;
  readonly #timer: ReturnType<typeof setInterval>;
  #inFlight = 0;
  #idle: (() => void)[] = [];
  #draining = false;

  /** @param options The database and settings. */
  constructor(options: HandlerOptions) {
    this.db = options.db;
    this.log = options.logger ?? new Logger();
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.#connections = new ConnectionTracker(
      this.#limits.maxConnections,
      this.#limits.connectionIdleMs,
    );
    this.#secrets = options.credentials === undefined
      ? undefined
      : new Map(options.credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
    this.#region = options.region ?? "us-east-1";
    this.metrics = new ServerMetrics(this.db, () => this.#connections.size);
    this.health = new ServerHealth(this.db, options.probes);
    this.#watcher = new EngineWatcher(this.db, this.log);
    this.#timer = setInterval(() => this.#watcher.poll(), 1000);
  }

  /** Requests being handled now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Handles one request.
   *
   * @param request The request.
   * @param info The client's address, when the runtime knows it.
   * @returns The response; this never rejects.
   */
  fetch = async (request: Request, info: RequestInfo = {}): Promise<Response> => {
    const path = new URL(request.url).pathname;
    if (request.method === "GET" || request.method === "HEAD") {
      const response = await this.operations(request);
      if (response.status !== 404 || path !== "/") return response;
      return textResponse("healthy: kstone\n", 200);
    }
    if (request.method !== "POST" || path !== "/") {
      return textResponse("<UnknownOperationException/>\n", 404);
    }
    return await this.#protocol(request, info);
  };

  /**
   * Serves the operations endpoints only: `/metrics`, `/health`, `/ready` (the metrics port).
   *
   * @param request The request.
   * @returns The response; 404 for anything else; 500 with the error's message if a probe
   *   fails.
   */
  operations = async (request: Request): Promise<Response> => {
    try {
      return await this.#operations(request);
    } catch (error) {
      this.log.error(TARGET, "Operations endpoint failed", {
        message: (error as Error)?.message ?? String(error),
      });
      return textResponse(`${(error as Error)?.message ?? String(error)}\n`, 500);
    }
  };

  async #operations(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (request.method !== "GET" && request.method !== "HEAD") {
      return textResponse("Not Found\n", 404);
    }
    if (path === "/metrics") {
      this.metrics.inFlight.set(this.#inFlight);
      return textResponse(await this.metrics.registry.render(), 200, PROMETHEUS_CONTENT_TYPE);
    }
    if (path === "/health") {
      const report = await this.health.check();
      return new Response(JSON.stringify(report), {
        status: report.status === "unhealthy" ? 503 : 200,
        headers: { "content-type": "application/json" },
      });
    }
    if (path === "/ready") {
      const ready = !this.#draining && this.db.health().status !== "unhealthy";
      return textResponse(ready ? "ready\n" : "not ready\n", ready ? 200 : 503);
    }
    return textResponse("Not Found\n", 404);
  }

  /**
   * Marks the server as shutting down: requests arriving from now on get a 503
   * (ServiceUnavailable, which the SDKs retry) with `Connection: close`, and `/ready` answers
   * 503; requests already in flight finish.
   */
  drain(): void {
    this.#draining = true;
  }

  /** Resolves once no request is in flight. */
  idle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops the engine watcher (after logging what it has not yet logged). */
  close(): void {
    clearInterval(this.#timer);
    this.#watcher.poll();
  }

  async #protocol(request: Request, info: RequestInfo): Promise<Response> {
    const started = performance.now();
    const requestId = newRequestId();
    const connection = info.remoteAddr;
    let method = "UnknownOperation";
    let failure: DynamoError | undefined;
    let response: Response;
    let entered = false;
    this.#inFlight++;
    try {
      if (this.#draining) {
        throw new DynamoError("ServiceUnavailable", "The server is shutting down");
      }
      if (connection !== undefined) {
        entered = this.#connections.enter(connection);
        if (!entered) {
          this.metrics.rateLimited.inc({ limit_type: "connections" });
          throw throttled(`more than ${this.#limits.maxConnections} connections`);
        }
      }
      if (this.#inFlight > this.#limits.maxInFlight) {
        this.metrics.rateLimited.inc({ limit_type: "in_flight" });
        throw throttled(`more than ${this.#limits.maxInFlight} requests in flight`);
      }
      const target = parseTarget(request.headers.get("x-amz-target"));
      const operation = target === undefined ? null : lookup(target.service, target.operation);
      if (operation !== null) method = target!.operation;
      if (this.log.enabled("debug")) {
        this.log.debug(TARGET, "Request started", {
          method,
          trace_id: requestId,
          remote_addr: connection ?? "unknown",
          content_length: request.headers.get("content-length") ?? "unknown",
        });
      }
      const contentType = (request.headers.get("content-type") ?? "").split(";")[0]!.trim();
      const body = await readBody(request, this.#limits.maxBodyBytes).catch((error) => {
        if (error instanceof DynamoError) this.metrics.rateLimited.inc({ limit_type: "body_size" });
        throw error;
      });
      if (operation === null) {
        throw new DynamoError(
          "UnknownOperationException",
          `Unknown operation: ${request.headers.get("x-amz-target")}`,
        );
      }
      if (contentType !== JSON_1_0 && contentType !== "application/json") {
        throw serializationError(
          `Unsupported Content-Type '${contentType}': send application/x-amz-json-1.0`,
        );
      }
      if (this.#secrets !== undefined) await verifyRequest(request, body, this.#secrets);
      if (operation === undefined) throw notSupported(method);
      const output = await this.#run(operation, request, body);
      response = jsonResponse(
        output,
        200,
        requestId,
        contentType === "application/json" ? contentType : JSON_1_0,
      );
    } catch (error) {
      failure = toDynamoError(error, (item) => mapToWire(item as Parameters<typeof mapToWire>[0]));
      this.health.note(error);
      this.#logFailure(failure, error, method, requestId);
      response = jsonResponse(failure.body(), failure.status, requestId);
      if ((failure.type === "ThrottlingException" && !entered) || this.#draining) {
        response.headers.set("connection", "close");
      }
    } finally {
      if (entered) this.#connections.leave(connection!);
      this.#inFlight--;
      if (this.#inFlight === 0) { for (const resolve of this.#idle.splice(0)) resolve(); }
    }
    this.#watcher.pollCounters();
    const elapsed = performance.now() - started;
    this.metrics.record(method, elapsed / 1000, failure?.type);
    this.log.log(
      "info",
      TARGET,
      "Received request",
      { method, trace_id: requestId, status: response.status },
      `duration_ms ${elapsed.toFixed(3)}`,
    );
    return response;
  }

  async #run(operation: Operation, request: Request, body: Uint8Array): Promise<unknown> {
    if (body.length === 0) {
      throw serializationError("The request body is empty: expected a JSON object");
    }
    let json: unknown;
    try {
      json = JSON.parse(decoder.decode(body));
    } catch (error) {
      throw serializationError(
        `Malformed JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const input = checkInput(json, operation.input);
    const ctx: OperationContext = {
      db: this.db,
      api: this.db.apiContext(),
      region: this.#region,
      host: request.headers.get("host") ?? new URL(request.url).host,
    };
    return await operation.run(ctx, input);
  }

  #logFailure(failure: DynamoError, error: unknown, method: string, requestId: string): void {
    const fields = { method, trace_id: requestId, error: failure.type, message: failure.message };
    if (failure.status >= 500) {
      const detail = error instanceof Error && !(error instanceof DynamoError)
        ? error.message
        : failure.message;
      this.log.error(TARGET, "Request failed", { ...fields, message: detail });
      if (
        error instanceof Error && error.stack !== undefined &&
        failure.message === "Internal server error"
      ) {
        this.log.debug(TARGET, "Stack trace", { trace_id: requestId, stack: error.stack });
      }
    } else {
      this.log.warn(TARGET, "Request rejected", fields);
    }
  }
}

/**
 * Creates the handler of a database.
 *
 * @param options The database and settings.
 * @returns The handler; `handler.fetch` is the `(Request) => Response` function.
 */
export function createHandler(options: HandlerOptions): KstoneHandler {
  return new KstoneHandler(options);
}
