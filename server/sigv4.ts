/**
 * AWS Signature Version 4 with WebCrypto (HMAC-SHA256): the remote client signs requests with
 * it, and `kstone serve --access-key … --secret-key …` verifies them, answering DynamoDB's
 * errors (MissingAuthenticationTokenException, IncompleteSignatureException,
 * InvalidSignatureException, UnrecognizedClientException).
 *
 * @module
 */
import { DynamoError } from "./protocol.ts";

/** An access key pair. */
export interface Credentials {
  /** The access key id, e.g. `AKIDEXAMPLE`. */
  readonly accessKeyId: string;
  /** The secret access key. */
  readonly secretAccessKey: string;
  /** A session token, sent as `x-amz-security-token`. @default none */
  readonly sessionToken?: string | undefined;
}

const encoder = new TextEncoder();
const ALGORITHM = "AWS4-HMAC-SHA256";
/** How far a request's time may be from the server's: 15 minutes, as AWS. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The SHA-256 of bytes or text, as lower-case hex.
 *
 * @param data The bytes, or text to encode as UTF-8.
 * @returns The hex digest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256Hex } from "./sigv4.ts";
 * assert.equal(
 *   await sha256Hex(""),
 *   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
 * );
 * ```
 */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

async function hmac(key: Uint8Array, data: string): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(data)));
}

const signingKeys = new Map<string, Promise<Uint8Array>>();

/**
 * The signing key of a day, region and service (cached): HMAC chain from `AWS4<secret>`.
 *
 * @param secret The secret access key.
 * @param date `YYYYMMDD`.
 * @param region The region.
 * @param service The service, `dynamodb`.
 * @returns The key.
 */
export function signingKey(
  secret: string,
  date: string,
  region: string,
  service: string,
): Promise<Uint8Array> {
  const cacheKey = `${secret}\n${date}\n${region}\n${service}`;
  let key = signingKeys.get(cacheKey);
  if (key === undefined) {
    key = (async () => {
      const kDate = await hmac(encoder.encode(`AWS4${secret}`), date);
      const kRegion = await hmac(kDate, region);
      const kService = await hmac(kRegion, service);
      return hmac(kService, "aws4_request");
    })();
    if (signingKeys.size > 1000) signingKeys.clear();
    signingKeys.set(cacheKey, key);
  }
  return key;
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalPath(pathname: string): string {
  return pathname.split("/").map((segment) => encodeRfc3986(segment)).join("/") || "/";
}

function canonicalQuery(search: URLSearchParams): string {
  return [...search].map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)])
    .sort(([a, x], [b, y]) => a! < b! ? -1 : a! > b! ? 1 : x! < y! ? -1 : x! > y! ? 1 : 0)
    .map(([k, v]) => `${k}=${v}`).join("&");
}

/** What a signature covers. */
interface SignedParts {
  method: string;
  url: URL;
  headers: Headers;
  signedHeaders: readonly string[];
  payloadHash: string;
  amzDate: string;
  scope: string;
}

async function stringToSign(parts: SignedParts): Promise<string> {
  const canonicalHeaders = parts.signedHeaders.map((name) =>
    `${name}:${(parts.headers.get(name) ?? "").trim().replace(/\s+/g, " ")}\n`
  ).join("");
  const canonical = [
    parts.method.toUpperCase(),
    canonicalPath(parts.url.pathname),
    canonicalQuery(parts.url.searchParams),
    canonicalHeaders,
    parts.signedHeaders.join(";"),
    parts.payloadHash,
  ].join("\n");
  return `${ALGORITHM}\n${parts.amzDate}\n${parts.scope}\n${await sha256Hex(canonical)}`;
}

/** `20261125T212455Z` for a time. */
export function amzDate(time: number): string {
  return new Date(time).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** Options of {@linkcode signRequest}. */
export interface SignOptions {
  /** The region. @default "us-east-1" */
  region?: string;
  /** The service. @default "dynamodb" */
  service?: string;
  /** The signing time. @default Date.now() */
  now?: number;
  /** Send (and sign) `x-amz-content-sha256`. @default true */
  contentSha256?: boolean;
}

/**
 * Signs a request: sets `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token` when there
 * is a session token, and `authorization` on `headers`. Every header already set is signed,
 * with `host` taken from the URL.
 *
 * @param method The HTTP method.
 * @param url The URL.
 * @param headers The headers to send; changed in place.
 * @param body The body bytes.
 * @param credentials The key pair.
 * @param options Region, service and time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { signRequest } from "./sigv4.ts";
 * const headers = new Headers({ "content-type": "application/x-amz-json-1.0" });
 * await signRequest("POST", new URL("http://127.0.0.1:50051/"), headers, new Uint8Array(), {
 *   accessKeyId: "AKID",
 *   secretAccessKey: "secret",
 * }, { now: 0 });
 * assert.match(
 *   headers.get("authorization")!,
 *   /^AWS4-HMAC-SHA256 Credential=AKID\/19700101\/us-east-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
 * );
 * ```
 */
export async function signRequest(
  method: string,
  url: URL,
  headers: Headers,
  body: Uint8Array,
  credentials: Credentials,
  options: SignOptions = {},
): Promise<void> {
  const { region = "us-east-1", service = "dynamodb", now = Date.now(), contentSha256 = true } =
    options;
  const date = amzDate(now);
  const payloadHash = await sha256Hex(body);
  headers.set("x-amz-date", date);
  if (contentSha256) headers.set("x-amz-content-sha256", payloadHash);
  if (credentials.sessionToken !== undefined) {
    headers.set("x-amz-security-token", credentials.sessionToken);
  }
  headers.delete("authorization");
  const signing = new Headers(headers);
  signing.set("host", url.host);
  const signedHeaders = [...signing.keys()].sort();
  const scope = `${date.slice(0, 8)}/${region}/${service}/aws4_request`;
  const text = await stringToSign({
    method,
    url,
    headers: signing,
    signedHeaders,
    payloadHash,
    amzDate: date,
    scope,
  });
  const key = await signingKey(credentials.secretAccessKey, date.slice(0, 8), region, service);
  const signature = hex((await hmac(key, text)).buffer as ArrayBuffer);
  headers.set(
    "authorization",
    `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${
      signedHeaders.join(";")
    }, Signature=${signature}`,
  );
}

function incomplete(message: string): DynamoError {
  return new DynamoError("IncompleteSignatureException", message);
}

function invalid(message: string): DynamoError {
  return new DynamoError("InvalidSignatureException", message);
}

function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (m === null) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** The request's headers, with `host` from the URL when HTTP/2 sent `:authority` instead. */
function withHost(request: Request): Headers {
  if (request.headers.has("host")) return request.headers;
  const headers = new Headers(request.headers);
  headers.set("host", new URL(request.url).host);
  return headers;
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Verifies a request's signature as DynamoDB does.
 *
 * @param request The request (its URL, method and headers).
 * @param body The body bytes.
 * @param secrets Access key id to secret access key.
 * @param now The server's time. @default Date.now()
 * @returns The access key id that signed the request.
 * @throws {DynamoError} MissingAuthenticationTokenException without an `Authorization`
 *   header; IncompleteSignatureException for a malformed one; InvalidSignatureException for a
 *   stale or wrong signature; UnrecognizedClientException for an unknown access key.
 */
export async function verifyRequest(
  request: Request,
  body: Uint8Array,
  secrets: ReadonlyMap<string, string>,
  now: number = Date.now(),
): Promise<string> {
  const authorization = request.headers.get("authorization");
  if (authorization === null || !authorization.trim().startsWith("AWS4-")) {
    throw new DynamoError(
      "MissingAuthenticationTokenException",
      "Request is missing Authentication Token",
    );
  }
  const [algorithm = "", ...rest] = authorization.trim().split(/\s+/);
  if (algorithm !== ALGORITHM) {
    throw incomplete(
      `Unsupported AWS 'algorithm': '${algorithm}' (only AWS4-HMAC-SHA256 for now). `,
    );
  }
  const params = new Map<string, string>();
  for (const part of rest.join(" ").split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  let missing = "";
  for (const name of ["Credential", "Signature", "SignedHeaders"]) {
    if (!params.get(name)) missing += `Authorization header requires '${name}' parameter. `;
  }
  const dateHeader = request.headers.get("x-amz-date") ?? request.headers.get("date");
  if (dateHeader === null) {
    missing +=
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (missing !== "") throw incomplete(`${missing}Authorization=${authorization}`);
  const time = parseAmzDate(dateHeader!);
  if (time === undefined) {
    throw incomplete(
      `Date must be in ISO-8601 'basic format'. Got '${dateHeader}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  if (time < now - MAX_CLOCK_SKEW_MS) {
    throw invalid(
      `Signature expired: ${dateHeader} is now earlier than ${amzDate(now - MAX_CLOCK_SKEW_MS)} (${
        amzDate(now)
      } - 15 min.)`,
    );
  }
  if (time > now + MAX_CLOCK_SKEW_MS) {
    throw invalid(
      `Signature not yet current: ${dateHeader} is still later than ${
        amzDate(now + MAX_CLOCK_SKEW_MS)
      } (${amzDate(now)} + 15 min.)`,
    );
  }
  const signedHeaders = params.get("SignedHeaders")!.toLowerCase().split(";");
  if (!signedHeaders.includes("host")) {
    throw invalid("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const credential = params.get("Credential")!.replace(/\/+$/, "");
  const pieces = credential.split("/");
  if (pieces.length !== 5) {
    throw incomplete(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [keyId, day, region, service, terminator] = pieces as [
    string,
    string,
    string,
    string,
    string,
  ];
  let scopeErrors = "";
  if (service !== "dynamodb") {
    scopeErrors += "Credential should be scoped to correct service: 'dynamodb'. ";
  }
  if (terminator !== "aws4_request") {
    scopeErrors +=
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `;
  }
  if (day !== dateHeader!.slice(0, 8)) {
    scopeErrors +=
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${day}' != '${
        dateHeader!.slice(0, 8)
      }', from '${dateHeader}'.`;
  }
  if (scopeErrors !== "") throw invalid(scopeErrors.trim());
  const secret = secrets.get(keyId);
  if (secret === undefined) {
    throw new DynamoError(
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    );
  }
  const payloadHeader = request.headers.get("x-amz-content-sha256");
  const text = await stringToSign({
    method: request.method,
    url: new URL(request.url),
    headers: withHost(request),
    signedHeaders,
    payloadHash: payloadHeader ?? await sha256Hex(body),
    amzDate: dateHeader!,
    scope: `${day}/${region}/${service}/${terminator}`,
  });
  const key = await signingKey(secret, day, region, service);
  const expected = hex((await hmac(key, text)).buffer as ArrayBuffer);
  const bodyMatches = payloadHeader === null || payloadHeader === "UNSIGNED-PAYLOAD" ||
    timingSafeEqual(payloadHeader, await sha256Hex(body));
  if (!timingSafeEqual(expected, params.get("Signature")!) || !bodyMatches) {
    throw invalid(
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    );
  }
  return keyId;
}
