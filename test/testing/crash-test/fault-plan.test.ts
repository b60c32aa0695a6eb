import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { describePlan, FAULT_KINDS, faultPlan, parseFaultKinds } from "../../../src/testing/crash-test/fault-plan.ts";

const FACTS = { recordsPerThread: 10_000, checkpointIntervalMs: undefined };

describe("faultPlan", () => {
  it("is the same for the same seed, which is what makes a run replayable", () => {
    for (let seed = 1; seed <= 20; seed++) assert.deepEqual(faultPlan(seed, FAULT_KINDS, FACTS), faultPlan(seed, FAULT_KINDS, FACTS));
  });

  it("draws every kind of fault over a few seeds, only from the kinds given", () => {
    const kinds = new Set(Array.from({ length: 60 }, (_, i) => faultPlan(i, FAULT_KINDS, FACTS).kind));
    assert.deepEqual([...kinds].sort(), [...FAULT_KINDS].sort());
    for (let seed = 0; seed < 20; seed++) assert.equal(faultPlan(seed, ["kill"], FACTS).kind, "kill");
  });

  it("places record faults within the records a thread handles, and kills kill", () => {
    for (let seed = 0; seed < 50; seed++) {
      const plan = faultPlan(seed, ["user", "kill"], FACTS);
      assert.ok(plan.faults.length === 1 || plan.faults.length === 2);
      for (const f of plan.faults) {
        if (f.point === "record") assert.ok(f.at >= 1 && f.at <= 9_000, `record ${f.at}`);
        assert.equal(f.kill, plan.kind === "kill");
      }
      assert.equal(new Set(plan.faults.map((f) => f.marker)).size, plan.faults.length, "each fault has its own marker");
    }
  });

  it("keeps a given checkpoint interval, and gives lost acknowledgements a short timeout", () => {
    const plan = faultPlan(3, ["lose-ack"], { recordsPerThread: 100, checkpointIntervalMs: 250 });
    assert.equal(plan.checkpointIntervalMs, 250);
    assert.ok(plan.checkpointTimeoutMs < 60_000);
  });

  it("describes a plan in words", () => {
    const plan = { seed: 1, kind: "kill" as const, checkpointIntervalMs: 50, checkpointTimeoutMs: 60_000, faults: [{ point: "record" as const, at: 12, kill: true, marker: "fault-1" }, { point: "before-commit" as const, at: 1, kill: true, marker: "fault-2" }] };
    assert.equal(describePlan(plan), "kill -9 twice (at record 12, then before-commit 1)");
  });
});

describe("parseFaultKinds", () => {
  it("reads a comma-separated list and refuses unknown kinds, naming the known ones", () => {
    assert.deepEqual(parseFaultKinds("user, kill"), ["user", "kill"]);
    assert.throws(() => parseFaultKinds("user,oom"), /unknown fault 'oom': choose from user, snapshot-sync/);
  });
});
