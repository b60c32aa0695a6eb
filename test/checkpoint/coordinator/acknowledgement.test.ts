import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { acknowledgeAll, id, setup, STATS, summary, tickAt, TASKS } from "./harness.ts";
import { taskId } from "../../../src/checkpoint/coordinator/task-id.ts";
import { WeirError } from "../../../src/core/errors.ts";

const stranger = taskId(7, 0);

describe("acknowledgements", () => {
  it("once every task has acknowledged, the coordinator asks to persist the acknowledgements in task order", () => {
    const { clock, coordinator } = setup();
    tickAt(clock, coordinator, 1_000);
    const [first, second, third] = TASKS as [typeof stranger, typeof stranger, typeof stranger];
    clock.set(1_010);
    assert.deepEqual(coordinator.acknowledge(id(1), third, STATS, "c").decisions, []);
    clock.set(1_020);
    assert.deepEqual(coordinator.acknowledge(id(1), first, STATS, "a").decisions, []);
    clock.set(1_030);
    const { outcome, decisions } = coordinator.acknowledge(id(1), second, STATS, "b");
    assert.deepEqual(outcome, { kind: "success" });
    assert.deepEqual(decisions, [
      {
        kind: "persist",
        checkpointId: id(1),
        timestamp: 1_000,
        acknowledgements: [
          { taskId: first, ackTime: 1_020, stats: STATS, snapshot: "a" },
          { taskId: second, ackTime: 1_030, stats: STATS, snapshot: "b" },
          { taskId: third, ackTime: 1_010, stats: STATS, snapshot: "c" },
        ],
      },
    ]);
  });

  it("a checkpoint completes only when its metadata is persisted", () => {
    const { clock, coordinator } = setup();
    tickAt(clock, coordinator, 1_000);
    assert.deepEqual(acknowledgeAll(coordinator, 1), ["persist 1"]);
    assert.equal(coordinator.pendingCheckpoints()[0]?.state, "persisting-metadata");
    assert.equal(coordinator.latestCompletedCheckpoint, undefined);
    assert.deepEqual(summary(coordinator.persisted(id(1))), ["complete 1"]);
    assert.equal(coordinator.latestCompletedCheckpoint, 1);
    assert.deepEqual(coordinator.pendingCheckpoints(), []);
  });

  it("an acknowledgement for an unknown checkpoint is ignored", () => {
    const { clock, coordinator } = setup({}, { firstCheckpointId: id(5) });
    tickAt(clock, coordinator, 1_000);
    assert.deepEqual(coordinator.acknowledge(id(6), TASKS[0]!, STATS), { outcome: { kind: "unknown" }, decisions: [] });
    assert.deepEqual(coordinator.acknowledge(id(4), TASKS[0]!, STATS), { outcome: { kind: "unknown" }, decisions: [] });
    assert.equal(coordinator.pendingCheckpoints()[0]?.acknowledgedTasks, 0);
  });

  it("a pending checkpoint names the tasks whose acknowledgement has not come", () => {
    const { clock, coordinator } = setup();
    tickAt(clock, coordinator, 1_000);
    assert.deepEqual(coordinator.pendingCheckpoints()[0]?.awaitedTasks, TASKS);
    coordinator.acknowledge(id(1), TASKS[1]!, STATS);
    assert.deepEqual(coordinator.pendingCheckpoints()[0]?.awaitedTasks, [TASKS[0], TASKS[2]]);
    coordinator.acknowledge(id(1), TASKS[0]!, STATS);
    coordinator.acknowledge(id(1), TASKS[2]!, STATS);
    assert.deepEqual(coordinator.pendingCheckpoints()[0]?.awaitedTasks, []);
  });

  it("an acknowledgement from a task that does not take part is unknown", () => {
    const { clock, coordinator } = setup();
    tickAt(clock, coordinator, 1_000);
    assert.deepEqual(coordinator.acknowledge(id(1), stranger, STATS).outcome, { kind: "unknown" });
    acknowledgeAll(coordinator, 1);
    assert.deepEqual(coordinator.acknowledge(id(1), stranger, STATS).outcome, { kind: "unknown" });
  });

  it("a duplicate acknowledgement is reported and does not count twice", () => {
    const { clock, coordinator } = setup();
    tickAt(clock, coordinator, 1_000);
    coordinator.acknowledge(id(1), TASKS[0]!, STATS);
    coordinator.acknowledge(id(1), TASKS[1]!, STATS);
    assert.deepEqual(coordinator.acknowledge(id(1), TASKS[0]!, STATS), { outcome: { kind: "duplicate" }, decisions: [] });
    assert.equal(coordinator.pendingCheckpoints()[0]?.acknowledgedTasks, 2);
    assert.deepEqual(summary(coordinator.acknowledge(id(1), TASKS[2]!, STATS).decisions), ["persist 1"]);
    assert.deepEqual(coordinator.acknowledge(id(1), TASKS[2]!, STATS), { outcome: { kind: "duplicate" }, decisions: [] });
  });

  it("an acknowledgement after the checkpoint was aborted is discarded", () => {
    const { clock, coordinator } = setup({ tolerableFailures: 1 });
    tickAt(clock, coordinator, 1_000);
    coordinator.decline(id(1), TASKS[0]!, "no space");
    assert.deepEqual(coordinator.acknowledge(id(1), TASKS[1]!, STATS), { outcome: { kind: "discarded" }, decisions: [] });
  });

  it("an acknowledgement after the checkpoint completed is discarded", () => {
    const { clock, coordinator } = setup();
    tickAt(clock, coordinator, 1_000);
    acknowledgeAll(coordinator, 1);
    coordinator.persisted(id(1));
    assert.deepEqual(coordinator.acknowledge(id(1), TASKS[1]!, STATS).outcome, { kind: "discarded" });
  });
});

describe("declines", () => {
  it("a decline aborts the checkpoint with the task and its reason", () => {
    const { clock, coordinator } = setup({ tolerableFailures: 1 });
    tickAt(clock, coordinator, 1_000);
    assert.deepEqual(coordinator.decline(id(1), TASKS[2]!, "state too large"), [
      { kind: "abort", checkpointId: id(1), reason: { kind: "declined", taskId: TASKS[2]!, message: "state too large" } },
    ]);
  });

  it("a decline for an unknown or ended checkpoint, or from a task that does not take part, is ignored", () => {
    const { clock, coordinator } = setup({ tolerableFailures: 5 });
    tickAt(clock, coordinator, 1_000);
    assert.deepEqual(coordinator.decline(id(9), TASKS[0]!, "x"), []);
    assert.deepEqual(coordinator.decline(id(1), stranger, "x"), []);
    assert.equal(coordinator.pendingCheckpoints().length, 1);
    coordinator.decline(id(1), TASKS[0]!, "x");
    assert.deepEqual(coordinator.decline(id(1), TASKS[1]!, "x"), []);
    assert.equal(coordinator.consecutiveFailures, 1);
  });

  it("a decline for a checkpoint persisting its metadata is ignored: its content is complete", () => {
    const { clock, coordinator } = setup();
    tickAt(clock, coordinator, 1_000);
    acknowledgeAll(coordinator, 1);
    assert.deepEqual(coordinator.decline(id(1), TASKS[0]!, "late"), []);
    assert.deepEqual(summary(coordinator.persisted(id(1))), ["complete 1"]);
  });
});

describe("reports about persisting", () => {
  it("persisted or persistFailed for a checkpoint that ended meanwhile is ignored", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, maxConcurrent: 2 });
    tickAt(clock, coordinator, 1_000);
    tickAt(clock, coordinator, 2_000);
    acknowledgeAll(coordinator, 1);
    acknowledgeAll(coordinator, 2);
    assert.deepEqual(summary(coordinator.persisted(id(2))), ["complete 2", "abort 1 subsumed"]);
    assert.deepEqual(coordinator.persisted(id(1)), []);
    assert.deepEqual(coordinator.persistFailed(id(1), new Error("late")), []);
    assert.deepEqual(coordinator.persisted(id(2)), []);
  });

  it("persisted for a checkpoint that was never asked to persist is an internal error", () => {
    const { clock, coordinator } = setup();
    tickAt(clock, coordinator, 1_000);
    for (const bad of [() => coordinator.persisted(id(1)), () => coordinator.persisted(id(2)), () => coordinator.persistFailed(id(1), "x")]) {
      assert.throws(bad, (error: unknown) => error instanceof WeirError && error.code === "WEIR_ERR_INTERNAL");
    }
  });
});
