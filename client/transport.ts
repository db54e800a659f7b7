/**
 * The remote client's transport: one DynamoDB JSON 1.0 call per request, SigV4-signed with
 * WebCrypto, retried with backoff on throttling and server errors, and DynamoDB's errors
 * turned back into the embedded database's errors (`ConditionalCheckFailedError`,
 * `TransactionCanceledError`, `KstoneError` codes), so code written against `Database` handles
 * a remote one the same way.
 *
 * @module
 */
import {
  type CancellationCode,
  ConditionalCheckFailedError,
  TransactionCanceledError,
  type WireCancellationReason,
} from "../engine/api/errors.ts";
import { KstoneError, type KstoneErrorCode } from "../engine/errors.ts";
import { DYNAMODB_TARGET, JSON_1_0 } from "../server/protocol.ts";
import { type Credentials, signRequest } from "../server/sigv4.ts";
import { mapFromWire, toBase64 } from "../server/wire.ts";

/** Options of the transport (and of `connect`). */
export interface TransportOptions {
  /** The key pair to sign with. @default `{ accessKeyId: "kstone", secretAccessKey: "kstone" }` */
  credentials?: Credentials;
  /** The signing region. @default "us-east-1" */
  region?: string;
  /** Tries per call, counting the first, on throttling, 5xx and dropped connections. @default 3 */
  maxAttempts?: number;
  /** The fetch to use (e.g. with a TLS client). @default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * The `X-Amz-Target` prefix: `DynamoDB_20120810`, or `DynamoDBStreams_20120810` for the
   * DynamoDB Streams API (signed for the same `dynamodb` service). @default "DynamoDB_20120810"
   */
  target?: string;
}

/**
 * An error a remote server answered with, for DynamoDB error types without an embedded
 * counterpart (authentication, throttling after the last retry, server errors).
 */
export class RemoteError extends KstoneError {
  /** DynamoDB's error type, e.g. `InvalidSignatureException`. */
  readonly type: string;
  /** The HTTP status. */
  readonly status: number;
  /** The server's `x-amzn-RequestId` (kstone logs it as `trace_id`). */
  readonly requestId: string | undefined;

  /**
   * @param code The kstone code.
   * @param type DynamoDB's error type.
   * @param message The message.
   * @param status The HTTP status.
   * @param requestId The request id.
   */
  constructor(
    code: KstoneErrorCode,
    type: string,
    message: string,
    status: number,
    requestId?: string,
  ) {
    super(code, message);
    this.name = "RemoteError";
    this.type = type;
    this.status = status;
    this.requestId = requestId;
  }
}

const RETRYABLE = new Set([
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "TransactionConflictException",
]);

const CODES: Readonly<Record<string, KstoneErrorCode>> = {
  ValidationException: "VALIDATION",
  SerializationException: "VALIDATION",
  ResourceNotFoundException: "RESOURCE_NOT_FOUND",
  ResourceInUseException: "RESOURCE_IN_USE",
  LimitExceededException: "LIMIT_EXCEEDED",
  ExpiredIteratorException: "EXPIRED_ITERATOR",
  TrimmedDataAccessException: "TRIMMED_DATA_ACCESS",
  UnknownOperationException: "NOT_SUPPORTED",
  MissingAuthenticationTokenException: "INVALID_ARGUMENT",
  IncompleteSignatureException: "INVALID_ARGUMENT",
  InvalidSignatureException: "INVALID_ARGUMENT",
  UnrecognizedClientException: "INVALID_ARGUMENT",
  AccessDeniedException: "INVALID_ARGUMENT",
  ThrottlingException: "IO_ERROR",
  ProvisionedThroughputExceededException: "IO_ERROR",
  RequestLimitExceeded: "IO_ERROR",
  ServiceUnavailable: "CLOSED",
};

/**
 * Turns an error body into the error to throw.
 *
 * @param status The HTTP status.
 * @param body The parsed body.
 * @param requestId The request id.
 * @returns The error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorFromResponse } from "./transport.ts";
 * const error = errorFromResponse(400, {
 *   __type: "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
 *   message: "Requested resource not found",
 * });
 * assert.equal(error.code, "RESOURCE_NOT_FOUND");
 * ```
 */
export function errorFromResponse(
  status: number,
  body: Record<string, unknown>,
  requestId?: string,
): KstoneError {
  const type = String(body.__type ?? "UnknownError").split("#").pop()!;
  const message = String(body.message ?? body.Message ?? type);
  if (type === "ConditionalCheckFailedException") {
    return new ConditionalCheckFailedError(
      body.Item === undefined ? undefined : mapFromWire(body.Item),
    );
  }
  if (type === "TransactionCanceledException") {
    const reasons = (body.CancellationReasons as Record<string, unknown>[] | undefined ?? []).map(
      (r) => {
        const reason: {
          Code: CancellationCode;
          Message?: string;
          Item?: ReturnType<typeof mapFromWire>;
        } = {
          Code: String(r.Code ?? "None") as CancellationCode,
        };
        if (r.Message !== undefined) reason.Message = String(r.Message);
        if (r.Item !== undefined) reason.Item = mapFromWire(r.Item);
        return reason as WireCancellationReason;
      },
    );
    return new TransactionCanceledError(reasons);
  }
  let code = CODES[type];
  if (code === undefined) {
    code = /^Corruption detected/.test(message)
      ? "CORRUPTION"
      : status >= 500
      ? "IO_ERROR"
      : "INVALID_ARGUMENT";
  }
  return new RemoteError(code, type, message, status, requestId);
}

function networkError(error: unknown, url: string): KstoneError {
  const cause = (error as { cause?: { message?: string } })?.cause?.message ?? "";
  const code = (error as { code?: string })?.code ?? "";
  const text = `${code} ${(error as Error)?.message ?? String(error)} ${cause}`;
  if (/ECONNREFUSED|ConnectionRefused|Connection refused/i.test(text)) {
    return new KstoneError("IO_ERROR", `IO error: Connection refused (os error 111): ${url}`, {
      errno: "ECONNREFUSED",
      cause: error,
    });
  }
  return new KstoneError(
    "IO_ERROR",
    `IO error: ${(error as Error)?.message ?? String(error)}: ${url}`,
    {
      cause: error,
    },
  );
}

const encoder = new TextEncoder();

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? toBase64(value) : value;
}

/** Sends DynamoDB JSON calls to one endpoint. */
export class Transport {
  readonly #url: URL;
  readonly #credentials: Credentials;
  readonly #region: string;
  readonly #attempts: number;
  readonly #fetch: typeof fetch;
  readonly #target: string;

  /**
   * @param url The endpoint, e.g. `http://127.0.0.1:50051`.
   * @param options Credentials, region, retries, fetch, target prefix.
   */
  constructor(url: string | URL, options: TransportOptions = {}) {
    this.#url = new URL(url);
    this.#credentials = options.credentials ?? { accessKeyId: "kstone", secretAccessKey: "kstone" };
    this.#region = options.region ?? "us-east-1";
    this.#attempts = Math.max(1, options.maxAttempts ?? 3);
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#target = options.target ?? DYNAMODB_TARGET;
  }

  /** The endpoint. */
  get url(): URL {
    return this.#url;
  }

  /**
   * Calls an operation.
   *
   * @param operation E.g. `PutItem`.
   * @param input The input; `Uint8Array` values are sent as base64, `undefined` members left out.
   * @returns The parsed response body.
   * @throws {KstoneError} the embedded database's error for DynamoDB's error types;
   *   IO_ERROR `IO error: Connection refused (os error 111): <url>` when nothing listens.
   */
  async call(operation: string, input: unknown): Promise<Record<string, unknown>> {
    const body = encoder.encode(JSON.stringify(input, replacer));
    for (let attempt = 1;; attempt++) {
      const headers = new Headers({
        "content-type": JSON_1_0,
        "x-amz-target": `${this.#target}.${operation}`,
      });
      await signRequest("POST", this.#url, headers, body, this.#credentials, {
        region: this.#region,
      });
      let response: Response;
      try {
        response = await this.#fetch(this.#url, { method: "POST", headers, body });
      } catch (error) {
        const failure = networkError(error, this.#url.href);
        if (attempt >= this.#attempts || failure.errno === "ECONNREFUSED") throw failure;
        await this.#backoff(attempt);
        continue;
      }
      const text = await response.text();
      let parsed: Record<string, unknown>;
      try {
        parsed = text === "" ? {} : JSON.parse(text);
      } catch {
        parsed = {
          __type: "SerializationException",
          message: `Unreadable response: ${text.slice(0, 200)}`,
        };
      }
      if (response.ok) return parsed;
      const error = errorFromResponse(
        response.status,
        parsed,
        response.headers.get("x-amzn-requestid") ?? undefined,
      );
      const type = error instanceof RemoteError ? error.type : "";
      if (attempt >= this.#attempts || !RETRYABLE.has(type)) throw error;
      await this.#backoff(attempt);
    }
  }

  /**
   * Reads a kstone operations endpoint (`/health`).
   *
   * @param path The path.
   * @returns The response.
   */
  async get(path: string): Promise<Response> {
    try {
      return await this.#fetch(new URL(path, this.#url));
    } catch (error) {
      throw networkError(error, this.#url.href);
    }
  }

  #backoff(attempt: number): Promise<void> {
    const ms = Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2);
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
