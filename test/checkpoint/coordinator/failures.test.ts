import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { acknowledgeAll, complete, id, setup, STATS, summary, tickAt, TASKS } from "./harness.ts";

describe("timeouts", () => {
  it("a checkpoint not acknowledged by every task within the timeout expires and is aborted", () => {
    const { clock, coordinator } = setup({ intervalMs: 10_000, timeoutMs: 5_000, tolerableFailures: 1 });
    tickAt(clock, coordinator, 10_000);
    coordinator.acknowledge(id(1), TASKS[0]!, STATS);
    assert.deepEqual(tickAt(clock, coordinator, 14_999), []);
    clock.set(15_000);
    assert.deepEqual(coordinator.tick(), [{ kind: "abort", checkpointId: id(1), reason: { kind: "expired", timeoutMs: 5_000 } }]);
    assert.deepEqual(coordinator.pendingCheckpoints(), []);
  });

  it("an acknowledgement arriving at the deadline finds the checkpoint expired", () => {
    const { clock, coordinator } = setup({ intervalMs: 10_000, timeoutMs: 5_000, tolerableFailures: 1 });
    tickAt(clock, coordinator, 10_000);
    clock.set(15_000);
    const { outcome, decisions } = coordinator.acknowledge(id(1), TASKS[0]!, STATS);
    assert.deepEqual(outcome, { kind: "discarded" });
    assert.deepEqual(summary(decisions), ["abort 1 expired"]);
  });

  it("an expired checkpoint counts as a failure", () => {
    const { clock, coordinator } = setup({ intervalMs: 10_000, timeoutMs: 5_000, tolerableFailures: 0 });
    tickAt(clock, coordinator, 10_000);
    assert.deepEqual(tickAt(clock, coordinator, 15_000), ["abort 1 expired", "fail-job"]);
  });

  it("a checkpoint persisting its metadata does not expire", () => {
    const { clock, coordinator } = setup({ intervalMs: 10_000, timeoutMs: 5_000 });
    tickAt(clock, coordinator, 10_000);
    acknowledgeAll(coordinator, 1);
    assert.deepEqual(tickAt(clock, coordinator, 60_000), []);
    assert.deepEqual(summary(coordinator.persisted(id(1))), ["complete 1", "trigger 2"]);
  });
});

describe("tolerable failures", () => {
  it("failures in a row beyond tolerableFailures fail the job", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, tolerableFailures: 2 });
    const results: string[][] = [];
    for (const n of [1, 2, 3]) {
      tickAt(clock, coordinator, n * 1_000);
      results.push(summary(coordinator.decline(id(n), TASKS[0]!, "no space")));
    }
    assert.deepEqual(results, [["abort 1 declined"], ["abort 2 declined"], ["abort 3 declined", "fail-job"]]);
  });

  it("the fail-job decision names the failure that went over the limit and the counts", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, tolerableFailures: 1 });
    tickAt(clock, coordinator, 1_000);
    coordinator.decline(id(1), TASKS[0]!, "no space");
    tickAt(clock, coordinator, 2_000);
    const failJob = coordinator.decline(id(2), TASKS[1]!, "disk gone").find((d) => d.kind === "fail-job");
    assert.deepEqual(failJob, {
      kind: "fail-job",
      reason: "checkpoint 2 failed (task 0:1 declined it: disk gone): 2 checkpoint failure(s) in a row, more than the 1 tolerated",
      consecutiveFailures: 2,
      tolerableFailures: 1,
      lastFailure: { checkpointId: id(2), reason: { kind: "declined", taskId: TASKS[1]!, message: "disk gone" } },
    });
  });

  it("a completed checkpoint resets the failure count", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, tolerableFailures: 1 });
    tickAt(clock, coordinator, 1_000);
    coordinator.decline(id(1), TASKS[0]!, "x");
    tickAt(clock, coordinator, 2_000);
    assert.deepEqual(complete(coordinator, 2), ["complete 2"]);
    assert.equal(coordinator.consecutiveFailures, 0);
    tickAt(clock, coordinator, 3_000);
    assert.deepEqual(summary(coordinator.decline(id(3), TASKS[0]!, "x")), ["abort 3 declined"]);
    tickAt(clock, coordinator, 4_000);
    assert.deepEqual(summary(coordinator.decline(id(4), TASKS[0]!, "x")), ["abort 4 declined", "fail-job"]);
  });

  it("a failed metadata write counts as a failure and carries the error", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, tolerableFailures: 0 });
    tickAt(clock, coordinator, 1_000);
    acknowledgeAll(coordinator, 1);
    const decisions = coordinator.persistFailed(id(1), new Error("ENOSPC"));
    assert.deepEqual(summary(decisions), ["abort 1 persist-failed", "fail-job"]);
    assert.deepEqual(decisions[0], { kind: "abort", checkpointId: id(1), reason: { kind: "persist-failed", message: "Error: ENOSPC" } });
  });

  it("aborts caused by a task failure or a stop do not count", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, tolerableFailures: 0 });
    tickAt(clock, coordinator, 1_000);
    assert.deepEqual(summary(coordinator.taskFailed()), ["abort 1 task-failure"]);
    coordinator.resume();
    tickAt(clock, coordinator, 2_000);
    assert.deepEqual(summary(coordinator.stop()), ["abort 2 job-stopping"]);
    assert.equal(coordinator.consecutiveFailures, 0);
  });

  it("failing the job aborts the other pending checkpoints and suspends checkpointing", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, maxConcurrent: 2, tolerableFailures: 0 });
    tickAt(clock, coordinator, 1_000);
    tickAt(clock, coordinator, 2_000);
    assert.deepEqual(summary(coordinator.decline(id(1), TASKS[0]!, "x")), ["abort 1 declined", "fail-job", "abort 2 job-failing"]);
    assert.equal(coordinator.phase, "suspended");
    assert.deepEqual(tickAt(clock, coordinator, 10_000), []);
  });

  it("after the coordinator failed the job, the restarted job gets a fresh allowance", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, tolerableFailures: 1 });
    tickAt(clock, coordinator, 1_000);
    coordinator.decline(id(1), TASKS[0]!, "x");
    tickAt(clock, coordinator, 2_000);
    assert.ok(summary(coordinator.decline(id(2), TASKS[0]!, "x")).includes("fail-job"));
    coordinator.resume();
    tickAt(clock, coordinator, 3_000);
    assert.deepEqual(summary(coordinator.decline(id(3), TASKS[0]!, "x")), ["abort 3 declined"]);
  });

  it("a failure while suspended is not counted", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, tolerableFailures: 0 });
    tickAt(clock, coordinator, 1_000);
    acknowledgeAll(coordinator, 1);
    coordinator.taskFailed();
    assert.deepEqual(summary(coordinator.persistFailed(id(1), "io")), ["abort 1 persist-failed"]);
    assert.equal(coordinator.consecutiveFailures, 0);
  });

  it("with an unlimited tolerance, failures never fail the job", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, tolerableFailures: Number.POSITIVE_INFINITY });
    for (let n = 1; n <= 50; n++) {
      tickAt(clock, coordinator, n * 1_000);
      assert.deepEqual(summary(coordinator.decline(id(n), TASKS[0]!, "x")), [`abort ${n} declined`]);
    }
  });

  it("two checkpoints expiring at once are counted one after the other", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, timeoutMs: 5_000, maxConcurrent: 2, tolerableFailures: 1 });
    tickAt(clock, coordinator, 1_000);
    tickAt(clock, coordinator, 2_000);
    assert.deepEqual(tickAt(clock, coordinator, 7_000), ["abort 1 expired", "abort 2 expired", "fail-job"]);
  });
});
