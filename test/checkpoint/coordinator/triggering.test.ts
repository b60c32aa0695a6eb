import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { complete, id, setup, summary, tickAt, TASKS } from "./harness.ts";

describe("periodic triggering", () => {
  it("no checkpoint is triggered before one interval has passed since the start", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000 });
    assert.deepEqual(tickAt(clock, coordinator, 999), []);
    assert.deepEqual(tickAt(clock, coordinator, 1_000), ["trigger 1"]);
  });

  it("a trigger carries the clock's time as its timestamp and says it is periodic", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000 });
    clock.set(1_234);
    assert.deepEqual(coordinator.tick(), [{ kind: "trigger", checkpointId: id(1), timestamp: 1_234, cause: "periodic" }]);
  });

  it("the next periodic checkpoint is due one interval after the previous trigger", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000 });
    tickAt(clock, coordinator, 1_000);
    clock.set(1_300);
    complete(coordinator, 1);
    assert.deepEqual(tickAt(clock, coordinator, 1_999), []);
    assert.deepEqual(tickAt(clock, coordinator, 2_000), ["trigger 2"]);
  });

  it("the minimum pause holds the next trigger until that long after the last checkpoint completed", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, minPauseMs: 500 });
    tickAt(clock, coordinator, 1_000);
    clock.set(1_800);
    complete(coordinator, 1);
    assert.deepEqual(tickAt(clock, coordinator, 2_000), []);
    assert.deepEqual(tickAt(clock, coordinator, 2_299), []);
    assert.deepEqual(tickAt(clock, coordinator, 2_300), ["trigger 2"]);
  });

  it("the minimum pause also counts from an abort", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, minPauseMs: 500, tolerableFailures: 5 });
    tickAt(clock, coordinator, 1_000);
    clock.set(1_900);
    assert.deepEqual(summary(coordinator.decline(id(1), TASKS[0]!, "no space")), ["abort 1 declined"]);
    assert.deepEqual(tickAt(clock, coordinator, 2_399), []);
    assert.deepEqual(tickAt(clock, coordinator, 2_400), ["trigger 2"]);
  });

  it("no more than maxConcurrent checkpoints are pending at once", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, maxConcurrent: 2 });
    assert.deepEqual(tickAt(clock, coordinator, 1_000), ["trigger 1"]);
    assert.deepEqual(tickAt(clock, coordinator, 2_000), ["trigger 2"]);
    assert.deepEqual(tickAt(clock, coordinator, 3_000), []);
    assert.deepEqual(tickAt(clock, coordinator, 4_000), []);
    assert.deepEqual(coordinator.pendingCheckpoints().map((p) => p.id), [1, 2]);
  });

  it("a periodic checkpoint held back by maxConcurrent is triggered as soon as a slot frees", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000 });
    tickAt(clock, coordinator, 1_000);
    assert.deepEqual(tickAt(clock, coordinator, 2_000), []);
    clock.set(2_500);
    assert.deepEqual(complete(coordinator, 1), ["complete 1", "trigger 2"]);
  });

  it("checkpoint ids start at the first checkpoint id and strictly increase, aborted or not", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, tolerableFailures: 10 }, { firstCheckpointId: id(8) });
    assert.equal(coordinator.nextCheckpointId, 8);
    assert.deepEqual(tickAt(clock, coordinator, 1_000), ["trigger 8"]);
    coordinator.decline(id(8), TASKS[1]!, "busy");
    assert.deepEqual(tickAt(clock, coordinator, 2_000), ["trigger 9"]);
    clock.set(2_100);
    complete(coordinator, 9);
    assert.deepEqual(tickAt(clock, coordinator, 3_000), ["trigger 10"]);
    assert.equal(coordinator.nextCheckpointId, 11);
  });
});

describe("nextWakeUp", () => {
  it("is the first periodic trigger at the start", () => {
    const { coordinator } = setup({ intervalMs: 1_000 });
    assert.equal(coordinator.nextWakeUp(), 1_000);
  });

  it("is the earliest timeout while no slot is free", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, timeoutMs: 5_000 });
    tickAt(clock, coordinator, 1_000);
    assert.equal(coordinator.nextWakeUp(), 6_000);
  });

  it("is the earlier of the next trigger and the earliest timeout while a slot is free", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, timeoutMs: 5_000, maxConcurrent: 2 });
    tickAt(clock, coordinator, 1_000);
    assert.equal(coordinator.nextWakeUp(), 2_000);
    tickAt(clock, coordinator, 2_000);
    assert.equal(coordinator.nextWakeUp(), 6_000);
  });

  it("accounts for the minimum pause", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, minPauseMs: 500 });
    tickAt(clock, coordinator, 1_000);
    clock.set(1_800);
    complete(coordinator, 1);
    assert.equal(coordinator.nextWakeUp(), 2_300);
  });

  it("is undefined while suspended with nothing pending, since only a fact can change anything", () => {
    const { clock, coordinator } = setup();
    tickAt(clock, coordinator, 1_000);
    coordinator.taskFailed();
    assert.equal(coordinator.nextWakeUp(), undefined);
  });

  it("ignores checkpoints persisting their metadata, which do not expire", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, timeoutMs: 5_000 });
    tickAt(clock, coordinator, 1_000);
    for (const task of TASKS) coordinator.acknowledge(id(1), task, { syncDurationMs: 0, asyncDurationMs: 0, alignmentDurationMs: 0, bytes: 0 });
    coordinator.taskFailed();
    assert.equal(coordinator.nextWakeUp(), undefined);
    assert.deepEqual(tickAt(clock, coordinator, 60_000), []);
    assert.deepEqual(summary(coordinator.persisted(id(1))), ["complete 1"]);
  });
});
