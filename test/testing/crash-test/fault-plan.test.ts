import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { describePlan, FAULT_KINDS, faultKindsFor, faultPlan, parseFaultKinds } from "../../../src/testing/crash-test/fault-plan.ts";

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
        assert.equal(f.kill, plan.kind === "kill" || plan.kind === "rescale");
      }
      assert.equal(new Set(plan.faults.map((f) => f.marker)).size, plan.faults.length, "each fault has its own marker");
    }
  });

  it("orders two faults: the second is armed by the first one's marker, and half the time hits the first commit after the recovery", () => {
    const seconds = Array.from({ length: 200 }, (_, i) => faultPlan(i, FAULT_KINDS, FACTS)).filter((p) => p.faults.length === 2);
    for (const plan of seconds) assert.equal(plan.faults[1]!.after, plan.faults[0]!.marker);
    const atFirstCommit = seconds.filter((p) => p.faults[1]!.point === "before-commit" && p.faults[1]!.at === 1);
    assert.ok(atFirstCommit.length > seconds.length / 4, `${atFirstCommit.length} of ${seconds.length}`);
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) for (const f of faultPlan(seed, ["user"], FACTS).faults) assert.equal(f.point, "record", "only the kinds given");
  });

  it("with rescale, kills the process and draws a parallelism from 1 to 4 for each resume, some of them another than the job's", () => {
    const plans = Array.from({ length: 40 }, (_, i) => faultPlan(i + 1, ["rescale"], FACTS));
    for (const plan of plans) {
      assert.ok(plan.faults.every((f) => f.kill));
      assert.equal(plan.resumeParallelisms?.length, plan.faults.length);
      assert.ok(plan.resumeParallelisms!.every((p) => Number.isInteger(p) && p >= 1 && p <= 4));
      assert.match(describePlan(plan), /^kill -9 and a rescaled resume (once|twice) \(.*\), resumed at parallelism \d(, then \d)?/);
    }
    assert.deepEqual(new Set(plans.flatMap((p) => p.resumeParallelisms)), new Set([1, 2, 3, 4]));
    assert.equal(faultPlan(1, ["kill"], FACTS).resumeParallelisms, undefined, "a plain kill resumes as the job ran");
  });

  it("keeps a given checkpoint interval, and gives lost acknowledgements a short timeout", () => {
    const plan = faultPlan(3, ["lose-ack"], { recordsPerThread: 100, checkpointIntervalMs: 250 });
    assert.equal(plan.checkpointIntervalMs, 250);
    assert.ok(plan.checkpointTimeoutMs < 60_000);
  });

  it("tolerates checkpoint failures only when acknowledgements are lost, so that checkpoints outlasting the short timeout on a busy machine do not restart the job in a loop", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const plan = faultPlan(seed, FAULT_KINDS, { recordsPerThread: 1000, checkpointIntervalMs: undefined });
      assert.equal(plan.tolerableCheckpointFailures, plan.kind === "lose-ack" ? Infinity : 0, `seed ${seed}: ${plan.kind}`);
    }
  });

  it("slows snapshot storage down in some runs and not in others, by a few milliseconds a key group", () => {
    const delays = Array.from({ length: 30 }, (_, i) => faultPlan(i + 1, FAULT_KINDS, { recordsPerThread: 1000, checkpointIntervalMs: undefined }).snapshotStepDelayMs);
    assert.ok(delays.includes(0), "some runs write at full speed");
    assert.ok(delays.some((d) => d > 0), "some runs write slowly");
    assert.ok(delays.every((d) => d >= 0 && d <= 4));
  });

  it("makes restored sources wait for a checkpoint, at most four intervals, in some runs and not in others", () => {
    const plans = Array.from({ length: 30 }, (_, i) => faultPlan(i + 1, FAULT_KINDS, { recordsPerThread: 1000, checkpointIntervalMs: undefined }));
    assert.ok(plans.some((p) => p.restoredSourceDelayMs === 0));
    assert.ok(plans.some((p) => p.restoredSourceDelayMs > 0));
    for (const p of plans) assert.ok(p.restoredSourceDelayMs === 0 || p.restoredSourceDelayMs === 4 * p.checkpointIntervalMs);
  });

  it("describes a plan in words", () => {
    const plan = { seed: 1, kind: "kill" as const, checkpointIntervalMs: 50, checkpointTimeoutMs: 60_000, tolerableCheckpointFailures: 0, snapshotStepDelayMs: 0, restoredSourceDelayMs: 0, faults: [{ point: "record" as const, at: 12, kill: true, marker: "fault-1" }, { point: "before-commit" as const, at: 1, kill: true, marker: "fault-2" }] };
    assert.equal(describePlan(plan), "kill -9 twice (at record 12, then before-commit 1)");
    assert.equal(describePlan({ ...plan, snapshotStepDelayMs: 3 }), "kill -9 twice (at record 12, then before-commit 1), snapshots written slowly (3 ms a key group)");
    const user = { ...plan, kind: "user" as const, faults: [{ ...plan.faults[0]!, kill: false }, { ...plan.faults[1]!, kill: false }] };
    assert.equal(describePlan(user), "exception in a user function twice (at record 12, then before-commit passage 1)");
    assert.equal(describePlan({ ...plan, restoredSourceDelayMs: 100 }), "kill -9 twice (at record 12, then before-commit 1), restored sources idle until a checkpoint (at most 100 ms)");
  });
});

describe("parseFaultKinds", () => {
  it("reads a comma-separated list and refuses unknown kinds, naming the known ones", () => {
    assert.deepEqual(parseFaultKinds("user, kill"), ["user", "kill"]);
    assert.throws(() => parseFaultKinds("user,oom"), /unknown fault 'oom': choose from user, snapshot-sync/);
  });
});

describe("faultKindsFor", () => {
  it("draws every kind by default, and all but rescale under unaligned checkpoints, which restore only at their own parallelism", () => {
    assert.deepEqual(faultKindsFor(undefined, false), FAULT_KINDS);
    assert.deepEqual(faultKindsFor(undefined, true), FAULT_KINDS.filter((k) => k !== "rescale"));
    assert.deepEqual(faultKindsFor(["kill", "user"], true), ["kill", "user"]);
    assert.deepEqual(faultKindsFor(["rescale"], false), ["rescale"]);
    assert.throws(() => faultKindsFor(["kill", "rescale"], true), { code: "WEIR_ERR_INVALID_ARGUMENT", message: /rescale.*unaligned/ });
  });
});
