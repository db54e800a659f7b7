import { test } from "node:test";
import assert from "node:assert/strict";
import { runFaultCampaign } from "../../helpers/fault_campaign.ts";
import { baseSeed, envCount } from "../../helpers/random.ts";

// KSTONE_FAULT_RUNS sets how many faults are tried (default 100); KSTONE_SEED replays them: run
// i uses seed KSTONE_SEED + i.
const runs = envCount("KSTONE_FAULT_RUNS", 100);
const seed = baseSeed("fault campaign");

test(
  `Database never loses an acknowledged write nor corrupts the store when one of ${runs} ` +
    "random I/O faults (ENOSPC, EIO, torn writes) hits a write, sync, rename or directory sync",
  { timeout: 600_000 },
  async () => {
    let fired = 0;
    for (let run = 0; run < runs; run++) {
      const runSeed = (seed + run) >>> 0;
      const result = await runFaultCampaign({
        seed: runSeed,
        steps: 300,
        replay: `KSTONE_SEED=${runSeed} KSTONE_FAULT_RUNS=1 ` +
          "deno test -A tests/engine/store/fault_campaign_test.ts (or bun test <same file>)",
      });
      if (result.fired > 0) fired++;
    }
    assert.ok(fired >= runs / 3, `only ${fired} of ${runs} injected faults fired`);
  },
);
