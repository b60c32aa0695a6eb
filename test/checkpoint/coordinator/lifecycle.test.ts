import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { acknowledgeAll, complete, id, setup, STATS, summary, tickAt, TASKS } from "./harness.ts";
import { WeirError } from "../../../src/core/errors.ts";

describe("task failure and resume", () => {
  it("a task failure aborts the checkpoints collecting acknowledgements and suspends triggering", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, maxConcurrent: 2 });
    tickAt(clock, coordinator, 1_000);
    tickAt(clock, coordinator, 2_000);
    assert.deepEqual(summary(coordinator.taskFailed()), ["abort 1 task-failure", "abort 2 task-failure"]);
    assert.equal(coordinator.phase, "suspended");
    assert.deepEqual(tickAt(clock, coordinator, 10_000), []);
  });

  it("a checkpoint persisting its metadata survives a task failure and still completes", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, maxConcurrent: 2 });
    tickAt(clock, coordinator, 1_000);
    tickAt(clock, coordinator, 2_000);
    acknowledgeAll(coordinator, 1);
    assert.deepEqual(summary(coordinator.taskFailed()), ["abort 2 task-failure"]);
    assert.deepEqual(summary(coordinator.persisted(id(1))), ["complete 1"]);
  });

  it("resume starts the periodic schedule over, one interval from now", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000 });
    tickAt(clock, coordinator, 1_000);
    coordinator.taskFailed();
    clock.set(5_300);
    assert.deepEqual(coordinator.resume(), []);
    assert.equal(coordinator.phase, "running");
    assert.equal(coordinator.nextWakeUp(), 6_300);
    assert.deepEqual(tickAt(clock, coordinator, 6_299), []);
    assert.deepEqual(tickAt(clock, coordinator, 6_300), ["trigger 2"]);
  });

  it("a second task failure while suspended aborts nothing more", () => {
    const { clock, coordinator } = setup();
    tickAt(clock, coordinator, 1_000);
    coordinator.taskFailed();
    assert.deepEqual(coordinator.taskFailed(), []);
  });

  it("resume while running changes nothing", () => {
    const { clock, coordinator } = setup();
    tickAt(clock, coordinator, 1_000);
    assert.deepEqual(coordinator.resume(), []);
    assert.equal(coordinator.pendingCheckpoints().length, 1);
    assert.equal(coordinator.nextWakeUp(), 601_000);
  });

  it("acknowledgements for checkpoints aborted by the failure are discarded", () => {
    const { clock, coordinator } = setup();
    tickAt(clock, coordinator, 1_000);
    coordinator.taskFailed();
    assert.deepEqual(coordinator.acknowledge(id(1), TASKS[0]!, STATS).outcome, { kind: "discarded" });
  });
});

describe("stop", () => {
  it("aborts the checkpoints collecting acknowledgements and never triggers again", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000 });
    tickAt(clock, coordinator, 1_000);
    assert.deepEqual(summary(coordinator.stop()), ["abort 1 job-stopping"]);
    assert.equal(coordinator.phase, "stopped");
    assert.deepEqual(tickAt(clock, coordinator, 100_000), []);
    assert.equal(coordinator.nextWakeUp(), undefined);
    assert.deepEqual(coordinator.stop(), []);
  });

  it("is final: resume after stop is an internal error", () => {
    const { coordinator } = setup();
    coordinator.stop();
    assert.throws(() => coordinator.resume(), (error: unknown) => error instanceof WeirError && error.code === "WEIR_ERR_INTERNAL");
  });

  it("a checkpoint persisting its metadata still completes after stop", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000 });
    tickAt(clock, coordinator, 1_000);
    acknowledgeAll(coordinator, 1);
    assert.deepEqual(coordinator.stop(), []);
    assert.deepEqual(summary(coordinator.persisted(id(1))), ["complete 1"]);
  });

  it("a final checkpoint requested before stopping completes like any other", () => {
    const { clock, coordinator } = setup({ intervalMs: 60_000 });
    clock.set(500);
    assert.deepEqual(coordinator.triggerNow().outcome, { kind: "triggered", checkpointId: 1 });
    assert.deepEqual(complete(coordinator, 1), ["complete 1"]);
    assert.deepEqual(coordinator.stop(), []);
  });
});
