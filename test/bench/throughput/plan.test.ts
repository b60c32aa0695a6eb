import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ENGINE_CONFIGS, throughputPlan, type Step } from "../../../bench/throughput/plan.ts";

const label = (s: Step): string => (s.kind === "warm-up" ? `warm-up ${s.query}` : `${s.kind} ${s.query} r${s.rep} p${s.config.parallelism}${s.config.objectReuse ? " reuse" : ""}`);

describe("throughputPlan", () => {
  it("warms the loop up before its first measured run of each query", () => {
    const steps = throughputPlan(["q0", "keyed-count"], 2);
    for (const query of ["q0", "keyed-count"] as const) {
      const ofQuery = steps.filter((s) => s.query === query);
      assert.equal(ofQuery[0]!.kind, "warm-up");
      assert.equal(ofQuery.filter((s) => s.kind === "warm-up").length, 1);
    }
  });

  it("runs the loop just before every engine run, alternating one with the other", () => {
    const steps = throughputPlan(["q1"], 1, [
      { parallelism: 1, objectReuse: false },
      { parallelism: 2, objectReuse: true },
    ]);
    assert.deepEqual(steps.map(label), [
      "warm-up q1",
      "baseline q1 r0 p1",
      "engine q1 r0 p1",
      "baseline q1 r0 p2 reuse",
      "parallel-baseline q1 r0 p2 reuse",
      "engine q1 r0 p2 reuse",
    ]);
  });

  it("runs no loop on p threads for q3, a join whose pairs a split by event would tear apart", () => {
    const steps = throughputPlan(["q3", "q0"], 1);
    assert.equal(steps.filter((s) => s.kind === "parallel-baseline" && s.query === "q3").length, 0);
    assert.equal(steps.filter((s) => s.kind === "engine" && s.query === "q3").length, ENGINE_CONFIGS.length);
    assert.ok(steps.some((s) => s.kind === "parallel-baseline" && s.query === "q0"));
  });

  it("measures every configuration once in each repetition", () => {
    const steps = throughputPlan(["q2"], 5);
    for (let rep = 0; rep < 5; rep++) {
      const engine = steps.filter((s) => s.kind === "engine" && s.rep === rep);
      assert.deepEqual(
        engine.map((s) => (s.kind === "warm-up" ? undefined : s.config)),
        ENGINE_CONFIGS,
      );
    }
  });

  it("reports protected and object-reuse rows at parallelism 1 and 2 by default", () => {
    assert.deepEqual(
      ENGINE_CONFIGS.map((c) => `${c.parallelism}:${c.objectReuse}`).sort(),
      ["1:false", "1:true", "2:false", "2:true"],
    );
  });
});
