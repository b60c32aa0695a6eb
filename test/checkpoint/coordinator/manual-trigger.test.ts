import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { complete, id, setup, summary, tickAt, TASKS } from "./harness.ts";

describe("triggerNow", () => {
  it("starts a checkpoint at once, before the interval has passed", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000 });
    clock.set(10);
    const { outcome, decisions } = coordinator.triggerNow();
    assert.deepEqual(outcome, { kind: "triggered", checkpointId: 1 });
    assert.deepEqual(decisions, [{ kind: "trigger", checkpointId: id(1), timestamp: 10, cause: "manual" }]);
  });

  it("ignores the minimum pause", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, minPauseMs: 10_000 });
    tickAt(clock, coordinator, 1_000);
    clock.set(1_100);
    complete(coordinator, 1);
    clock.set(1_101);
    assert.deepEqual(coordinator.triggerNow().outcome, { kind: "triggered", checkpointId: 2 });
  });

  it("restarts the periodic interval", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, maxConcurrent: 2 });
    clock.set(500);
    coordinator.triggerNow();
    assert.deepEqual(tickAt(clock, coordinator, 1_000), []);
    assert.deepEqual(tickAt(clock, coordinator, 1_500), ["trigger 2"]);
  });

  it("queues while maxConcurrent checkpoints are pending, and triggers when a slot frees", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, minPauseMs: 10_000, tolerableFailures: 1 });
    tickAt(clock, coordinator, 1_000);
    clock.set(1_100);
    const { outcome, decisions } = coordinator.triggerNow();
    assert.deepEqual(outcome, { kind: "queued" });
    assert.deepEqual(decisions, []);
    clock.set(1_200);
    const freed = coordinator.decline(id(1), TASKS[0]!, "disk full");
    assert.deepEqual(summary(freed), ["abort 1 declined", "trigger 2"]);
    assert.deepEqual(freed.at(-1), { kind: "trigger", checkpointId: id(2), timestamp: 1_200, cause: "manual" });
  });

  it("requests queued together are served by one checkpoint", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000 });
    tickAt(clock, coordinator, 1_000);
    assert.deepEqual(coordinator.triggerNow().outcome, { kind: "queued" });
    assert.deepEqual(coordinator.triggerNow().outcome, { kind: "queued" });
    clock.set(1_500);
    assert.deepEqual(complete(coordinator, 1), ["complete 1", "trigger 2"]);
    clock.set(1_600);
    complete(coordinator, 2);
    assert.deepEqual(tickAt(clock, coordinator, 2_000), []);
  });

  it("with whenBusy 'reject' refuses instead of queueing, naming the limit", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, maxConcurrent: 1 });
    tickAt(clock, coordinator, 1_000);
    const { outcome, decisions } = coordinator.triggerNow({ whenBusy: "reject" });
    assert.deepEqual(outcome, { kind: "rejected", reason: { kind: "too-many-concurrent", maxConcurrent: 1 } });
    assert.deepEqual(decisions, []);
    clock.set(1_500);
    assert.deepEqual(complete(coordinator, 1), ["complete 1"]);
  });

  it("is refused while checkpointing is suspended or stopped", () => {
    const { coordinator } = setup();
    coordinator.taskFailed();
    assert.deepEqual(coordinator.triggerNow().outcome, { kind: "rejected", reason: { kind: "not-running", phase: "suspended" } });
    coordinator.stop();
    assert.deepEqual(coordinator.triggerNow().outcome, { kind: "rejected", reason: { kind: "not-running", phase: "stopped" } });
  });

  it("a queued request is dropped, with the reason, when checkpointing is suspended or stopped", () => {
    for (const [leave, reason] of [
      ["taskFailed", "task-failure"],
      ["stop", "job-stopping"],
    ] as const) {
      const { clock, coordinator } = setup({ intervalMs: 1_000 });
      tickAt(clock, coordinator, 1_000);
      coordinator.triggerNow();
      assert.deepEqual(summary(coordinator[leave]()), [`abort 1 ${reason}`, `drop-request ${reason}`]);
      if (leave === "taskFailed") {
        coordinator.resume();
        assert.deepEqual(tickAt(clock, coordinator, 1_500), []);
      }
    }
  });
});

