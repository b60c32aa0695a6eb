import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CheckpointStatsTracker, DEFAULT_STATS_HISTORY_SIZE } from "../../../src/checkpoint/coordinator/stats.ts";
import { WeirError } from "../../../src/core/errors.ts";
import { acknowledgeAll, id, setup, tickAt, TASKS } from "./harness.ts";

const task = TASKS[0]!;
const other = TASKS[1]!;

describe("CheckpointStatsTracker", () => {
  it("records each task's stats with its end-to-end time, and sums the bytes", () => {
    const tracker = new CheckpointStatsTracker();
    tracker.reportTriggered(id(1), "periodic", 1_000, 2);
    tracker.reportAcknowledged(id(1), task, 1_040, { syncDurationMs: 3, asyncDurationMs: 20, alignmentDurationMs: 7, bytes: 500 });
    tracker.reportAcknowledged(id(1), other, 1_090, { syncDurationMs: 1, asyncDurationMs: 60, alignmentDurationMs: 0, bytes: 1_500 });
    const stats = tracker.get(id(1))!;
    assert.equal(stats.status, "in-progress");
    assert.equal(stats.bytes, 2_000);
    assert.equal(stats.acknowledgedTasks, 2);
    assert.equal(stats.totalTasks, 2);
    assert.equal(stats.endTime, undefined);
    assert.equal(stats.durationMs, undefined);
    assert.deepEqual(stats.tasks, [
      { taskId: task, ackTime: 1_040, endToEndMs: 40, syncDurationMs: 3, asyncDurationMs: 20, alignmentDurationMs: 7, bytes: 500 },
      { taskId: other, ackTime: 1_090, endToEndMs: 90, syncDurationMs: 1, asyncDurationMs: 60, alignmentDurationMs: 0, bytes: 1_500 },
    ]);
  });

  it("gives completed and failed checkpoints their end time, duration and failure reason", () => {
    const tracker = new CheckpointStatsTracker();
    tracker.reportTriggered(id(1), "periodic", 1_000, 1);
    tracker.reportTriggered(id(2), "manual", 1_500, 1);
    tracker.reportCompleted(id(1), 1_250);
    tracker.reportFailed(id(2), 2_000, { kind: "expired", timeoutMs: 500 });
    const [second, first] = tracker.snapshot().history;
    assert.deepEqual([first!.status, first!.endTime, first!.durationMs, first!.failure], ["completed", 1_250, 250, undefined]);
    assert.deepEqual([second!.status, second!.cause, second!.durationMs, second!.failure], ["failed", "manual", 500, { kind: "expired", timeoutMs: 500 }]);
  });

  it("counts triggered, in-progress, completed and failed checkpoints, and remembers the latest of each end", () => {
    const tracker = new CheckpointStatsTracker();
    for (const n of [1, 2, 3, 4]) tracker.reportTriggered(id(n), "periodic", n, 1);
    tracker.reportCompleted(id(1), 10);
    tracker.reportFailed(id(2), 11, { kind: "task-failure" });
    tracker.reportCompleted(id(3), 12);
    const snapshot = tracker.snapshot();
    assert.deepEqual(snapshot.counts, { triggered: 4, inProgress: 1, completed: 2, failed: 1 });
    assert.equal(snapshot.latestCompleted?.id, 3);
    assert.equal(snapshot.latestFailed?.id, 2);
  });

  it("keeps at most historySize ended checkpoints, newest first, but every one in progress", () => {
    const tracker = new CheckpointStatsTracker(2);
    for (const n of [1, 2, 3, 4, 5]) tracker.reportTriggered(id(n), "periodic", n, 1);
    for (const n of [2, 3, 4]) tracker.reportCompleted(id(n), 10 + n);
    const snapshot = tracker.snapshot();
    assert.deepEqual(
      snapshot.history.map((s) => [s.id, s.status]),
      [[5, "in-progress"], [4, "completed"], [3, "completed"], [1, "in-progress"]],
    );
    assert.deepEqual(snapshot.counts, { triggered: 5, inProgress: 2, completed: 3, failed: 0 });
    tracker.reportFailed(id(1), 20, { kind: "job-stopping" });
    assert.deepEqual(tracker.snapshot().history.map((s) => s.id), [5, 4, 3]);
    assert.equal(tracker.get(id(1)), undefined);
    assert.equal(tracker.snapshot().latestFailed?.id, 1);
  });

  it("holds 100 ended checkpoints by default", () => {
    const tracker = new CheckpointStatsTracker();
    assert.equal(tracker.historySize, DEFAULT_STATS_HISTORY_SIZE);
    assert.equal(DEFAULT_STATS_HISTORY_SIZE, 100);
    for (let n = 1; n <= 150; n++) {
      tracker.reportTriggered(id(n), "periodic", n, 1);
      tracker.reportCompleted(id(n), n + 1);
    }
    const snapshot = tracker.snapshot();
    assert.equal(snapshot.history.length, 100);
    assert.equal(snapshot.history[0]!.id, 150);
    assert.equal(snapshot.history[99]!.id, 51);
    assert.equal(snapshot.counts.completed, 150);
  });

  it("ignores reports about checkpoints that are not in progress", () => {
    const tracker = new CheckpointStatsTracker();
    tracker.reportTriggered(id(1), "periodic", 0, 1);
    tracker.reportCompleted(id(1), 5);
    tracker.reportFailed(id(1), 6, { kind: "task-failure" });
    tracker.reportAcknowledged(id(1), task, 7, { syncDurationMs: 0, asyncDurationMs: 0, alignmentDurationMs: 0, bytes: 9 });
    tracker.reportCompleted(id(9), 8);
    assert.deepEqual(tracker.counts(), { triggered: 1, inProgress: 0, completed: 1, failed: 0 });
    assert.equal(tracker.get(id(1))!.bytes, 0);
  });

  it("snapshots are frozen copies that later reports do not change", () => {
    const tracker = new CheckpointStatsTracker();
    tracker.reportTriggered(id(1), "periodic", 0, 2);
    const before = tracker.snapshot();
    tracker.reportAcknowledged(id(1), task, 3, { syncDurationMs: 0, asyncDurationMs: 0, alignmentDurationMs: 0, bytes: 9 });
    assert.equal(before.history[0]!.tasks.length, 0);
    assert.ok(Object.isFrozen(before.history[0]) && Object.isFrozen(before.history[0]!.tasks));
  });

  it("refuses a history size below one", () => {
    assert.throws(() => new CheckpointStatsTracker(0), (error: unknown) => error instanceof WeirError && error.code === "WEIR_ERR_INVALID_ARGUMENT");
  });
});

describe("the coordinator's statistics", () => {
  it("follow triggers, acknowledgements, completions and failures", () => {
    const tracker = new CheckpointStatsTracker();
    const { clock, coordinator } = setup({ intervalMs: 1_000, tolerableFailures: 1 }, { stats: tracker });
    assert.equal(coordinator.stats, tracker);
    tickAt(clock, coordinator, 1_000);
    clock.set(1_200);
    acknowledgeAll(coordinator, 1);
    assert.deepEqual(tracker.counts(), { triggered: 1, inProgress: 1, completed: 0, failed: 0 });
    clock.set(1_300);
    coordinator.persisted(id(1));
    tickAt(clock, coordinator, 2_000);
    clock.set(2_100);
    coordinator.decline(id(2), TASKS[2]!, "x");
    const snapshot = tracker.snapshot();
    assert.deepEqual(snapshot.counts, { triggered: 2, inProgress: 0, completed: 1, failed: 1 });
    const first = snapshot.latestCompleted!;
    assert.deepEqual([first.id, first.triggerTime, first.endTime, first.durationMs, first.bytes, first.acknowledgedTasks, first.totalTasks], [1, 1_000, 1_300, 300, 300, 3, 3]);
    assert.deepEqual(first.tasks.map((t) => [t.taskId, t.endToEndMs]), TASKS.map((t) => [t, 200]));
    assert.deepEqual(snapshot.latestFailed?.failure, { kind: "declined", taskId: TASKS[2]!, message: "x" });
  });

  it("does not record duplicate or late acknowledgements", () => {
    const { clock, coordinator } = setup({ tolerableFailures: 1 });
    tickAt(clock, coordinator, 1_000);
    coordinator.acknowledge(id(1), task, { syncDurationMs: 0, asyncDurationMs: 0, alignmentDurationMs: 0, bytes: 10 });
    coordinator.acknowledge(id(1), task, { syncDurationMs: 0, asyncDurationMs: 0, alignmentDurationMs: 0, bytes: 10 });
    assert.equal(coordinator.stats.get(id(1))!.bytes, 10);
    coordinator.decline(id(1), other, "x");
    coordinator.acknowledge(id(1), TASKS[2]!, { syncDurationMs: 0, asyncDurationMs: 0, alignmentDurationMs: 0, bytes: 10 });
    assert.equal(coordinator.stats.get(id(1))!.bytes, 10);
  });
});
