/**
 * Limits that keep the server answering under load and abuse: the request body size, requests
 * in flight, and client connections. Past a limit the server answers at once, with a
 * ThrottlingException (which the AWS SDKs retry with backoff) or a 413, instead of queueing
 * without bound.
 *
 * @module
 */
import { DynamoError } from "./protocol.ts";

/** The limits of one server. */
export interface ServerLimits {
  /** Largest request body: 16 MiB, DynamoDB's largest request (BatchWriteItem). */
  readonly maxBodyBytes: number;
  /** Requests handled at once; more are throttled. */
  readonly maxInFlight: number;
  /** Client connections at once; requests on further connections are throttled. */
  readonly maxConnections: number;
  /** A connection without a request for this long no longer counts as open. */
  readonly connectionIdleMs: number;
}

/** The defaults: 16 MiB bodies, 1024 requests in flight, 1000 connections (as upstream), 10 s. */
export const DEFAULT_LIMITS: ServerLimits = Object.freeze({
  maxBodyBytes: 16 * 1024 * 1024,
  maxInFlight: 1024,
  maxConnections: 1000,
  connectionIdleMs: 10_000,
});

/** The ThrottlingException of a limit. */
export function throttled(what: string): DynamoError {
  return new DynamoError(
    "ThrottlingException",
    `Rate of requests exceeds the allowed throughput: ${what}`,
  );
}

/**
 * Open connections, as the server sees them: Deno.serve and Bun.serve do not report
 * connections, so a connection is a client address and port that sent a request within
 * `connectionIdleMs`, or has one in flight.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionTracker } from "./limits.ts";
 * let now = 0;
 * const tracker = new ConnectionTracker(1, 1000, () => now);
 * assert.equal(tracker.enter("127.0.0.1:5000"), true);
 * tracker.leave("127.0.0.1:5000");
 * assert.equal(tracker.enter("127.0.0.1:5001"), false);
 * now = 2000;
 * assert.equal(tracker.enter("127.0.0.1:5001"), true);
 * ```
 */
export class ConnectionTracker {
  readonly #connections = new Map<string, { active: number; lastSeen: number }>();

  /**
   * @param max Most connections.
   * @param idleMs How long an idle connection counts.
   * @param now The clock.
   */
  constructor(
    readonly max: number,
    readonly idleMs: number,
    readonly now: () => number = Date.now,
  ) {}

  /** Connections open now. */
  get size(): number {
    this.#expire();
    return this.#connections.size;
  }

  /**
   * Records a request arriving on a connection.
   *
   * @param key The client's `address:port`.
   * @returns `false` when it is a new connection past the limit (the request is to be
   *   throttled; nothing is recorded).
   */
  enter(key: string): boolean {
    const now = this.now();
    const known = this.#connections.get(key);
    if (known !== undefined) {
      known.active++;
      known.lastSeen = now;
      return true;
    }
    if (this.#connections.size >= this.max) {
      this.#expire();
      if (this.#connections.size >= this.max) return false;
    }
    this.#connections.set(key, { active: 1, lastSeen: now });
    return true;
  }

  /** Records a request on `key` finishing. */
  leave(key: string): void {
    const known = this.#connections.get(key);
    if (known === undefined) return;
    known.active--;
    known.lastSeen = this.now();
  }

  /** Forgets a connection the server is closing. */
  close(key: string): void {
    this.#connections.delete(key);
  }

  #expire(): void {
    const horizon = this.now() - this.idleMs;
    for (const [key, connection] of this.#connections) {
      if (connection.active <= 0 && connection.lastSeen < horizon) this.#connections.delete(key);
    }
  }
}

/**
 * Reads a request body, refusing more than `max` bytes (by `Content-Length` first, then while
 * reading) with a 413 whose body is a ValidationException.
 *
 * @param request The request.
 * @param max The most bytes.
 * @returns The body.
 * @throws {DynamoError} ValidationException (HTTP 413) when the body is too large.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBody } from "./limits.ts";
 * const request = new Request("http://x/", { method: "POST", body: "x".repeat(10) });
 * await assert.rejects(readBody(request, 5), { status: 413 });
 * ```
 */
export async function readBody(request: Request, max: number): Promise<Uint8Array> {
  const tooLarge = (size: number | string) =>
    new DynamoError(
      "ValidationException",
      `Request body of ${size} bytes exceeds the limit of ${max} bytes`,
      {},
      "message",
      413,
    );
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > max) throw tooLarge(declared);
  if (request.body === null) return new Uint8Array();
  if (declared <= max) return new Uint8Array(await request.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge(`more than ${max}`);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}
