/**
 * The options and counters of the WAL writer (`writer.ts`), and their validation.
 *
 * @module
 */
import { KstoneError } from "../errors.ts";
import type { WalReader } from "./reader.ts";

/**
 * When `durable()` resolves. `"always"`: once the record is fdatasync'ed. `"interval"`: once it
 * is written to the operating system; a timer fdatasyncs every `syncIntervalMs`, so a power
 * failure loses at most the writes of the last interval (plus one fdatasync's duration). A crash
 * of the process alone loses nothing in either mode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WalSyncMode } from "./writer_options.ts";
 * const mode: WalSyncMode = "interval";
 * assert.equal(mode, "interval");
 * ```
 */
export type WalSyncMode = "always" | "interval";

/**
 * How the writer calls fdatasync in `"always"` mode. `"async"` (`datasync()`, the default) runs
 * it off the main thread, so requests arriving while the disk syncs are handled and join the
 * next batch: group commit works however requests arrive. `"blocking"` (`datasyncSync()`) saves
 * the thread hand-off (about 50 us a sync) but stalls the event loop during every sync, so
 * requests that arrive as separate events (network I/O, timers) can never share a sync: use it
 * only for a lone writer that appends and waits in turn.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WalSyncCall } from "./writer_options.ts";
 * const call: WalSyncCall = "async";
 * assert.equal(call, "async");
 * ```
 */
export type WalSyncCall = "async" | "blocking";

/**
 * Options of `WalWriter.create`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWalWriterOptions, type WalWriterOptions } from "./writer_options.ts";
 * const options: WalWriterOptions = { nextLsn: 1, syncMode: "interval", syncIntervalMs: 50 };
 * assert.doesNotThrow(() => checkWalWriterOptions(options));
 * ```
 */
export interface WalWriterOptions {
  /** The LSN of the first record appended; at least 1, below `2^53`. */
  nextLsn: number;
  /** When `durable()` resolves; see {@linkcode WalSyncMode}. @default "always" */
  syncMode?: WalSyncMode;
  /** In `"interval"` mode, the time between fdatasyncs, in milliseconds. @default 100 */
  syncIntervalMs?: number;
  /** How fdatasync is called; see {@linkcode WalSyncCall}. @default "async" */
  syncCall?: WalSyncCall;
}

/**
 * Options of `WalWriter.openForAppend`: those of `create` plus the valid size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WalAppendOptions } from "./writer_options.ts";
 * const options: WalAppendOptions = { nextLsn: 8, validSize: 24 };
 * assert.equal(options.validSize, 24);
 * ```
 */
export interface WalAppendOptions extends WalWriterOptions {
  /** The size of the log's valid prefix, `validSize` from `readWal`; anything after is cut. */
  validSize: number;
  /**
   * The reader that just read the whole log (to its end, `validSize` being its position): its
   * record offsets spare the writer a second read of the log. @default undefined
   */
  reader?: WalReader;
}

/**
 * Counters of a `WalWriter`, for stats; they only grow.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WalWriterStats } from "./writer_options.ts";
 * const stats: WalWriterStats = { records: 3, writes: 1, syncs: 1, bytesWritten: 90, rewrites: 0 };
 * assert.equal(stats.records / stats.syncs, 3);
 * ```
 */
export interface WalWriterStats {
  /** Records appended. */
  records: number;
  /** Write calls (group-commit batches). */
  writes: number;
  /** fdatasync calls on the log. */
  syncs: number;
  /** Bytes of records handed to the operating system, rewrites included. */
  bytesWritten: number;
  /** Rewrites by `truncateBefore`. */
  rewrites: number;
}

function invalid(message: string): KstoneError {
  return new KstoneError("INVALID_ARGUMENT", message);
}

/**
 * Checks the writer options.
 *
 * @param options The options.
 * @throws {KstoneError} INVALID_ARGUMENT naming the option and the value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWalWriterOptions } from "./writer_options.ts";
 * assert.throws(() => checkWalWriterOptions({ nextLsn: 0 }), {
 *   code: "INVALID_ARGUMENT",
 *   message: "Cannot use nextLsn 0: must be an integer from 1 to 2^53 - 1",
 * });
 * ```
 */
export function checkWalWriterOptions(options: WalWriterOptions): void {
  const { nextLsn, syncIntervalMs = 100, syncMode = "always", syncCall = "async" } = options;
  if (!Number.isSafeInteger(nextLsn) || nextLsn < 1) {
    throw invalid(`Cannot use nextLsn ${nextLsn}: must be an integer from 1 to 2^53 - 1`);
  }
  if (!(syncIntervalMs > 0 && syncIntervalMs <= 2 ** 31 - 1)) {
    throw invalid(`Cannot use syncIntervalMs ${syncIntervalMs}: must be a positive duration`);
  }
  if (syncMode !== "always" && syncMode !== "interval") {
    throw invalid(`Cannot use syncMode "${syncMode}": must be "always" or "interval"`);
  }
  if (syncCall !== "async" && syncCall !== "blocking") {
    throw invalid(`Cannot use syncCall "${syncCall}": must be "async" or "blocking"`);
  }
}
