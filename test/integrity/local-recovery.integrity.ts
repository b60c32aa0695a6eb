/**
 * The integrity lane with local recovery: job shapes of the main lane (job-shapes.integrity.ts)
 * run by the crash-test kit with every run's tasks keeping local state copies, so restarts in the
 * process and resumes after a kill on this machine read the copies first. Each seed is one shape
 * (in turn) and one crash test: two reference runs and one faulted run, which must commit what the
 * references did.
 *
 *   npm run test:integrity -- local-recovery                                a few seeds
 *   WEIR_LOCAL_RECOVERY_SEEDS=40 npm run test:integrity -- local-recovery   more seeds
 *   WEIR_LOCAL_RECOVERY_SEED=7 npm run test:integrity -- local-recovery     replay one seed
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { crashTest } from "../../src/testing/crash-test/crash-test.ts";
import { parseOutputKey } from "../../src/testing/crash-test/compare-outputs.ts";
import { FAULT_KINDS } from "../../src/testing/crash-test/fault-plan.ts";
import { SeededRandom } from "../../src/sources/seeded-random.ts";
import { SHAPES, type ShapeName } from "../fixtures/jobs/integrity-shapes.ts";

const JOB = new URL("../fixtures/jobs/integrity-shapes.ts", import.meta.url);
const NAMES = Object.keys(SHAPES) as ShapeName[];

function seeds(): number[] {
  const one = process.env.WEIR_LOCAL_RECOVERY_SEED;
  if (one !== undefined) return [Number(one)];
  return Array.from({ length: Number(process.env.WEIR_LOCAL_RECOVERY_SEEDS ?? 4) }, (_, i) => 1 + i);
}

describe("job shapes under seeded faults with local recovery (crash-test kit)", () => {
  for (const seed of seeds()) {
    const r = new SeededRandom(seed ^ 0x10ca1);
    const shape = NAMES[(seed - 1) % NAMES.length]!;
    const runtime = r.nextInt(4) === 0 ? "single-thread" : "threads";
    const parallelism = 1 + r.nextInt(3);
    const events = 4_000 + r.nextInt(8_000);
    const keys = 1 + r.nextInt(120);
    const rate = Math.ceil((events * 1000) / (600 + r.nextInt(900)));
    const label = `${shape}, ${runtime} p=${parallelism}, ${events} events over ${keys} keys`;
    it(`seed ${seed}: ${label}`, { timeout: 240_000 }, async (t) => {
      const replay = `replay: WEIR_LOCAL_RECOVERY_SEED=${seed} npm run test:integrity -- local-recovery`;
      const report = await crashTest(JOB, {
        runs: 1,
        seed,
        faults: FAULT_KINDS,
        runtime,
        parallelism,
        localRecovery: true,
        key: parseOutputKey("csv:0"),
        args: ["--shape", shape, "--events", String(events), "--keys", String(keys), "--rate", String(rate), "--out", "{run}/out"],
        replayCommand: () => replay,
      });
      for (const run of report.runs) t.diagnostic(`${run.plan}: ${run.faultsFired} fired, ${run.recoveries} recoveries`);
      assert.equal(report.referenceProblem, undefined, `${report.referenceProblem}\n${replay}`);
      const failed = report.runs.find((run) => !run.ok);
      assert.equal(failed, undefined, failed === undefined ? "" : `${label}: ${failed.plan}\n${failed.error ?? JSON.stringify(failed.difference)}\n${replay}`);
    });
  }
});
