import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { acknowledgeAll, complete, id, setup, summary, tickAt, TASKS } from "./harness.ts";

describe("triggerSavepoint", () => {
  it("starts a savepoint at once even while maxConcurrent checkpoints are pending, and marks its decisions", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, maxConcurrent: 1 });
    tickAt(clock, coordinator, 1_000);
    clock.set(1_100);
    const { outcome, decisions } = coordinator.triggerSavepoint("savepoint");
    assert.deepEqual(outcome, { kind: "triggered", checkpointId: 2 });
    assert.deepEqual(decisions, [{ kind: "trigger", checkpointId: id(2), timestamp: 1_100, cause: "manual", savepoint: "savepoint" }]);
    assert.equal(coordinator.stats.get(id(2))?.savepoint, "savepoint");
  });

  it("neither subsumes an older checkpoint nor is retained, and leaves the periodic schedule alone", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, maxConcurrent: 1, retained: 1 });
    tickAt(clock, coordinator, 1_000);
    clock.set(1_100);
    coordinator.triggerSavepoint("savepoint");
    acknowledgeAll(coordinator, 2);
    const done = coordinator.persisted(id(2));
    assert.deepEqual(summary(done), ["complete 2"]);
    assert.equal(done[0]!.kind === "complete" && done[0]!.savepoint, "savepoint");
    assert.deepEqual(coordinator.pendingCheckpoints().map((p) => p.id), [1], "checkpoint 1 is still pending");
    assert.deepEqual(complete(coordinator, 1), ["complete 1"]);
    assert.deepEqual(coordinator.retainedCheckpoints, [1]);
    assert.deepEqual(tickAt(clock, coordinator, 2_000), ["trigger 3"], "due one interval after checkpoint 1, as if no savepoint had run");
  });

  it("is not subsumed when a newer checkpoint completes first", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, maxConcurrent: 1 });
    clock.set(500);
    coordinator.triggerSavepoint("savepoint");
    tickAt(clock, coordinator, 1_000);
    assert.deepEqual(complete(coordinator, 2), ["complete 2"]);
    assert.deepEqual(complete(coordinator, 1), ["complete 1"]);
  });

  it("fails without counting toward the tolerable checkpoint failures", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, tolerableFailures: 0 });
    clock.set(100);
    coordinator.triggerSavepoint("savepoint");
    const declined = coordinator.decline(id(1), TASKS[0]!, "disk full");
    assert.deepEqual(summary(declined), ["abort 1 declined"]);
    assert.equal(coordinator.consecutiveFailures, 0);
    assert.equal(coordinator.phase, "running");
  });

  it("with savepoint-suspend, completes as final and stops the coordinator, and refuses further savepoints while pending", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000 });
    clock.set(100);
    coordinator.triggerSavepoint("savepoint-suspend");
    assert.equal(coordinator.stopping, true);
    assert.deepEqual(coordinator.triggerSavepoint("savepoint").outcome, { kind: "rejected", reason: { kind: "job-stopping" } });
    assert.deepEqual(complete(coordinator, 1), ["complete 1 final"]);
    assert.equal(coordinator.phase, "stopped");
    assert.deepEqual(coordinator.retainedCheckpoints, []);
  });

  it("with savepoint-suspend aborted, leaves the coordinator running so the job goes on", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, timeoutMs: 200 });
    clock.set(100);
    coordinator.triggerSavepoint("savepoint-suspend");
    assert.deepEqual(tickAt(clock, coordinator, 300), ["abort 1 expired"]);
    assert.equal(coordinator.phase, "running");
    assert.equal(coordinator.stopping, false);
    assert.deepEqual(coordinator.triggerSavepoint("savepoint").outcome, { kind: "triggered", checkpointId: 2 });
  });

  it("with savepoint-suspend pending, starts no periodic or manual checkpoint, and starts them again once it failed", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, timeoutMs: 5_000 });
    clock.set(500);
    coordinator.triggerSavepoint("savepoint-suspend");
    assert.deepEqual(tickAt(clock, coordinator, 1_000), [], "no periodic checkpoint after the stop's savepoint");
    assert.deepEqual(coordinator.triggerNow().outcome, { kind: "rejected", reason: { kind: "job-stopping" } });
    assert.deepEqual(summary(coordinator.decline(id(1), TASKS[0]!, "disk full")), ["abort 1 declined", "trigger 2"], "the schedule goes on after a failed stop");
  });

  it("is refused while the coordinator is suspended", () => {
    const { clock, coordinator } = setup();
    clock.set(100);
    coordinator.taskFailed();
    assert.deepEqual(coordinator.triggerSavepoint("savepoint").outcome, { kind: "rejected", reason: { kind: "not-running", phase: "suspended" } });
  });
});

describe("requestFinalCheckpoint with savepoint-terminate (stop with drain)", () => {
  it("takes the final checkpoint as a savepoint at once, and takes it again as one after an abort", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, maxConcurrent: 1, timeoutMs: 300, tolerableFailures: 5 });
    tickAt(clock, coordinator, 1_000);
    clock.set(1_100);
    const decisions = coordinator.requestFinalCheckpoint("savepoint-terminate");
    assert.deepEqual(decisions, [{ kind: "trigger", checkpointId: id(2), timestamp: 1_100, cause: "manual", savepoint: "savepoint-terminate" }]);
    assert.deepEqual(tickAt(clock, coordinator, 1_400), ["abort 1 expired", "abort 2 expired"]);
    const retry = coordinator.tick();
    clock.set(2_100);
    const retried = [...retry, ...coordinator.tick()].filter((d) => d.kind === "trigger");
    assert.deepEqual(retried, [{ kind: "trigger", checkpointId: id(3), timestamp: 2_100, cause: "manual", savepoint: "savepoint-terminate" }]);
    assert.deepEqual(complete(coordinator, 3), ["complete 3 final"]);
    assert.equal(coordinator.phase, "stopped");
  });
});
