import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { acknowledgeAll, complete, id, setup, summary, tickAt, TASKS } from "./harness.ts";
import { CheckpointCoordinator } from "../../../src/checkpoint/coordinator/coordinator.ts";
import { ManualClock } from "../../../src/core/clock.ts";
import { WeirError } from "../../../src/core/errors.ts";

describe("completion and subsumption", () => {
  it("completing checkpoint n aborts the pending checkpoints older than n as subsumed, and keeps newer ones", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, maxConcurrent: 3 });
    for (const t of [1_000, 2_000, 3_000]) tickAt(clock, coordinator, t);
    clock.set(3_500);
    assert.deepEqual(complete(coordinator, 2), ["complete 2", "abort 1 subsumed"]);
    assert.deepEqual(
      coordinator.pendingCheckpoints().map((p) => p.id),
      [3],
    );
  });

  it("a subsumed checkpoint does not count as a failure", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, maxConcurrent: 2, tolerableFailures: 0 });
    tickAt(clock, coordinator, 1_000);
    tickAt(clock, coordinator, 2_000);
    assert.ok(!complete(coordinator, 2).includes("fail-job"));
    assert.equal(coordinator.consecutiveFailures, 0);
    assert.equal(coordinator.phase, "running");
  });

  it("a checkpoint persisting its metadata is subsumed when a newer one completes first", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, maxConcurrent: 2 });
    tickAt(clock, coordinator, 1_000);
    tickAt(clock, coordinator, 2_000);
    acknowledgeAll(coordinator, 1);
    assert.deepEqual(complete(coordinator, 2), ["complete 2", "abort 1 subsumed"]);
  });
});

describe("retention", () => {
  it("only the newest `retained` completed checkpoints are kept; older ones are discarded", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, retained: 2 });
    const decisions: string[][] = [];
    for (const n of [1, 2, 3]) {
      tickAt(clock, coordinator, n * 1_000);
      decisions.push(complete(coordinator, n));
    }
    assert.deepEqual(decisions, [["complete 1"], ["complete 2"], ["complete 3", "discard 1"]]);
    assert.deepEqual(coordinator.retainedCheckpoints, [2, 3]);
  });

  it("checkpoints retained before a restore are discarded in turn, oldest first", () => {
    const { clock, coordinator } = setup({ intervalMs: 1_000, retained: 2 }, { firstCheckpointId: id(5), retainedCheckpoints: [id(4), id(3)] });
    assert.equal(coordinator.latestCompletedCheckpoint, 4);
    tickAt(clock, coordinator, 1_000);
    assert.deepEqual(complete(coordinator, 5), ["complete 5", "discard 3"]);
    assert.deepEqual(coordinator.retainedCheckpoints, [4, 5]);
  });
});

describe("construction", () => {
  const clock = new ManualClock();
  const invalid = (error: unknown): boolean => error instanceof WeirError && error.code === "WEIR_ERR_INVALID_ARGUMENT";

  it("needs at least one task, and no task twice", () => {
    assert.throws(() => new CheckpointCoordinator({ config: { intervalMs: 1 }, tasks: [], clock }), invalid);
    assert.throws(() => new CheckpointCoordinator({ config: { intervalMs: 1 }, tasks: [TASKS[0]!, TASKS[0]!], clock }), invalid);
  });

  it("accepts the tasks as any iterable", () => {
    const coordinator = new CheckpointCoordinator({ config: { intervalMs: 1 }, tasks: new Set(TASKS).values(), clock });
    assert.equal(coordinator.phase, "running");
  });

  it("refuses a retained checkpoint that is not older than the first checkpoint id", () => {
    assert.throws(
      () => new CheckpointCoordinator({ config: { intervalMs: 1 }, tasks: TASKS, clock, firstCheckpointId: id(3), retainedCheckpoints: [id(3)] }),
      (error: unknown) => invalid(error) && /retained checkpoint 3/.test((error as Error).message),
    );
  });

  it("refuses a first checkpoint id that is not a positive whole number", () => {
    assert.throws(() => new CheckpointCoordinator({ config: { intervalMs: 1 }, tasks: TASKS, clock, firstCheckpointId: 0 as never }), invalid);
  });

  it("validates its configuration", () => {
    assert.throws(() => new CheckpointCoordinator({ config: { intervalMs: 0 }, tasks: TASKS, clock }), invalid);
  });

  it("starts with id 1 when no first checkpoint id is given", () => {
    const coordinator = new CheckpointCoordinator({ config: { intervalMs: 1 }, tasks: TASKS, clock });
    assert.equal(coordinator.nextCheckpointId, 1);
    assert.deepEqual(summary(coordinator.triggerNow().decisions), ["trigger 1"]);
  });
});
