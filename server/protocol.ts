/**
 * The DynamoDB JSON 1.0 protocol as kstone serves it: the `X-Amz-Target` header, error bodies
 * with DynamoDB's `__type` and HTTP status, and responses with `x-amzn-RequestId` and the
 * `x-amz-crc32` checksum the AWS SDKs verify.
 *
 * @module
 */
import { crc32 } from "../engine/codec/crc32.ts";
import { KstoneError } from "../engine/errors.ts";

/** The `X-Amz-Target` prefix of DynamoDB operations. */
export const DYNAMODB_TARGET = "DynamoDB_20120810";
/** The `X-Amz-Target` prefix of DynamoDB Streams operations. */
export const STREAMS_TARGET = "DynamoDBStreams_20120810";
/** The content type of requests and responses. */
export const JSON_1_0 = "application/x-amz-json-1.0";

const DYNAMODB = "com.amazonaws.dynamodb.v20120810#";
const CORAL_SERVICE = "com.amazon.coral.service#";
const CORAL_VALIDATE = "com.amazon.coral.validate#";
const CORAL_AVAILABILITY = "com.amazon.coral.availability#";

/** Every error type the server answers with: its `__type` namespace and HTTP status. */
export const ERROR_TYPES = {
  ValidationException: [CORAL_VALIDATE, 400],
  SerializationException: [CORAL_SERVICE, 400],
  UnknownOperationException: [CORAL_SERVICE, 400],
  MissingAuthenticationTokenException: [CORAL_SERVICE, 400],
  IncompleteSignatureException: [CORAL_SERVICE, 400],
  InvalidSignatureException: [CORAL_SERVICE, 400],
  UnrecognizedClientException: [CORAL_SERVICE, 400],
  ThrottlingException: [CORAL_AVAILABILITY, 400],
  ConditionalCheckFailedException: [DYNAMODB, 400],
  TransactionCanceledException: [DYNAMODB, 400],
  ResourceNotFoundException: [DYNAMODB, 400],
  ResourceInUseException: [DYNAMODB, 400],
  LimitExceededException: [DYNAMODB, 400],
  ExpiredIteratorException: [DYNAMODB, 400],
  TrimmedDataAccessException: [DYNAMODB, 400],
  InternalServerError: [DYNAMODB, 500],
  ServiceUnavailable: [DYNAMODB, 503],
} as const satisfies Record<string, readonly [string, number]>;

/** The name of an error type, e.g. `ValidationException`. */
export type ErrorType = keyof typeof ERROR_TYPES;

/**
 * An error answered to the client in DynamoDB's shape: `{"__type": "<namespace>#<type>",
 * "message": "..."}` plus any extra members (`CancellationReasons`, `Item`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DynamoError } from "./protocol.ts";
 * const error = new DynamoError("ValidationException", "Bad input");
 * assert.equal(error.status, 400);
 * assert.deepEqual(error.body(), {
 *   __type: "com.amazon.coral.validate#ValidationException",
 *   message: "Bad input",
 * });
 * ```
 */
export class DynamoError extends Error {
  /** The error type, e.g. `ResourceNotFoundException`. */
  readonly type: ErrorType;
  /** The HTTP status. */
  readonly status: number;
  /** Members added to the body besides `__type` and the message. */
  readonly extra: Readonly<Record<string, unknown>>;
  /** The key of the message member: DynamoDB spells it `Message` on some errors. */
  readonly messageKey: "message" | "Message";

  /**
   * @param type The error type.
   * @param message The message.
   * @param extra Extra body members.
   * @param messageKey `message`, or `Message` as DynamoDB spells it for serialization errors
   *   and cancelled transactions.
   * @param status The HTTP status, when not the type's usual one (413 for a body too large).
   */
  constructor(
    type: ErrorType,
    message: string,
    extra: Readonly<Record<string, unknown>> = {},
    messageKey: "message" | "Message" = "message",
    status?: number,
  ) {
    super(message);
    this.name = "DynamoError";
    this.type = type;
    this.status = status ?? ERROR_TYPES[type][1];
    this.extra = extra;
    this.messageKey = messageKey;
  }

  /** The JSON body. */
  body(): Record<string, unknown> {
    return {
      __type: `${ERROR_TYPES[this.type][0]}${this.type}`,
      ...this.extra,
      [this.messageKey]: this.message,
    };
  }
}

/**
 * A ValidationException.
 *
 * @param message DynamoDB's message.
 * @returns The error.
 */
export function validationError(message: string): DynamoError {
  return new DynamoError("ValidationException", message);
}

/**
 * A SerializationException: the body is not JSON, or a member has the wrong JSON type.
 *
 * @param message What was wrong, in DynamoDB's words.
 * @returns The error.
 */
export function serializationError(message: string): DynamoError {
  return new DynamoError("SerializationException", message, {}, "Message");
}

/**
 * The answer to a real DynamoDB operation kstone does not implement yet: a ValidationException
 * (so SDKs surface it as a client error and do not retry) naming the operation.
 *
 * @param what The operation or parameter, e.g. `CreateBackup`.
 * @param detail What to do instead, or when it arrives.
 * @returns The error.
 */
export function notSupported(what: string, detail?: string): DynamoError {
  return validationError(
    `kstone does not support ${what} yet${detail === undefined ? "" : `: ${detail}`}`,
  );
}

/**
 * Splits `X-Amz-Target` into its service prefix and operation name.
 *
 * @param header The header's value, e.g. `DynamoDB_20120810.PutItem`.
 * @returns The prefix and operation, or `undefined` when the header is missing or malformed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTarget } from "./protocol.ts";
 * assert.deepEqual(parseTarget("DynamoDB_20120810.GetItem"), {
 *   service: "DynamoDB_20120810",
 *   operation: "GetItem",
 * });
 * assert.equal(parseTarget("GetItem"), undefined);
 * ```
 */
export function parseTarget(
  header: string | null,
): { service: string; operation: string } | undefined {
  if (header === null) return undefined;
  const dot = header.indexOf(".");
  if (dot <= 0 || dot === header.length - 1 || header.indexOf(".", dot + 1) !== -1) {
    return undefined;
  }
  return { service: header.slice(0, dot), operation: header.slice(dot + 1) };
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/**
 * A fresh request id: 52 upper-case letters and digits, as DynamoDB's `x-amzn-RequestId`. The
 * server also logs it as the request's `trace_id`.
 *
 * @returns The id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newRequestId } from "./protocol.ts";
 * assert.match(newRequestId(), /^[A-Z0-9]{52}$/);
 * ```
 */
export function newRequestId(): string {
  if (++requestCounter >= 36 ** 12) {
    requestPrefix = randomText(40);
    requestCounter = 0;
  }
  return requestPrefix + requestCounter.toString(36).toUpperCase().padStart(12, "0");
}

function randomText(length: number): string {
  let text = "";
  for (const byte of crypto.getRandomValues(new Uint8Array(length))) text += ALPHABET[byte % 36];
  return text;
}

/** Ids are a random prefix per process and a counter: unique, and cheap on the hot path. */
let requestPrefix = randomText(40);
let requestCounter = 0;

const encoder = new TextEncoder();

/**
 * Builds a protocol response: the JSON body with `x-amzn-RequestId`, `x-amz-crc32` (zlib
 * CRC-32 of the body bytes, as an unsigned decimal) and the content type.
 *
 * @param body The JSON value.
 * @param status The HTTP status.
 * @param requestId The request id.
 * @param contentType The content type to answer with (the request's, when it was JSON).
 * @returns The response.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonResponse } from "./protocol.ts";
 * const response = jsonResponse({}, 200, "R1");
 * assert.equal(response.headers.get("x-amz-crc32"), "2745614147");
 * assert.equal(response.headers.get("x-amzn-RequestId"), "R1");
 * assert.equal(await response.text(), "{}");
 * ```
 */
export function jsonResponse(
  body: unknown,
  status: number,
  requestId: string,
  contentType: string = JSON_1_0,
): Response {
  const bytes = encoder.encode(JSON.stringify(body));
  return new Response(bytes, {
    status,
    headers: {
      "content-type": contentType,
      "x-amzn-requestid": requestId,
      "x-amz-crc32": String(crc32(bytes)),
    },
  });
}

/**
 * Turns anything a handler threw into the DynamoDB error to answer: a {@linkcode DynamoError}
 * stays as it is; a {@linkcode KstoneError} maps by its code (VALIDATION to
 * ValidationException, RESOURCE_NOT_FOUND to ResourceNotFoundException, I/O and corruption to
 * InternalServerError with the engine's message, …); anything else is an InternalServerError.
 *
 * @param error What was thrown.
 * @param toWire Converts engine items to wire JSON (for the `Item` of a failed condition and
 *   the items of cancellation reasons).
 * @returns The error to answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KstoneError } from "../engine/errors.ts";
 * import { toDynamoError } from "./protocol.ts";
 * const error = toDynamoError(new KstoneError("RESOURCE_IN_USE", "Table already exists: t"));
 * assert.equal(error.type, "ResourceInUseException");
 * ```
 */
export function toDynamoError(
  error: unknown,
  toWire: (item: unknown) => unknown = (item) => item,
): DynamoError {
  if (error instanceof DynamoError) return error;
  if (!(error instanceof KstoneError)) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      return validationError("Nesting Levels have exceeded supported limits");
    }
    return new DynamoError("InternalServerError", "Internal server error");
  }
  switch (error.code) {
    case "VALIDATION":
    case "INVALID_ARGUMENT":
      return validationError(error.message);
    case "NOT_SUPPORTED":
      return validationError(error.message);
    case "CONDITIONAL_CHECK_FAILED": {
      const item = (error as { rawItem?: unknown }).rawItem;
      return new DynamoError(
        "ConditionalCheckFailedException",
        error.message,
        item === undefined ? {} : { Item: toWire(item) },
      );
    }
    case "TRANSACTION_CANCELED": {
      const reasons = (error as { cancellationReasons?: readonly Record<string, unknown>[] })
        .cancellationReasons ?? [];
      const wire = reasons.map((reason) =>
        reason.Item === undefined ? reason : { ...reason, Item: toWire(reason.Item) }
      );
      return new DynamoError(
        "TransactionCanceledException",
        error.message,
        { CancellationReasons: wire },
        "Message",
      );
    }
    case "RESOURCE_NOT_FOUND":
      return new DynamoError("ResourceNotFoundException", error.message);
    case "RESOURCE_IN_USE":
      return new DynamoError("ResourceInUseException", error.message);
    case "LIMIT_EXCEEDED":
      return new DynamoError("LimitExceededException", error.message);
    case "EXPIRED_ITERATOR":
      return new DynamoError("ExpiredIteratorException", error.message);
    case "TRIMMED_DATA_ACCESS":
      return new DynamoError("TrimmedDataAccessException", error.message);
    case "CLOSED":
      return new DynamoError("ServiceUnavailable", error.message);
    default:
      return new DynamoError("InternalServerError", error.message);
  }
}
