/**
 * The store's tuning knobs, their defaults and their validation.
 *
 * @module
 */
import { KstoneError } from "../errors.ts";

/** Tuning of the storage engine. Every field is optional; see each default. */
export interface StoreOptions {
  /**
   * When a write is acknowledged: `"always"` once its WAL record is fdatasync'ed (group
   * commit shares one sync among concurrent writes); `"interval"` once it is written to the
   * OS, with a sync every `syncIntervalMs` (a power cut may lose that window).
   * @default "always"
   */
  durability?: "always" | "interval";
  /** The sync period in `"interval"` mode. @default 100 */
  syncIntervalMs?: number;
  /**
   * Memory all memtables may hold before the largest stripes are flushed. Past twice this,
   * writes wait for the flush. @default 64 MiB
   */
  memtableBudgetBytes?: number;
  /** Versions (writes) one stripe's memtable may hold before it is flushed. @default 50_000 */
  maxStripeRecords?: number;
  /**
   * WAL size past which every memtable is flushed and the log rewritten; past twice this,
   * writes wait for the flush, which bounds recovery time and the log's share of the disk.
   * @default 32 MiB
   */
  maxWalBytes?: number;
  /** SSTs a stripe may hold before it is compacted. @default 4 */
  sstThreshold?: number;
  /** Compactions that may run at once. @default 4 */
  maxConcurrentCompactions?: number;
  /** Whether compactions start by themselves after flushes. @default true */
  autoCompact?: boolean;
  /** Target size of an SST data block. @default 4096 */
  blockSize?: number;
  /** Bloom filter false-positive rate. @default 0.01 */
  bloomFalsePositiveRate?: number;
  /** Memory of the shared block cache. @default 32 MiB */
  blockCacheBytes?: number;
  /** Whether `close()` flushes memtables so the next open replays nothing. @default true */
  flushOnClose?: boolean;
}

/** {@linkcode StoreOptions} with every default filled in. */
export type ResolvedStoreOptions = Required<StoreOptions>;

const MiB = 1024 * 1024;

/** The defaults of {@linkcode StoreOptions}. */
export const DEFAULT_STORE_OPTIONS: Readonly<ResolvedStoreOptions> = Object.freeze({
  durability: "always",
  syncIntervalMs: 100,
  memtableBudgetBytes: 64 * MiB,
  maxStripeRecords: 50_000,
  maxWalBytes: 32 * MiB,
  sstThreshold: 4,
  maxConcurrentCompactions: 4,
  autoCompact: true,
  blockSize: 4096,
  bloomFalsePositiveRate: 0.01,
  blockCacheBytes: 32 * MiB,
  flushOnClose: true,
});

/**
 * Fills in defaults and checks ranges.
 *
 * @param options What the caller set.
 * @returns Every option, validated.
 * @throws {KstoneError} INVALID_ARGUMENT naming the option and the value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveStoreOptions } from "./options.ts";
 * assert.equal(resolveStoreOptions({ sstThreshold: 8 }).sstThreshold, 8);
 * assert.throws(() => resolveStoreOptions({ sstThreshold: 1 }), /sstThreshold/);
 * ```
 */
export function resolveStoreOptions(options: StoreOptions = {}): ResolvedStoreOptions {
  const resolved = { ...DEFAULT_STORE_OPTIONS, ...options } as ResolvedStoreOptions;
  const atLeast = (name: keyof StoreOptions, min: number) => {
    const value = resolved[name] as number;
    if (!Number.isFinite(value) || value < min) {
      throw new KstoneError(
        "INVALID_ARGUMENT",
        `Invalid option ${name}: must be a number of at least ${min}, got ${value}`,
      );
    }
  };
  atLeast("syncIntervalMs", 1);
  atLeast("memtableBudgetBytes", 64 * 1024);
  atLeast("maxStripeRecords", 1);
  atLeast("maxWalBytes", 64 * 1024);
  atLeast("sstThreshold", 2);
  atLeast("maxConcurrentCompactions", 1);
  atLeast("blockSize", 256);
  atLeast("blockCacheBytes", 0);
  const fpr = resolved.bloomFalsePositiveRate;
  if (!(fpr > 0 && fpr < 1)) {
    throw new KstoneError(
      "INVALID_ARGUMENT",
      `Invalid option bloomFalsePositiveRate: must be between 0 and 1, got ${fpr}`,
    );
  }
  if (resolved.durability !== "always" && resolved.durability !== "interval") {
    throw new KstoneError(
      "INVALID_ARGUMENT",
      `Invalid option durability: must be "always" or "interval", got "${resolved.durability}"`,
    );
  }
  return resolved;
}
