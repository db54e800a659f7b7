/**
 * The workload's command line: flags and the sizes of each phase.
 *
 * @module
 */
import type { WorkloadPlan } from "./_workload_run.ts";

/** Sort keys per partition. */
export const SORT_KEYS = 100;

/**
 * Items of the open check: 1,000,000 (100,000 with `--quick`).
 *
 * @param args The settings.
 * @returns The number of items.
 */
export function openCheckItems(args: Args): number {
  return args.quick ? 100_000 : 1_000_000;
}

/** Parsed command line. */
export interface Args {
  /** `--quick`: 20,000 items and shorter put phases. */
  quick: boolean;
  /** `--json`: print JSON instead of the table. */
  json: boolean;
  /** `--items N`: items of the load, a multiple of 100. */
  items: number;
  /** `--seed N`. */
  seed: number;
  /** `--only kstone|peer`: run one store in this process. */
  only: "kstone" | "peer" | undefined;
  /** `--result FILE`: where a child writes its JSON. */
  result: string | undefined;
  /** `--dir DIR`: where temp directories go. */
  dir: string | undefined;
  /** `--kstone-options JSON`: kstone tuning. */
  kstoneOptions: Record<string, unknown>;
  /** `--open-1m`: also run the 1,000,000-item open check. */
  openCheck: boolean;
  /** `--runs N`: alternating runs whose medians are reported. */
  runs: number;
  /** `--open-fill DIR` (internal): the open check's child, which fills `DIR` and exits. */
  openFill: string | undefined;
  /** `--v8-flags FLAGS` (Deno): V8 flags of every child process, the peer's too. */
  v8Flags: string | undefined;
}

/**
 * Parses the workload's flags (see `bench/workload.ts`).
 *
 * @param argv The arguments after the script.
 * @returns The settings.
 * @throws {Error} On an unknown flag or a bad value.
 */
export function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    quick: false,
    json: false,
    items: 200_000,
    seed: 42,
    only: undefined,
    result: undefined,
    dir: undefined,
    kstoneOptions: {},
    openCheck: false,
    runs: 1,
    openFill: undefined,
    v8Flags: undefined,
  };
  let itemsSet = false;
  for (let n = 0; n < argv.length; n++) {
    const flag = argv[n]!;
    const value = () => {
      const v = argv[++n];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === "--quick") args.quick = true;
    else if (flag === "--json") args.json = true;
    else if (flag === "--open-1m") args.openCheck = true;
    else if (flag === "--items") [args.items, itemsSet] = [Number(value()), true];
    else if (flag === "--seed") args.seed = Number(value());
    else if (flag === "--runs") args.runs = Math.max(1, Math.floor(Number(value())));
    else if (flag === "--result") args.result = value();
    else if (flag === "--open-fill") args.openFill = value();
    else if (flag === "--dir") args.dir = value();
    else if (flag === "--v8-flags") args.v8Flags = value();
    else if (flag === "--kstone-options") args.kstoneOptions = JSON.parse(value());
    else if (flag === "--only") {
      const only = value();
      if (only !== "kstone" && only !== "peer") throw new Error("--only takes kstone or peer");
      args.only = only;
    } else throw new Error(`unknown flag ${flag}`);
  }
  if (args.quick && !itemsSet) args.items = 20_000;
  if (!(args.items >= SORT_KEYS && args.items % SORT_KEYS === 0)) {
    throw new Error(`--items must be a positive multiple of ${SORT_KEYS}`);
  }
  return args;
}

/**
 * The sizes of each phase for these settings.
 *
 * @param args The settings.
 * @returns The plan.
 */
export function planOf(args: Args): WorkloadPlan {
  return {
    seed: args.seed,
    sequentialPuts: args.quick ? 500 : 2_000,
    sequentialMs: 3_000,
    inFlightPuts: args.quick ? 2_000 : 10_000,
    inFlight: 100,
    batch: 1_000,
    gets: args.items,
    reopenGets: 10_000,
    verify: 1_000,
  };
}
