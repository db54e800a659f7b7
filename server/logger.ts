/**
 * Leveled logs in the shape the troubleshooting chapter's grep recipes read:
 *
 * ```
 * 2026-11-25T21:24:55.123Z  INFO kstone::server: Received request method="GetItem" trace_id="7Q…" status=200 duration_ms 0.412
 * 2026-11-25T21:24:55.130Z ERROR kstone::server: Request failed method="PutItem" trace_id="K2…" error="InternalServerError" message="IO error: No space left on device (os error 28)"
 * 2026-11-25T21:24:56.001Z  INFO kstone::engine: memtable flush completed stripes=3 bytes=1048576 total_flushes=12
 * ```
 *
 * The level comes from `KSTONE_LOG`, else `RUST_LOG` (for operators following the chapter),
 * in `RUST_LOG`'s syntax: `debug`, or `warn,kstone=debug`. Lines go to a sink the caller
 * provides (stderr, or a log file that `kstone serve` reopens on SIGHUP).
 *
 * @module
 */

/** Log levels, most severe first. */
export const LEVELS = ["error", "warn", "info", "debug", "trace"] as const;

/** A log level. */
export type Level = (typeof LEVELS)[number];

/** Where log lines go: one call per line, without the newline. */
export type LogSink = (line: string) => void;

/**
 * Reads the level for kstone from a `RUST_LOG`-style filter: a bare level sets the default, a
 * `target=level` entry whose target starts with `kstone` overrides it. Unknown text is ignored.
 *
 * @param filter The filter, e.g. `warn,kstone_server=debug`; `undefined` means `info`.
 * @returns The level.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLogFilter } from "./logger.ts";
 * assert.equal(parseLogFilter("debug"), "debug");
 * assert.equal(parseLogFilter("warn,kstone=trace,hyper=info"), "trace");
 * assert.equal(parseLogFilter(undefined), "info");
 * ```
 */
export function parseLogFilter(filter: string | undefined): Level {
  let fallback: Level = "info";
  let ours: Level | undefined;
  for (const entry of (filter ?? "").split(",")) {
    const text = entry.trim().toLowerCase();
    const eq = text.indexOf("=");
    if (eq === -1) {
      if (isLevel(text)) fallback = text;
      else if (text === "off") fallback = "error";
      continue;
    }
    const target = text.slice(0, eq);
    const level = text.slice(eq + 1);
    if ((target.startsWith("kstone")) && isLevel(level)) ours = level;
  }
  return ours ?? fallback;
}

function isLevel(text: string): text is Level {
  return (LEVELS as readonly string[]).includes(text);
}

/**
 * Formats a value for a `key=value` field: strings quoted (`method="GetItem"`), with `"` and
 * `\` escaped and newlines shown as `\n`; numbers and booleans bare.
 *
 * @param value The value.
 * @returns The field text.
 */
export function fieldValue(value: string | number | boolean): string {
  if (typeof value !== "string") return String(value);
  if (!/[\\"\r\n]/.test(value)) return `"${value}"`;
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

/** Options of {@linkcode Logger}. */
export interface LoggerOptions {
  /** The most verbose level written. @default "info" */
  level?: Level;
  /** Where lines go. @default none (lines are dropped) */
  sink?: LogSink;
  /** The clock. @default Date.now */
  now?: () => number;
}

/**
 * A leveled logger writing one line per event.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Logger } from "./logger.ts";
 * const lines: string[] = [];
 * const log = new Logger({ level: "info", sink: (line) => lines.push(line), now: () => 0 });
 * log.info("kstone::server", "Listening", { port: 50051 });
 * log.debug("kstone::server", "not written");
 * assert.deepEqual(lines, ["1970-01-01T00:00:00.000Z  INFO kstone::server: Listening port=50051"]);
 * ```
 */
export class Logger {
  readonly #rank: number;
  readonly #sink: LogSink;
  readonly #now: () => number;
  /** The level in force. */
  readonly level: Level;

  /** @param options Level, sink and clock. */
  constructor(options: LoggerOptions = {}) {
    this.level = options.level ?? "info";
    this.#rank = LEVELS.indexOf(this.level);
    this.#sink = options.sink ?? (() => {});
    this.#now = options.now ?? Date.now;
  }

  /** Whether lines of `level` are written. */
  enabled(level: Level): boolean {
    return LEVELS.indexOf(level) <= this.#rank;
  }

  /**
   * Writes one line when `level` is enabled.
   *
   * @param level The level.
   * @param target The component, e.g. `kstone::server`.
   * @param message The message.
   * @param fields `key=value` fields appended in order.
   * @param tail Text appended last (the request line ends with `duration_ms <n>` so that
   *   `awk '$NF > 100'` reads the duration).
   */
  log(
    level: Level,
    target: string,
    message: string,
    fields: Readonly<Record<string, string | number | boolean>> = {},
    tail?: string,
  ): void {
    if (!this.enabled(level)) return;
    let line = `${new Date(this.#now()).toISOString()} ${
      level.toUpperCase().padStart(5)
    } ${target}: ${message}`;
    for (const [key, value] of Object.entries(fields)) line += ` ${key}=${fieldValue(value)}`;
    if (tail !== undefined) line += ` ${tail}`;
    try {
      this.#sink(line);
    } catch {
      // A log that cannot be written must not fail the request.
    }
  }

  /** Writes an ERROR line. */
  error(
    target: string,
    message: string,
    fields?: Readonly<Record<string, string | number | boolean>>,
  ) {
    this.log("error", target, message, fields);
  }

  /** Writes a WARN line. */
  warn(
    target: string,
    message: string,
    fields?: Readonly<Record<string, string | number | boolean>>,
  ) {
    this.log("warn", target, message, fields);
  }

  /** Writes an INFO line. */
  info(
    target: string,
    message: string,
    fields?: Readonly<Record<string, string | number | boolean>>,
  ) {
    this.log("info", target, message, fields);
  }

  /** Writes a DEBUG line. */
  debug(
    target: string,
    message: string,
    fields?: Readonly<Record<string, string | number | boolean>>,
  ) {
    this.log("debug", target, message, fields);
  }
}
