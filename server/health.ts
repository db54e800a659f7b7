/**
 * The server's health verdict (`GET /health`): the database's own report (`db.health()`: SST
 * counts, WAL and background failures) plus what only the server sees, following the
 * troubleshooting chapter's "Health Check Interpretation":
 *
 * - degraded: disk usage over 80%;
 * - unhealthy: the database directory inaccessible, the disk full, corruption or an I/O error
 *   met by a request in the last five minutes.
 *
 * @module
 */
import type { Database } from "../engine/db/database.ts";
import type { HealthReport } from "../engine/db/health.ts";
import { KstoneError } from "../engine/errors.ts";

/** Disk usage above which the database is degraded (the chapter's 80%). */
export const DISK_USAGE_WARNING = 0.8;
/** How long an I/O error or corruption met by a request keeps the database unhealthy. */
export const RECENT_ERROR_MS = 5 * 60 * 1000;

/** What the runtime adapter can measure for health. */
export interface HealthProbes {
  /** Used fraction of the database's filesystem, 0 to 1, if measurable. */
  diskUsage?(): Promise<number | undefined>;
  /** Why the database directory cannot be read, or `undefined` when it can. */
  directoryProblem?(): Promise<string | undefined>;
}

/**
 * Judges the server's database.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../mod.ts";
 * import { ServerHealth } from "./health.ts";
 * await using db = await Database.memory();
 * const health = new ServerHealth(db, { diskUsage: () => Promise.resolve(0.85) });
 * const report = await health.check();
 * assert.equal(report.status, "degraded");
 * assert.deepEqual(report.warnings, ["Disk usage 85% is over 80%"]);
 * ```
 */
export class ServerHealth {
  readonly #db: Database;
  readonly #probes: HealthProbes;
  readonly #now: () => number;
  #recent: { at: number; message: string }[] = [];

  /**
   * @param db The database.
   * @param probes Disk and directory measurements.
   * @param now The clock.
   */
  constructor(db: Database, probes: HealthProbes = {}, now: () => number = Date.now) {
    this.#db = db;
    this.#probes = probes;
    this.#now = now;
  }

  /**
   * Notes an error a request met; I/O errors, corruption and write failures make the database
   * unhealthy for {@linkcode RECENT_ERROR_MS}.
   *
   * @param error What the request threw.
   */
  note(error: unknown): void {
    if (!(error instanceof KstoneError)) return;
    if (error.code !== "IO_ERROR" && error.code !== "CORRUPTION" && error.code !== "FAILED") return;
    this.#recent.push({ at: this.#now(), message: error.message });
    if (this.#recent.length > 16) this.#recent.shift();
  }

  /**
   * The verdict now.
   *
   * @returns Status, warnings and errors.
   */
  async check(): Promise<HealthReport> {
    const base = this.#db.health();
    const warnings = [...base.warnings];
    const errors = [...base.errors];
    const directory = await this.#probes.directoryProblem?.();
    if (directory !== undefined) errors.push(`Database directory inaccessible: ${directory}`);
    const usage = await this.#probes.diskUsage?.();
    if (usage !== undefined) {
      const percent = Math.round(usage * 100);
      if (usage >= 0.999) errors.push(`Disk full: ${percent}% used`);
      else if (usage > DISK_USAGE_WARNING) warnings.push(`Disk usage ${percent}% is over 80%`);
    }
    const horizon = this.#now() - RECENT_ERROR_MS;
    this.#recent = this.#recent.filter((entry) => entry.at >= horizon);
    for (const message of new Set(this.#recent.map((entry) => entry.message))) {
      errors.push(/No space left/.test(message) ? `Disk full: ${message}` : message);
    }
    const status = errors.length > 0 ? "unhealthy" : warnings.length > 0 ? "degraded" : "healthy";
    return { status, warnings, errors };
  }
}
