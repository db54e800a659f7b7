/**
 * The workload's table: each figure for kstone and the peer, their ratio and kstone's target
 * from issue 2.
 *
 * @module
 */
import type { OpenResult } from "./_workload_open.ts";
import type { SubjectResult } from "./_workload_run.ts";

/** One line of the table. */
export interface ReportRow {
  /** What was measured. */
  workload: string;
  /** kstone's figure. */
  kstone: number | undefined;
  /** The peer's figure. */
  peer: number | undefined;
  /** kstone / peer. */
  ratio: number | undefined;
  /** Whether a smaller figure is better (ms, bytes). */
  lowerIsBetter: boolean;
  /** The target in words, `""` when there is none. */
  target: string;
  /** Whether kstone meets it; `undefined` when there is no target or no figure. */
  pass: boolean | undefined;
}

const MiB = 1024 * 1024;

/**
 * Builds the rows.
 *
 * @param kstone kstone's results, if it ran.
 * @param peer The peer's results, if it ran.
 * @param rawBytes The raw bytes of the load (pk + sk + JSON).
 * @param openCheck kstone's large-open check, if it ran.
 * @returns The rows, in the issue's order.
 */
export function reportRows(
  kstone: SubjectResult | undefined,
  peer: SubjectResult | undefined,
  rawBytes: number,
  openCheck?: OpenResult,
): ReportRow[] {
  const rows: ReportRow[] = [];
  const add = (
    workload: string,
    pick: (r: SubjectResult) => number | undefined,
    lowerIsBetter: boolean,
    target = "",
    meets?: (value: number, ratio: number | undefined) => boolean,
  ) => {
    const k = kstone === undefined ? undefined : pick(kstone);
    const p = peer === undefined ? undefined : pick(peer);
    const ratio = k !== undefined && p !== undefined && p !== 0 ? k / p : undefined;
    const pass = meets === undefined || k === undefined ? undefined : meets(k, ratio);
    rows.push({ workload, kstone: k, peer: p, ratio, lowerIsBetter, target, pass });
  };
  const peerName = peer?.subject ?? "";
  const seqFactor = peerName === "Deno KV" ? 1.5 : peerName === "bun:sqlite" ? 0.9 : undefined;
  add(
    "durable sequential puts/s",
    (r) => r.sequentialPuts.perSecond,
    false,
    seqFactor === undefined ? "" : `>= ${seqFactor}x ${peerName}`,
    seqFactor === undefined ? undefined : (_, ratio) => ratio !== undefined && ratio >= seqFactor,
  );
  add(
    "durable puts/s, 100 in flight",
    (r) => r.inFlightPuts.perSecond,
    false,
    ">= 150,000/s",
    (v) => v >= 150_000,
  );
  add(
    "bulk load items/s (1,000 per batch)",
    (r) => r.bulkLoad.perSecond,
    false,
    ">= 300,000/s",
    (v) => v >= 300_000,
  );
  add(
    "disk after load (MiB)",
    (r) => r.diskAfterLoad / MiB,
    true,
    `<= 1.2x raw (${(1.2 * rawBytes / MiB).toFixed(1)})`,
    (v) => v * MiB <= 1.2 * rawBytes,
  );
  add("disk after load / raw bytes", (r) => r.diskAfterLoad / rawBytes, true);
  add("disk after close (MiB)", (r) => r.diskAfterClose / MiB, true);
  add(
    "write amplification (load through close)",
    (r) => r.writtenThroughClose === undefined ? undefined : r.writtenThroughClose / rawBytes,
    true,
  );
  add(
    "warm random gets/s (one at a time)",
    (r) => r.warmGets.perSecond,
    false,
    ">= 300,000/s",
    (v) => v >= 300_000,
  );
  add(
    "get misses + verify mismatches",
    (r) => r.warmGets.misses + r.reopen.misses + r.verified.mismatches,
    true,
    "0",
    (v) => v === 0,
  );
  add(
    `reopen + first ${(kstone ?? peer)?.reopen.gets.toLocaleString("en-US")} gets (ms)`,
    (r) => r.reopen.totalMs,
    true,
    "<= 150 ms",
    (v) => v <= 150,
  );
  add("  of which open (ms)", (r) => r.reopen.openMs, true);
  add("peak RSS (MiB)", (r) => r.peakRss / MiB, true, "<= 200 MiB", (v) => v <= 200);
  if (openCheck !== undefined) {
    const slowest = Math.max(...openCheck.openMs);
    rows.push({
      workload: `open of ${openCheck.items.toLocaleString("en-US")} items, WAL ${
        (openCheck.walBytes / MiB).toFixed(1)
      } MiB (ms, slowest of ${openCheck.openMs.length})`,
      kstone: slowest,
      peer: undefined,
      ratio: undefined,
      lowerIsBetter: true,
      target: "< 1,000 ms",
      pass: slowest < 1000,
    });
  }
  return rows;
}

function fmt(value: number | undefined): string {
  if (value === undefined) return "-";
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString("en-US");
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2);
}

/**
 * Renders the rows as a Markdown table.
 *
 * @param rows From {@linkcode reportRows}.
 * @param peerName The peer's name for the header.
 * @returns The table text.
 */
export function renderTable(rows: readonly ReportRow[], peerName: string): string {
  const header = ["workload", "kstone", peerName, "ratio (kstone/peer)", "kstone target"];
  const body = rows.map((row) => [
    row.workload + (row.lowerIsBetter ? " (lower is better)" : ""),
    fmt(row.kstone),
    fmt(row.peer),
    row.ratio === undefined ? "-" : `${row.ratio.toFixed(2)}x`,
    row.target === ""
      ? ""
      : `${row.target} ${row.pass === undefined ? "" : row.pass ? "pass" : "FAIL"}`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((line) => line[c]!.length)));
  const line = (cells: string[]) =>
    `| ${
      cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join(" | ")
    } |`;
  const rule = `|${
    widths.map((w, c) => (c === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")
  }|`;
  return [line(header), rule, ...body.map(line)].join("\n");
}

/**
 * The median of each number across results of the same shape (other values from the first; a
 * field only some results have is taken from those).
 *
 * @param list One or more results.
 * @returns A result holding the medians.
 */
export function medianOf<T>(list: readonly T[]): T {
  const first = list[0];
  if (typeof first === "number") {
    const sorted = (list as readonly number[]).toSorted((a, b) => a - b);
    const mid = sorted.length >> 1;
    return (sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2) as T;
  }
  if (first === null || typeof first !== "object" || Array.isArray(first)) return first as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(first)) {
    const values = list.map((item) => (item as Record<string, unknown> | undefined)?.[key])
      .filter((value) => value !== undefined);
    out[key] = values.length === 0 ? undefined : medianOf(values);
  }
  return out as T;
}
