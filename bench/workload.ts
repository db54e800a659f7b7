/**
 * The kstone workload against its peer in the same run: Deno KV under Deno, `bun:sqlite` under
 * Bun. Each store runs in its own child process (so peak RSS is its own) on a fresh directory
 * on the real disk; the parent prints the table.
 *
 * ```sh
 * node_modules/.bin/deno run -A bench/workload.ts [--quick] [--json]
 * node_modules/.bin/bun bench/workload.ts [--quick] [--json]
 * ```
 *
 * Flags: `--quick` (20,000 items), `--items N` (a multiple of 100), `--seed N`, `--json`,
 * `--open-1m` (also time kstone's open of a 1,000,000-item database whose WAL is nearly full),
 * `--runs N` (alternate peer and kstone N times and report each figure's median),
 * `--dir DIR` (where the temp directories go), `--only kstone|peer` (run one store in this
 * process, e.g. under `--cpu-prof`; Deno's peer needs `--unstable-kv`), `--kstone-options JSON`
 * (tuning passed to `Database.create`/`open`), `--v8-flags FLAGS` (Deno: run every child, the
 * peer's too, with `--v8-flags=FLAGS`, e.g. `--max-semi-space-size=8`).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { type Args, openCheckItems, parseArgs, planOf, SORT_KEYS } from "./_workload_args.ts";
import { ItemSet } from "./_items.ts";
import { filesystemType } from "./_proc.ts";
import { medianOf, renderTable, reportRows } from "./_workload_report.ts";
import { runWorkload, type SubjectResult } from "./_workload_run.ts";
import type { OpenResult } from "./_workload_open.ts";

/** What a child reports: the workload's figures, plus kstone's large-open check if asked. */
type ChildResult = SubjectResult & { openCheck?: OpenResult };

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "other";

function runtimeVersion(): string {
  const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
  return g.Bun ? `Bun ${g.Bun.version}` : g.Deno ? `Deno ${g.Deno.version.deno}` : "unknown";
}

/** Where temp directories go: the OS temp dir unless it is in memory, else the repo's `tmp/`. */
function baseDirectory(args: Args): string {
  if (args.dir !== undefined) return args.dir;
  const tmp = tmpdir();
  if (!["tmpfs", "ramfs"].includes(filesystemType(tmp))) return tmp;
  return fileURLToPath(new URL("../tmp/", import.meta.url));
}

/** Builds the store `which` names and runs the workload on it. */
async function runSubject(
  which: "kstone" | "peer",
  items: ItemSet,
  args: Args,
  dir: string,
): Promise<SubjectResult> {
  const plan = planOf(args);
  if (which === "kstone") {
    const { KstoneSubject } = await import("./_subject_kstone.ts");
    return runWorkload(new KstoneSubject(items, args.kstoneOptions), items, plan, dir);
  }
  if (runtime === "bun") {
    const { SqliteSubject } = await import("./_peer_sqlite.ts");
    return runWorkload(await SqliteSubject.load(items), items, plan, dir);
  }
  const { DenoKvSubject } = await import("./_peer_denokv.ts");
  return runWorkload(new DenoKvSubject(items), items, plan, dir);
}

/** The arguments that run this script again in a child process of the same runtime. */
function childCommand(args: Args, scriptArgs: readonly string[]): string[] {
  const script = fileURLToPath(import.meta.url);
  if (runtime !== "deno") return [script, ...scriptArgs];
  const v8 = args.v8Flags === undefined ? [] : [`--v8-flags=${args.v8Flags}`];
  return ["run", "-A", "--unstable-kv", ...v8, script, ...scriptArgs];
}

/** Runs one store in this process; writes its result as JSON to `--result` or stdout. */
async function runChild(
  args: Args,
  which: "kstone" | "peer",
  argv: readonly string[],
): Promise<void> {
  const items = new ItemSet(args.items / SORT_KEYS, SORT_KEYS, args.seed);
  const base = baseDirectory(args);
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, `kstone-bench-${which}-`));
  try {
    const result: ChildResult = await runSubject(which, items, args, dir);
    if (which === "kstone" && args.openCheck) {
      const { runOpenCheck } = await import("./_workload_open.ts");
      const large = new ItemSet(openCheckItems(args) / SORT_KEYS, SORT_KEYS, args.seed);
      const spawnFill = (db: string) => {
        const child = spawnSync(
          process.execPath,
          childCommand(args, [...argv, "--open-fill", db]),
          {
            stdio: ["ignore", "pipe", "inherit"],
            encoding: "utf8",
          },
        );
        if (child.status !== 0) throw new Error(`open check fill failed: ${child.status}`);
        return child.stdout;
      };
      result.openCheck = await runOpenCheck(large, args.kstoneOptions, dir, spawnFill);
    }
    const text = JSON.stringify(result, null, 2);
    if (args.result !== undefined) writeFileSync(args.result, text);
    else console.log(text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Spawns a child per store, peer first, and prints the table (or JSON). */
function runParent(args: Args, argv: readonly string[]): void {
  const base = baseDirectory(args);
  mkdirSync(base, { recursive: true });
  const scratch = mkdtempSync(join(base, "kstone-bench-results-"));
  const runs: Record<"kstone" | "peer", ChildResult[]> = { kstone: [], peer: [] };
  try {
    for (let run = 0; run < args.runs; run++) {
      for (const which of ["peer", "kstone"] as const) {
        const resultFile = join(scratch, `${which}-${run}.json`);
        const passed = run === 0 ? argv : argv.filter((flag) => flag !== "--open-1m");
        const command = childCommand(args, [...passed, "--only", which, "--result", resultFile]);
        const child = spawnSync(process.execPath, command, {
          stdio: ["ignore", "inherit", "inherit"],
        });
        if (child.status !== 0) {
          console.error(`${which} run failed (status ${child.status}, signal ${child.signal})`);
          continue;
        }
        runs[which].push(JSON.parse(readFileSync(resultFile, "utf8")) as ChildResult);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const results: Record<"kstone" | "peer", ChildResult | undefined> = {
    kstone: runs.kstone.length === 0 ? undefined : medianOf(runs.kstone),
    peer: runs.peer.length === 0 ? undefined : medianOf(runs.peer),
  };
  const items = new ItemSet(args.items / SORT_KEYS, SORT_KEYS, args.seed);
  const rawBytes = items.rawBytes();
  const rows = reportRows(results.kstone, results.peer, rawBytes, results.kstone?.openCheck);
  const peerName = results.peer?.subject ?? (runtime === "bun" ? "bun:sqlite" : "Deno KV");
  const setting = {
    runtime: runtimeVersion(),
    items: args.items,
    seed: args.seed,
    rawBytes,
    dir: base,
    filesystem: filesystemType(base),
    plan: planOf(args),
    kstoneOptions: args.kstoneOptions,
    v8Flags: args.v8Flags,
  };
  if (args.json) {
    console.log(JSON.stringify({ ...setting, rows, results, runs }, null, 2));
  } else {
    console.log(
      `\n${setting.runtime}, ${args.items.toLocaleString("en-US")} items ` +
        `(${(rawBytes / 1024 / 1024).toFixed(1)} MiB raw), seed ${args.seed}, ` +
        `temp dir ${base} (${setting.filesystem})` +
        (args.runs > 1 ? `, medians of ${args.runs} alternating runs` : "") +
        (args.v8Flags === undefined ? "" : `, V8 flags ${args.v8Flags}`) + "\n",
    );
    console.log(renderTable(rows, peerName));
    const loads = (["peer", "kstone"] as const).map((which) =>
      `${which} ${
        runs[which].map(({ load }) => `${load.start ?? "?"} -> ${load.end ?? "?"}`).join(", ")
      }`
    );
    console.log(`\nmachine load (1-min average, ${cpus().length} cores): ${loads.join(", ")}`);
  }
  if (results.kstone === undefined || results.peer === undefined) process.exitCode = 1;
}

const argv = process.argv.slice(2);
const args = parseArgs(argv);
if (args.v8Flags !== undefined && runtime !== "deno") throw new Error("--v8-flags is for Deno");
if (args.openFill !== undefined) {
  const { fillAndCrash } = await import("./_workload_open.ts");
  const items = new ItemSet(openCheckItems(args) / SORT_KEYS, SORT_KEYS, args.seed);
  await fillAndCrash(items, args.kstoneOptions, args.openFill);
} else if (args.only !== undefined) await runChild(args, args.only, argv);
else runParent(args, argv);
