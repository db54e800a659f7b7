/**
 * The database's background tasks: the time-to-live sweeper and stream retention. Each runs on
 * a timer armed only while it has work (a table with time to live on; a stream, enabled or
 * not), re-armed after every run and whenever a table definition changes, and cleared on
 * close, so an idle database holds no timer.
 *
 * @module
 */
import type { ApiContext } from "../api/context.ts";
import { unrefTimer } from "../fs/runtime_fs.ts";
import { oldestSequence } from "../stream/reader.ts";
import { DEFAULT_STREAM_RETENTION_MS, trimStream } from "../stream/retention.ts";
import { sweepTable } from "../ttl/sweeper.ts";
import type { TableDefinition } from "./catalog.ts";
import type { TableRegistry } from "./table_registry.ts";

/** How often the sweeper runs by default: every minute. */
export const DEFAULT_TTL_SWEEP_INTERVAL_MS = 60_000;
/** How often stream retention runs at most: every minute (more often for short retention). */
const TRIM_INTERVAL_MS = 60_000;

/** Settings of {@linkcode BackgroundTasks}. */
export interface BackgroundOptions {
  /** Milliseconds between sweeps; `0` turns the sweeper off. @default 60000 */
  readonly ttlSweepIntervalMs?: number | undefined;
  /** How long stream records are kept, in milliseconds. @default 86400000 (24 hours) */
  readonly streamRetentionMs?: number | undefined;
}

/**
 * Runs the sweeper and stream retention of one database.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * await using db = await Database.memory();
 * assert.equal(await db.sweepExpired(), 0);
 * ```
 */
export class BackgroundTasks {
  readonly #ctx: ApiContext;
  readonly #tables: TableRegistry;
  readonly #sweepInterval: number;
  readonly #retention: number;
  readonly #running = new Set<Promise<unknown>>();
  #sweepTimer: ReturnType<typeof setTimeout> | undefined;
  #trimTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /**
   * @param ctx The database's operations context (store, tables, clock).
   * @param tables The database's tables.
   * @param options Intervals and retention.
   */
  constructor(ctx: ApiContext, tables: TableRegistry, options: BackgroundOptions = {}) {
    this.#ctx = ctx;
    this.#tables = tables;
    this.#sweepInterval = options.ttlSweepIntervalMs ?? DEFAULT_TTL_SWEEP_INTERVAL_MS;
    this.#retention = options.streamRetentionMs ?? DEFAULT_STREAM_RETENTION_MS;
    tables.onSave(() => this.refresh());
    this.refresh();
  }

  /** Arms the timers that have work and are not armed yet. */
  refresh(): void {
    if (this.#stopped) return;
    if (this.#sweepTimer === undefined && this.#sweepInterval > 0 && this.#ttlTables().length > 0) {
      this.#sweepTimer = setTimeout(() => {
        this.#sweepTimer = undefined;
        this.#track(this.sweepExpired());
      }, this.#sweepInterval);
      unrefTimer(this.#sweepTimer);
    }
    if (this.#trimTimer === undefined && this.#streams().length > 0) {
      const interval = Math.max(1, Math.min(TRIM_INTERVAL_MS, this.#retention));
      this.#trimTimer = setTimeout(() => {
        this.#trimTimer = undefined;
        this.#track(this.trimStreams());
      }, interval);
      unrefTimer(this.#trimTimer);
    }
  }

  /**
   * Runs one sweep of every table with time to live on.
   *
   * @returns How many expired items were deleted.
   */
  async sweepExpired(): Promise<number> {
    let removed = 0;
    for (const name of this.#ttlTables()) {
      removed += await sweepTable(this.#ctx, name, { stopped: () => this.#stopped });
    }
    return removed;
  }

  /**
   * Deletes the stream records older than the retention period, in every stream (disabled
   * ones and those of deleted tables included).
   *
   * @returns How many records were deleted.
   */
  async trimStreams(): Promise<number> {
    let removed = 0;
    const nowMs = this.#ctx.now?.() ?? Date.now();
    for (const id of this.#streams()) {
      removed += await trimStream(this.#ctx.store, id, {
        nowMs,
        retentionMs: this.#retention,
        stopped: () => this.#stopped,
      });
    }
    return removed;
  }

  /** Clears the timers and waits for running tasks to stop (between two chunks). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#sweepTimer);
    clearTimeout(this.#trimTimer);
    this.#sweepTimer = this.#trimTimer = undefined;
    await Promise.allSettled(this.#running);
  }

  #track(task: Promise<unknown>): void {
    // A failed run (a write failure, which health() reports) is retried at the next interval.
    const settled = task.catch(() => {}).finally(() => {
      this.#running.delete(settled);
      this.refresh();
    });
    this.#running.add(settled);
  }

  #definitions(): TableDefinition[] {
    return [this.#tables.get("")!, ...this.#tables.all()];
  }

  #ttlTables(): string[] {
    return this.#definitions()
      .filter((definition) =>
        definition.status === "ACTIVE" && definition.ttl?.enabled === true &&
        this.#tables.isCurrent(definition)
      )
      .map((definition) => definition.name);
  }

  /** The streams that are enabled or still hold records. */
  #streams(): number[] {
    const store = this.#ctx.store;
    if (store.closed) return [];
    return this.#definitions().flatMap((definition) =>
      (definition.streams ?? [])
        .filter((stream) =>
          stream.enabled && definition.status === "ACTIVE" ||
          oldestSequence(store, stream.id) !== undefined
        )
        .map((stream) => stream.id)
    );
  }
}
