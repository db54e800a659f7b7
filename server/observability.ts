/**
 * The server's metrics and engine logs. Metric names follow the Rust server
 * (`kstone_rpc_requests_total{method,status}`, `kstone_rpc_duration_seconds{method}`,
 * `kstone_active_connections`, `kstone_errors_total{error_type}`,
 * `kstone_rate_limited_requests_total{limit_type}`), every one of them now updated, plus
 * engine gauges and counters read from the store at scrape time. A watcher turns the store's
 * counters into `memtable flush completed` and `compaction completed` log lines and logs
 * health changes.
 *
 * @module
 */
import type { Database } from "../engine/db/database.ts";
import type { Store } from "../engine/store/store.ts";
import type { Logger } from "./logger.ts";
import { Registry } from "./metrics.ts";

/** The buckets of `kstone_rpc_duration_seconds`: the Rust server's, plus two below 1 ms. */
export const DURATION_BUCKETS = [
  0.00025,
  0.0005,
  0.001,
  0.005,
  0.01,
  0.05,
  0.1,
  0.5,
  1,
  5,
  10,
] as const;

/** The server's metrics, registered in {@linkcode ServerMetrics.registry}. */
export class ServerMetrics {
  /** Everything `GET /metrics` renders. */
  readonly registry: Registry = new Registry();
  /** Requests by operation and outcome. */
  readonly requests = this.registry.counter(
    "kstone_rpc_requests_total",
    "Requests by operation (method) and outcome (status: success or error).",
  );
  /** Request latency by operation. */
  readonly duration = this.registry.histogram(
    "kstone_rpc_duration_seconds",
    "Request latency in seconds by operation.",
    DURATION_BUCKETS,
  );
  /** Failed requests by DynamoDB error type. */
  readonly errors = this.registry.counter(
    "kstone_errors_total",
    "Failed requests by DynamoDB error type.",
  );
  /** Requests refused by a limit. */
  readonly rateLimited = this.registry.counter(
    "kstone_rate_limited_requests_total",
    "Requests answered with ThrottlingException or 413, by limit (limit_type).",
  );
  /** Requests being handled now. */
  readonly inFlight = this.registry.gauge(
    "kstone_in_flight_requests",
    "Requests being handled now.",
  );
  /** Client connections open now. */
  readonly connections = this.registry.gauge(
    "kstone_active_connections",
    "Client connections with a request in flight or one within the idle timeout.",
  );

  /**
   * @param db The database whose engine gauges to report.
   * @param openConnections Counts open connections at scrape time.
   */
  constructor(db: Database, openConnections: () => number) {
    const store = db.apiContext().store;
    const gauge = (name: string, help: string) => this.registry.gauge(name, help);
    const counter = (name: string, help: string) => this.registry.counter(name, help);
    const memtable = gauge("kstone_memtable_bytes", "Bytes held by memtables (estimate).");
    const memtableRecords = gauge("kstone_memtable_records", "Records held by memtables.");
    const wal = gauge("kstone_wal_bytes", "Bytes of wal.log.");
    const sstFiles = gauge(
      "kstone_sst_files",
      "Live SST files of each stripe (stripes holding none omitted).",
    );
    const sstTotal = gauge("kstone_sst_files_total", "Live SST files.");
    const sstMax = gauge(
      "kstone_sst_files_max_per_stripe",
      "Most SST files in one stripe (degraded at 10).",
    );
    const sstBytes = gauge("kstone_sst_bytes", "Bytes of live SST files.");
    const disk = gauge("kstone_disk_bytes", "Bytes of every file of the database directory.");
    const lsn = gauge("kstone_last_lsn", "LSN of the newest write.");
    const flushes = counter(
      "kstone_flushes_total",
      "Memtable flushes (one per stripe flushed) since open.",
    );
    const flushed = counter(
      "kstone_flush_bytes_total",
      "Bytes of SSTs written by flushes since open.",
    );
    const compactions = counter("kstone_compactions_total", "Compactions finished since open.");
    const activeCompactions = gauge("kstone_active_compactions", "Compactions running now.");
    const read = counter(
      "kstone_compaction_bytes_read_total",
      "Bytes of SSTs read by compactions.",
    );
    const written = counter(
      "kstone_compaction_bytes_written_total",
      "Bytes of SSTs written by compactions.",
    );
    const operations = counter("kstone_db_operations_total", "Engine item operations since open.");
    const health = gauge("kstone_health_status", "1 for the database's current health status.");
    this.registry.collect(async () => {
      const stats = await db.stats();
      memtable.set(stats.memtable_size_bytes);
      memtableRecords.set(stats.memtable_records);
      wal.set(stats.wal_size_bytes);
      sstFiles.reset();
      stats.sst_files_per_stripe.forEach((count, stripe) => {
        if (count > 0) sstFiles.set(count, { stripe: String(stripe).padStart(3, "0") });
      });
      sstTotal.set(stats.total_sst_files);
      sstMax.set(Math.max(0, ...stats.sst_files_per_stripe));
      sstBytes.set(stats.sst_size_bytes);
      disk.set(stats.total_disk_size_bytes);
      lsn.set(stats.last_lsn);
      flushes.set(stats.flushes);
      flushed.set(store.stats.flushedBytes);
      compactions.set(stats.compaction.total_compactions);
      activeCompactions.set(stats.compaction.active_compactions);
      read.set(stats.compaction.total_bytes_read);
      written.set(stats.compaction.total_bytes_written);
      for (const operation of ["puts", "gets", "deletes"] as const) {
        operations.set(stats.operations[operation], { operation: operation.slice(0, -1) });
      }
      const status = db.health().status;
      for (const name of ["healthy", "degraded", "unhealthy"]) {
        health.set(name === status ? 1 : 0, { status: name });
      }
      this.connections.set(openConnections());
    });
  }

  /**
   * Records a finished request.
   *
   * @param method The operation name.
   * @param seconds How long it took.
   * @param errorType The DynamoDB error type when it failed.
   */
  record(method: string, seconds: number, errorType?: string): void {
    this.requests.inc({ method, status: errorType === undefined ? "success" : "error" });
    this.duration.observe(seconds, { method });
    if (errorType !== undefined) this.errors.inc({ error_type: errorType });
  }
}

/**
 * Watches the store's counters and health, logging `memtable flush completed` and
 * `compaction completed` lines and health changes. Call {@linkcode EngineWatcher.poll} often
 * (the server does every second and after requests).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../mod.ts";
 * import { Logger } from "./logger.ts";
 * import { EngineWatcher } from "./observability.ts";
 * await using db = await Database.memory();
 * const lines: string[] = [];
 * const watcher = new EngineWatcher(db, new Logger({ sink: (line) => lines.push(line) }));
 * await db.put("user#123", { name: "Ada" });
 * await db.flush();
 * watcher.poll();
 * assert.match(lines[0]!, /INFO kstone::engine: memtable flush completed stripes=1 /);
 * ```
 */
export class EngineWatcher {
  readonly #db: Database;
  readonly #store: Store;
  readonly #log: Logger;
  #flushes: number;
  #flushedBytes: number;
  #compactions: number;
  #read: number;
  #written: number;
  #status: string;

  /**
   * @param db The database.
   * @param log Where lines go.
   */
  constructor(db: Database, log: Logger) {
    this.#db = db;
    this.#store = db.apiContext().store;
    this.#log = log;
    const stats = this.#store.stats;
    this.#flushes = stats.flushes;
    this.#flushedBytes = stats.flushedBytes;
    this.#compactions = stats.compaction.total_compactions;
    this.#read = stats.compaction.total_bytes_read;
    this.#written = stats.compaction.total_bytes_written;
    this.#status = "healthy";
  }

  /** Logs flushes, compactions and health changes since the last poll. */
  poll(): void {
    this.pollCounters();
    if (!this.#store.closed) this.#pollHealth();
  }

  /** Logs flushes and compactions since the last poll (cheap: reads counters only). */
  pollCounters(): void {
    const stats = this.#store.stats;
    if (stats.flushes > this.#flushes) {
      this.#log.info("kstone::engine", "memtable flush completed", {
        stripes: stats.flushes - this.#flushes,
        bytes: stats.flushedBytes - this.#flushedBytes,
        total_flushes: stats.flushes,
      });
      this.#flushes = stats.flushes;
      this.#flushedBytes = stats.flushedBytes;
    }
    const compaction = stats.compaction;
    if (compaction.total_compactions > this.#compactions) {
      this.#log.info("kstone::engine", "compaction completed", {
        compactions: compaction.total_compactions - this.#compactions,
        bytes_read: compaction.total_bytes_read - this.#read,
        bytes_written: compaction.total_bytes_written - this.#written,
        total_compactions: compaction.total_compactions,
      });
      this.#compactions = compaction.total_compactions;
      this.#read = compaction.total_bytes_read;
      this.#written = compaction.total_bytes_written;
    }
  }

  #pollHealth(): void {
    const report = this.#db.health();
    if (report.status !== this.#status) {
      this.#status = report.status;
      const fields = {
        status: report.status,
        warnings: report.warnings.join("; "),
        errors: report.errors.join("; "),
      };
      if (report.status === "unhealthy") {
        this.#log.error("kstone::engine", "health changed", fields);
      } else if (report.status === "degraded") {
        this.#log.warn("kstone::engine", "health changed", fields);
      } else this.#log.info("kstone::engine", "health changed", fields);
    }
  }
}
