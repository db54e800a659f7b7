/**
 * `Database.health()`: the troubleshooting chapter's "Health Check Interpretation" as code.
 * Degraded: a stripe with 10 or more SSTs (compaction falling behind), or problems found at open
 * (a listed SST missing, a torn WAL tail dropped). Unhealthy: the WAL failed (the database is
 * read-only until reopened) or a background flush or compaction failed.
 *
 * @module
 */
import type { Store } from "../store/store.ts";

/** SSTs in one stripe from which the database counts as degraded (the chapter's 10-15). */
export const HIGH_SST_COUNT = 10;

/** The verdict of {@linkcode health}. */
export interface HealthReport {
  /** `healthy`, `degraded` or `unhealthy`. */
  status: "healthy" | "degraded" | "unhealthy";
  /** What makes it degraded. */
  warnings: string[];
  /** What makes it unhealthy. */
  errors: string[];
}

/**
 * Judges a store.
 *
 * @param store The open store.
 * @returns Status, warnings and errors.
 */
export function health(store: Store): HealthReport {
  const warnings = [...store.warnings];
  const errors: string[] = [];
  store.stripes.forEach((stripe, index) => {
    if (stripe.tables.length >= HIGH_SST_COUNT) {
      warnings.push(`High SST count: stripe ${index} holds ${stripe.tables.length} SST files`);
    }
  });
  if (store.closed) errors.push("Database is closed");
  if (store.wal.failed) {
    errors.push("Write-ahead log failed: the database is read-only until reopened");
  }
  const background = store.backgroundError;
  if (background !== undefined) errors.push(`Background work failed: ${background.message}`);
  const status = errors.length > 0 ? "unhealthy" : warnings.length > 0 ? "degraded" : "healthy";
  return { status, warnings, errors };
}
