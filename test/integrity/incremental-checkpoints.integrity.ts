/**
 * The integrity lane with incremental checkpoints: the job shapes of job-shapes.integrity.ts on
 * the heap backend with its changelog on, so that every checkpoint writes the changes since the
 * previous one into shared/, bases are materialised in the background, and every restore reads a
 * base and its changes; each seed one crash test under a seeded fault plan.
 *
 *   npm run test:integrity -- incremental                      a few seeds
 *   WEIR_INTEGRITY_SEEDS=60 npm run test:integrity -- incremental
 *   WEIR_INTEGRITY_SEED=12 npm run test:integrity -- incremental   replay one seed
 */
import { describe, it } from "node:test";
import { crashTestScenario, describeScenario, scenario, seeds } from "./integrity-scenarios.ts";

describe("job shapes users write with incremental checkpoints, under seeded faults (crash-test kit)", () => {
  for (const seed of seeds(6)) {
    const s = scenario(seed);
    const label = describeScenario(s);
    it(`seed ${seed}: ${label}`, { timeout: 240_000 }, async (t) => {
      await crashTestScenario(t, s, label, `replay: WEIR_INTEGRITY_SEED=${seed} npm run test:integrity -- incremental`, { stateBackend: "heap", incrementalCheckpoints: true });
    });
  }
});
