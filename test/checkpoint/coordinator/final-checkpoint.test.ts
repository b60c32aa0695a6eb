import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TASKS, complete, id, setup, summary, tickAt } from "./harness.ts";

describe("the final checkpoint", () => {
  it("starts at once when the input ended, and completing it stops the coordinator", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000 });
    clock.set(300);
    assert.deepEqual(summary(coordinator.requestFinalCheckpoint()), ["trigger 1"]);
    assert.equal(coordinator.finalCheckpointRequested, true);
    assert.deepEqual(complete(coordinator, 1), ["complete 1 final"]);
    assert.equal(coordinator.phase, "stopped");
    assert.deepEqual(tickAt(clock, coordinator, 10_000), []);
  });

  it("waits for a free slot when maxConcurrent checkpoints are pending; an older checkpoint completing is not final", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000 });
    assert.deepEqual(tickAt(clock, coordinator, 1_000), ["trigger 1"]);
    assert.deepEqual(summary(coordinator.requestFinalCheckpoint()), []);
    assert.deepEqual(complete(coordinator, 1), ["complete 1", "trigger 2"]);
    assert.deepEqual(complete(coordinator, 2), ["complete 2 final", "discard 1"]);
  });

  it("an aborted final checkpoint is retried one interval after its trigger, not at once, however often it fails", () => {
    const { clock, coordinator } = setup({ intervalMs: 50, timeoutMs: 10_000, tolerableFailures: 1_000 });
    clock.set(1_000);
    const triggers: number[] = [];
    assert.deepEqual(summary(coordinator.requestFinalCheckpoint()), ["trigger 1"]);
    triggers.push(clock.now());
    for (let n = 1; n <= 5; n++) {
      clock.advance(1);
      assert.deepEqual(summary(coordinator.decline(id(n), TASKS[0]!, "cannot write")), [`abort ${n} declined`], "no trigger at the abort");
      assert.deepEqual(summary(coordinator.tick()), []);
      assert.equal(coordinator.nextWakeUp(), triggers.at(-1)! + 50);
      assert.deepEqual(tickAt(clock, coordinator, triggers.at(-1)! + 49), []);
      assert.deepEqual(tickAt(clock, coordinator, triggers.at(-1)! + 50), [`trigger ${n + 1}`]);
      triggers.push(clock.now());
    }
    assert.deepEqual(complete(coordinator, 6), ["complete 6 final"]);
    assert.equal(coordinator.stats.counts().triggered, 6);
  });

  it("a retry also keeps the minimum pause after the abort", () => {
    const { clock, coordinator } = setup({ intervalMs: 50, minPauseMs: 200, timeoutMs: 100, tolerableFailures: 5 });
    clock.set(1_000);
    coordinator.requestFinalCheckpoint();
    assert.deepEqual(tickAt(clock, coordinator, 1_100), ["abort 1 expired"]);
    assert.equal(coordinator.nextWakeUp(), 1_300);
    assert.deepEqual(tickAt(clock, coordinator, 1_299), []);
    assert.deepEqual(tickAt(clock, coordinator, 1_300), ["trigger 2"]);
  });

  it("is forgotten by resume after a task failure: periodic checkpoints come back and none is final", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000 });
    clock.set(500);
    coordinator.requestFinalCheckpoint();
    assert.deepEqual(summary(coordinator.taskFailed()), ["abort 1 task-failure"]);
    coordinator.resume();
    assert.equal(coordinator.finalCheckpointRequested, false);
    assert.deepEqual(tickAt(clock, coordinator, 1_500), ["trigger 2"]);
    assert.deepEqual(complete(coordinator, 2), ["complete 2"]);
    assert.equal(coordinator.phase, "running");
  });

  it("is not retried when its failure fails the job", () => {
    const { clock, coordinator } = setup({ intervalMs: 50, tolerableFailures: 0 });
    coordinator.requestFinalCheckpoint();
    assert.deepEqual(summary(coordinator.decline(id(1), TASKS[0]!, "cannot write")), ["abort 1 declined", "fail-job"]);
    assert.deepEqual(tickAt(clock, coordinator, 5_000), []);
  });
});
