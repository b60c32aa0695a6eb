import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EngineConfig } from "../../../bench/throughput/plan.ts";
import { summarizeThroughput, type Sample } from "../../../bench/throughput/summary.ts";

const P1: EngineConfig = { parallelism: 1, objectReuse: false };
const P1_REUSE: EngineConfig = { parallelism: 1, objectReuse: true };
const P2: EngineConfig = { parallelism: 2, objectReuse: false };

function sample(config: EngineConfig, rep: number, engine: number, baseline: number, extra: Partial<Sample> = {}): Sample {
  return {
    query: "q0",
    config,
    rep,
    eventsPerSecond: engine,
    baselineEventsPerSecond: baseline,
    cpuEventsPerSecond: engine,
    baselineCpuEventsPerSecond: baseline,
    startupMs: 100 + rep,
    stopMs: 20,
    ...extra,
  };
}

/** A p=2 repetition at CPU scaling 0.5 of the engine's, with the loop on two threads at 0.8 of the loop on one worker thread. */
const P2_WITH_LOOPS: Partial<Sample> = {
  cpuEventsPerSecond: 2,
  baselineCpuEventsPerSecond: 8,
  parallelBaselineEventsPerSecond: 16,
  parallelBaselineCpuEventsPerSecond: 8,
  workerBaselineCpuEventsPerSecond: 10,
};

describe("summarizeThroughput", () => {
  it("takes the ratio to the loop per repetition, so a slow pair does not move it", () => {
    // Repetition 1 ran while the machine was busy: both sides at half speed.
    const rows = summarizeThroughput([sample(P1, 0, 8, 10), sample(P1, 1, 4, 5), sample(P1, 2, 8, 10)], 2);
    assert.equal(rows[0]!.ratioToBaseline, 0.8);
    assert.deepEqual(rows[0]!.spread.ratioToBaseline, { min: 0.8, max: 0.8 });
    assert.equal(rows[0]!.eventsPerSecond, 8);
    assert.deepEqual(rows[0]!.spread.eventsPerSecond, { min: 4, max: 8 });
  });

  it("takes the CPU-time ratio per repetition too, apart from the wall-clock one", () => {
    // The engine's threads waited for the CPU in repetition 1: its wall-clock rate fell, its CPU-time rate did not.
    const rows = summarizeThroughput(
      [
        sample(P1, 0, 8, 10, { cpuEventsPerSecond: 6, baselineCpuEventsPerSecond: 12 }),
        sample(P1, 1, 2, 10, { cpuEventsPerSecond: 5, baselineCpuEventsPerSecond: 10 }),
        sample(P1, 2, 8, 10, { cpuEventsPerSecond: 6, baselineCpuEventsPerSecond: 12 }),
      ],
      2,
    );
    assert.equal(rows[0]!.ratioToBaseline, 0.8);
    assert.deepEqual(rows[0]!.spread.ratioToBaseline, { min: 0.2, max: 0.8 });
    assert.equal(rows[0]!.cpuRatioToBaseline, 0.5);
    assert.deepEqual(rows[0]!.spread.cpuRatioToBaseline, { min: 0.5, max: 0.5 });
    assert.equal(rows[0]!.cpuEventsPerSecond, 6);
    assert.equal(rows[0]!.baselineCpuEventsPerSecond, 12);
    assert.deepEqual(rows[0]!.spread.cpuEventsPerSecond, { min: 5, max: 6 });
  });

  it("marks only rows measured with object reuse, keeping the fields of protected rows as they were", () => {
    const rows = summarizeThroughput([sample(P1, 0, 8, 10), sample(P1_REUSE, 0, 9, 10)], 2);
    assert.equal("objectReuse" in rows[0]!, false);
    assert.equal(rows[1]!.objectReuse, true);
    for (const field of ["query", "parallelism", "eventsPerSecond", "eventsPerSecondPerCore", "baselineEventsPerSecond", "ratioToBaseline", "parallelBaselineEventsPerSecond"]) {
      assert.ok(field in rows[0]!, field);
    }
  });

  it("reports start-up and stop apart from the rate, as medians with their spread", () => {
    const rows = summarizeThroughput(
      [sample(P1, 0, 8, 10, { startupMs: 300, stopMs: 40 }), sample(P1, 1, 8, 10, { startupMs: 900, stopMs: 10 }), sample(P1, 2, 8, 10, { startupMs: 350, stopMs: 20 })],
      2,
    );
    assert.equal(rows[0]!.startupMs, 350);
    assert.deepEqual(rows[0]!.spread.startupMs, { min: 300, max: 900 });
    assert.equal(rows[0]!.stopMs, 20);
    assert.deepEqual(rows[0]!.spread.stopMs, { min: 10, max: 40 });
  });

  it("scales parallelism 2 against parallelism 1 of the same repetition, and the loop on two threads against one", () => {
    const rows = summarizeThroughput(
      [
        sample(P1, 0, 6, 10),
        sample(P2, 0, 9, 10, { parallelBaselineEventsPerSecond: 16 }),
        sample(P1, 1, 3, 5),
        sample(P2, 1, 4.5, 5, { parallelBaselineEventsPerSecond: 8 }),
      ],
      2,
    );
    const p2 = rows.find((r) => r.parallelism === 2)!;
    assert.equal(p2.scalingToP1, 1.5);
    assert.equal(p2.parallelBaselineScaling, 1.6);
    const p1 = rows.find((r) => r.parallelism === 1)!;
    assert.equal(p1.scalingToP1, undefined);
    assert.equal(p1.spread.scalingToP1, undefined);
    assert.equal(p1.parallelBaselineEventsPerSecond, p1.baselineEventsPerSecond);
  });

  it("scales in CPU time too, and sets the engine's CPU scaling against the loop's of the same repetition", () => {
    const rows = summarizeThroughput(
      [
        sample(P1, 0, 6, 10, { cpuEventsPerSecond: 4, baselineCpuEventsPerSecond: 8 }),
        sample(P2, 0, 9, 10, { cpuEventsPerSecond: 3, baselineCpuEventsPerSecond: 8, parallelBaselineEventsPerSecond: 16, parallelBaselineCpuEventsPerSecond: 6 }),
        // The machine was busier in repetition 1: every rate fell, and the ratio of the scalings stayed.
        sample(P1, 1, 3, 5, { cpuEventsPerSecond: 2, baselineCpuEventsPerSecond: 4 }),
        sample(P2, 1, 4.5, 5, { cpuEventsPerSecond: 1.2, baselineCpuEventsPerSecond: 4, parallelBaselineEventsPerSecond: 8, parallelBaselineCpuEventsPerSecond: 2.4 }),
      ],
      2,
    );
    const p2 = rows.find((r) => r.parallelism === 2)!;
    assert.equal(p2.cpuScalingToP1, 0.675);
    assert.deepEqual(p2.spread.cpuScalingToP1, { min: 0.6, max: 0.75 });
    assert.equal(p2.parallelBaselineCpuScaling, 0.675);
    assert.deepEqual(p2.spread.parallelBaselineCpuScaling, { min: 0.6, max: 0.75 });
    assert.equal(p2.cpuScalingToLoop, 1);
    assert.deepEqual(p2.spread.cpuScalingToLoop, { min: 1, max: 1 });
    const p1 = rows.find((r) => r.parallelism === 1)!;
    for (const field of ["cpuScalingToP1", "parallelBaselineCpuScaling", "cpuScalingToLoop"] as const) assert.equal(field in p1, false, field);
  });

  it("scales the loop's CPU time against the loop on one worker thread when that was measured", () => {
    const rows = summarizeThroughput(
      [
        sample(P1, 0, 6, 10, { cpuEventsPerSecond: 4, baselineCpuEventsPerSecond: 8 }),
        sample(P2, 0, 9, 10, { cpuEventsPerSecond: 3, baselineCpuEventsPerSecond: 8, parallelBaselineEventsPerSecond: 16, parallelBaselineCpuEventsPerSecond: 6, workerBaselineCpuEventsPerSecond: 10 }),
      ],
      2,
    );
    const p2 = rows.find((r) => r.parallelism === 2)!;
    assert.equal(p2.parallelBaselineCpuScaling, 0.6);
    assert.equal(p2.cpuScalingToLoop, 1.25);
  });

  it("scales the loop exchanging records against the loop on one worker thread, and the engine against it", () => {
    const rows = summarizeThroughput(
      [
        sample(P1, 0, 6, 10, { cpuEventsPerSecond: 4, baselineCpuEventsPerSecond: 8 }),
        sample(P2, 0, 9, 10, { ...P2_WITH_LOOPS, exchangeBaselineCpuEventsPerSecond: 5 }),
      ],
      2,
    );
    const p2 = rows.find((r) => r.parallelism === 2)!;
    assert.equal(p2.exchangeBaselineCpuScaling, 0.5);
    assert.equal(p2.cpuScalingToExchangeLoop, 1);
    assert.equal(p2.cpuScalingToLoop, 0.625);
  });

  it("scales the second half of the runs as the whole runs are, and leaves it out where it was not timed", () => {
    const rows = summarizeThroughput(
      [
        sample(P1, 0, 6, 10, { cpuEventsPerSecond: 4, baselineCpuEventsPerSecond: 8, secondHalfEventsPerSecond: 7, secondHalfCpuEventsPerSecond: 5 }),
        sample(P2, 0, 9, 10, { ...P2_WITH_LOOPS, secondHalfEventsPerSecond: 12, secondHalfCpuEventsPerSecond: 4 }),
        sample(P1_REUSE, 0, 6, 10),
      ],
      2,
    );
    const [p1, p2, reused] = rows;
    assert.equal(p1!.secondHalfCpuRatioToBaseline, 0.625);
    assert.equal(p2!.secondHalfCpuScalingToP1, 0.8);
    assert.equal(p2!.secondHalfCpuScalingToLoop, 1);
    assert.equal(p2!.cpuScalingToP1, 0.5);
    assert.equal("secondHalfCpuScalingToExchangeLoop" in p2!, false);
    for (const field of ["secondHalfEventsPerSecond", "secondHalfCpuEventsPerSecond", "secondHalfCpuRatioToBaseline"] as const) assert.equal(field in reused!, false, field);
  });

  it("leaves the loop exchanging records out of a row measured without it", () => {
    const rows = summarizeThroughput(
      [sample(P1, 0, 6, 10), sample(P2, 0, 9, 10, { parallelBaselineEventsPerSecond: 16, parallelBaselineCpuEventsPerSecond: 8, workerBaselineCpuEventsPerSecond: 10 })],
      2,
    );
    const p2 = rows.find((r) => r.parallelism === 2)!;
    for (const field of ["exchangeBaselineCpuScaling", "cpuScalingToExchangeLoop"] as const) {
      assert.equal(field in p2, false, field);
      assert.equal(field in p2.spread, false, field);
    }
  });

  it("leaves the loop on p threads out of a row measured without it", () => {
    const rows = summarizeThroughput([sample(P1, 0, 6, 10), sample(P2, 0, 9, 10)], 2);
    const p2 = rows.find((r) => r.parallelism === 2)!;
    assert.equal(p2.scalingToP1, 1.5);
    for (const field of ["parallelBaselineEventsPerSecond", "parallelBaselineScaling", "parallelBaselineCpuScaling", "cpuScalingToLoop"] as const) {
      assert.equal(field in p2, false, field);
      assert.equal(field in p2.spread, false, field);
    }
  });

  it("gives each core its share of the rate, and shares the cores when parallelism exceeds them", () => {
    const p2 = sample(P2, 0, 10, 10, { parallelBaselineEventsPerSecond: 10 });
    assert.equal(summarizeThroughput([p2], 2)[0]!.eventsPerSecondPerCore, 5);
    assert.equal(summarizeThroughput([p2], 1)[0]!.eventsPerSecondPerCore, 10);
  });
});
