/**
 * The one error class of kstone, its stable codes, and constructors for the messages the
 * troubleshooting chapter quotes (`IO error: … (os error N)`, `Corruption detected: …`,
 * `Database already exists at …`).
 *
 * @module
 */

/**
 * Stable error codes. Callers branch on `error.code`, never on the message.
 *
 * - `IO_ERROR`: the operating system refused a file operation (see {@linkcode KstoneError.errno}).
 * - `CORRUPTION`: a file failed its magic, header or checksum test.
 * - `ALREADY_EXISTS`: `Database.create` found a database at the path.
 * - `LOCKED`: another process holds the database's lock file.
 * - `CLOSED`: the database was closed.
 * - `VALIDATION`: an item, key or argument breaks a DynamoDB rule or limit.
 * - `INVALID_ARGUMENT`: an option or configuration value is out of range.
 * - `NOT_SUPPORTED`: a file was written by a newer format version.
 * - `CONDITIONAL_CHECK_FAILED`: a condition expression evaluated to false.
 * - `TRANSACTION_CANCELED`: a transaction was cancelled; `reasons` says why per action.
 * - `RESOURCE_NOT_FOUND`: the named table or index does not exist.
 * - `RESOURCE_IN_USE`: the table already exists or is being changed.
 * - `FAILED`: an earlier write failure left the database read-only until it is reopened.
 * - `LIMIT_EXCEEDED`: a table change exceeds a per-table limit (one online index change at a
 *   time, 20 global secondary indexes).
 * - `EXPIRED_ITERATOR`: a stream's shard iterator is older than 15 minutes.
 * - `TRIMMED_DATA_ACCESS`: a stream position lies before the oldest record retention kept.
 */
export type KstoneErrorCode =
  | "IO_ERROR"
  | "CORRUPTION"
  | "ALREADY_EXISTS"
  | "LOCKED"
  | "CLOSED"
  | "VALIDATION"
  | "INVALID_ARGUMENT"
  | "NOT_SUPPORTED"
  | "CONDITIONAL_CHECK_FAILED"
  | "TRANSACTION_CANCELED"
  | "RESOURCE_NOT_FOUND"
  | "RESOURCE_IN_USE"
  | "FAILED"
  | "LIMIT_EXCEEDED"
  | "EXPIRED_ITERATOR"
  | "TRIMMED_DATA_ACCESS";

/** Options of {@linkcode KstoneError}. */
export interface KstoneErrorOptions {
  /** The underlying error, kept for debugging. */
  cause?: unknown;
  /** For `IO_ERROR`: the POSIX error name, e.g. `"ENOENT"`. */
  errno?: string;
  /** The file the error concerns, when there is one. */
  path?: string;
}

/**
 * Every error kstone throws on purpose.
 *
 * @example Branch on the code
 * ```ts
 * import assert from "node:assert/strict";
 * import { KstoneError } from "./errors.ts";
 * const error = new KstoneError("CORRUPTION", "Corruption detected: SST file header invalid");
 * assert.equal(error.code, "CORRUPTION");
 * assert.ok(error instanceof Error);
 * ```
 */
export class KstoneError extends Error {
  /** The stable code; see {@linkcode KstoneErrorCode}. */
  readonly code: KstoneErrorCode;
  /** For `IO_ERROR`: the POSIX error name such as `"ENOENT"`. */
  readonly errno: string | undefined;
  /** The file concerned, when known. */
  readonly path: string | undefined;

  /**
   * @param code The stable code.
   * @param message The human message; the CLI prints it as `Error: <message>`.
   * @param options Cause, errno and path.
   */
  constructor(code: KstoneErrorCode, message: string, options: KstoneErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KstoneError";
    this.code = code;
    this.errno = options.errno;
    this.path = options.path;
  }
}

/** POSIX errors kstone names, with the text and number the Linux kernel gives them. */
const OS_ERRORS: Readonly<Record<string, readonly [string, number]>> = {
  EPERM: ["Operation not permitted", 1],
  ENOENT: ["No such file or directory", 2],
  EIO: ["Input/output error", 5],
  EBADF: ["Bad file descriptor", 9],
  ENOMEM: ["Cannot allocate memory", 12],
  EACCES: ["Permission denied", 13],
  EEXIST: ["File exists", 17],
  ENOTDIR: ["Not a directory", 20],
  EISDIR: ["Is a directory", 21],
  EINVAL: ["Invalid argument", 22],
  EMFILE: ["Too many open files", 24],
  ENOSPC: ["No space left on device", 28],
  EROFS: ["Read-only file system", 30],
  ENOTEMPTY: ["Directory not empty", 39],
};

/**
 * Builds the `IO_ERROR` for a POSIX error name, worded as the troubleshooting chapter quotes it:
 * `IO error: No such file or directory (os error 2)`, followed by `: <path>` when a path is given.
 *
 * @param errno The POSIX error name, e.g. `"ENOENT"`; unknown names keep their own text.
 * @param path The file concerned, if any.
 * @param cause The runtime's original error.
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ioError } from "./errors.ts";
 * const error = ioError("ENOSPC");
 * assert.equal(error.message, "IO error: No space left on device (os error 28)");
 * ```
 */
export function ioError(errno: string, path?: string, cause?: unknown): KstoneError {
  const known = OS_ERRORS[errno];
  const text = known ? `${known[0]} (os error ${known[1]})` : errno;
  const message = `IO error: ${text}${path === undefined ? "" : `: ${path}`}`;
  const options: KstoneErrorOptions = { errno, cause };
  if (path !== undefined) options.path = path;
  return new KstoneError("IO_ERROR", message, options);
}

/**
 * Builds a `CORRUPTION` error: `Corruption detected: <detail>`.
 *
 * @param detail What was found, e.g. `WAL checksum mismatch at LSN 12345`.
 * @param path The damaged file, if known.
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { corruption } from "./errors.ts";
 * assert.equal(
 *   corruption("WAL checksum mismatch at LSN 7").message,
 *   "Corruption detected: WAL checksum mismatch at LSN 7",
 * );
 * ```
 */
export function corruption(detail: string, path?: string): KstoneError {
  const options: KstoneErrorOptions = {};
  if (path !== undefined) options.path = path;
  return new KstoneError("CORRUPTION", `Corruption detected: ${detail}`, options);
}

/**
 * Builds a `VALIDATION` error, DynamoDB's ValidationException.
 *
 * @param message What rule was broken, naming the limit and the actual value.
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validation } from "./errors.ts";
 * assert.equal(validation("Item size has exceeded the maximum allowed size").code, "VALIDATION");
 * ```
 */
export function validation(message: string): KstoneError {
  return new KstoneError("VALIDATION", message);
}
