import { test } from "node:test";
import assert from "node:assert/strict";
import { type CampaignMode, runCrashCampaign } from "../../helpers/crash_campaign.ts";
import { baseSeed, envCount } from "../../helpers/random.ts";

// KSTONE_CRASH_POINTS sets the campaign's size (default 2,000 crash points, 50 per run);
// KSTONE_SEED replays it: run i uses seed KSTONE_SEED + i, and an even seed drives the Database
// API while an odd one drives Store.commit with atomic multi-key batches.
const POINTS_PER_RUN = 50;
const total = envCount("KSTONE_CRASH_POINTS", 2000);
const runs = Math.ceil(total / POINTS_PER_RUN);
const seed = baseSeed("crash campaign");

for (let run = 0; run < runs; run++) {
  const runSeed = (seed + run) >>> 0;
  const mode: CampaignMode = runSeed % 2 === 0 ? "database" : "store";
  const points = Math.min(POINTS_PER_RUN, total - run * POINTS_PER_RUN);
  const writes = mode === "database" ? "puts and deletes" : "atomic batches";
  test(
    `Database.open() after a power cut at ${points} random operations of ${writes}, ` +
      `flushes and compactions keeps every acknowledged write (seed ${runSeed})`,
    { timeout: 600_000 },
    async () => {
      const result = await runCrashCampaign({
        mode,
        seed: runSeed,
        steps: 450,
        points,
        replay: `KSTONE_SEED=${runSeed} KSTONE_CRASH_POINTS=${points} ` +
          `deno test -A tests/engine/crash/crash_campaign_test.ts (or bun test <same file>)`,
      });
      assert.equal(result.points, points, `the workload made only ${result.operations} operations`);
    },
  );
}
