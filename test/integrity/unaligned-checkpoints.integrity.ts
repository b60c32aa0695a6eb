/**
 * The integrity lane for unaligned checkpoints, on the crash-test kit: the keyed count under
 * back-pressure (test/fixtures/jobs/unaligned-backpressure.ts), whose checkpoints store the
 * records in flight, under seeded kills and faults; unaligned at once or after an alignment
 * timeout, on threads or one thread. Each faulted run must commit exactly what the runs without
 * faults did, and those exactly the correct counts.
 *
 *   npm run test:integrity                                   a few seeds
 *   WEIR_UNALIGNED_SEEDS=40 npm run test:integrity           more
 *   WEIR_UNALIGNED_SEED=7 npm run test:integrity             replay one seed
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { crashTest } from "../../src/testing/crash-test/crash-test.ts";
import { parseOutputKey } from "../../src/testing/crash-test/compare-outputs.ts";
import { FAULT_KINDS } from "../../src/testing/crash-test/fault-plan.ts";
import { SeededRandom } from "../../src/sources/seeded-random.ts";
import { expectedLines } from "../fixtures/jobs/ck-count.ts";

const JOB = new URL("../fixtures/jobs/unaligned-backpressure.ts", import.meta.url);

function seeds(): number[] {
  const one = process.env.WEIR_UNALIGNED_SEED;
  if (one !== undefined) return [Number(one)];
  const count = Number(process.env.WEIR_UNALIGNED_SEEDS ?? 4);
  return Array.from({ length: count }, (_, i) => 1 + i);
}

describe("unaligned checkpoints under seeded faults (crash-test kit)", () => {
  for (const seed of seeds()) {
    const r = new SeededRandom(seed ^ 0x0a11);
    const runtime = r.nextInt(3) === 0 ? ("single-thread" as const) : ("threads" as const);
    const parallelism = 1 + r.nextInt(3);
    const timeoutMs = r.nextInt(2) === 0 ? 0 : 5 + r.nextInt(40);
    const events = 2_000 + r.nextInt(4_000);
    const keys = 1 + r.nextInt(30);
    const label = `${runtime} p=${parallelism}, aligned-checkpoint-timeout ${timeoutMs} ms, ${events} events over ${keys} keys`;
    it(`seed ${seed}: ${label}`, { timeout: 300_000 }, async () => {
      const replay = `replay: WEIR_UNALIGNED_SEED=${seed} npm run test:integrity`;
      const reference: unknown[] = [];
      const report = await crashTest(JOB, {
        runs: 1,
        seed,
        // A checkpoint holding records in flight restores only at its own parallelism (WEIR_ERR_UNALIGNED_RESCALE).
        faults: FAULT_KINDS.filter((kind) => kind !== "rescale"),
        runtime,
        parallelism,
        bufferSize: 16,
        unalignedTimeoutMs: timeoutMs,
        key: parseOutputKey("csv:0"),
        args: ["--events", String(events), "--keys", String(keys), "--work", "5000", "--out", "{run}/out"],
        onReference: (_sink, records) => void reference.push(...records),
        replayCommand: () => replay,
      });
      assert.equal(report.referenceProblem, undefined, `${report.referenceProblem}\n${replay}`);
      assert.deepEqual(reference.map(String).sort(), expectedLines(events, keys).sort(), `the run without faults committed wrong counts\n${replay}`);
      const failed = report.runs.find((run) => !run.ok);
      assert.equal(failed, undefined, failed === undefined ? "" : `${label}: ${failed.plan}\n${failed.difference === undefined ? failed.error : JSON.stringify(failed.difference)}\n${replay}`);
    });
  }
});
