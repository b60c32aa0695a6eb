/** Builds coordinators on a manual clock and renders decisions as short strings for assertions. */
import { ManualClock } from "../../../src/core/clock.ts";
import { CheckpointCoordinator, type CheckpointCoordinatorOptions } from "../../../src/checkpoint/coordinator/coordinator.ts";
import type { CheckpointConfigOptions } from "../../../src/checkpoint/coordinator/config.ts";
import type { CoordinatorDecision } from "../../../src/checkpoint/coordinator/decisions.ts";
import type { TaskCheckpointStats } from "../../../src/checkpoint/coordinator/acknowledgement.ts";
import { taskId, type TaskId } from "../../../src/checkpoint/coordinator/task-id.ts";
import { checkpointId, type CheckpointId } from "../../../src/checkpoint/storage/checkpoint-id.ts";

export const TASKS: readonly TaskId[] = [taskId(0, 0), taskId(0, 1), taskId(1, 0)];

export const STATS: TaskCheckpointStats = { syncDurationMs: 2, asyncDurationMs: 30, alignmentDurationMs: 5, bytes: 100 };

export const id = (n: number): CheckpointId => checkpointId(n);

export function setup(
  config: Partial<CheckpointConfigOptions> = {},
  options: Partial<Omit<CheckpointCoordinatorOptions, "config" | "clock">> = {},
): { clock: ManualClock; coordinator: CheckpointCoordinator<string> } {
  const clock = new ManualClock(0);
  const coordinator = new CheckpointCoordinator<string>({ config: { intervalMs: 1_000, ...config }, tasks: TASKS, clock, ...options });
  return { clock, coordinator };
}

/** "trigger 1", "persist 1", "complete 1", "abort 1 expired", "discard 1", "drop-request task-failure", "fail-job". */
export function summary(decisions: readonly CoordinatorDecision<unknown>[]): string[] {
  return decisions.map((d) => {
    switch (d.kind) {
      case "complete":
        return `complete ${d.checkpointId}${d.final ? " final" : ""}`;
      case "trigger":
      case "persist":
      case "discard":
        return `${d.kind} ${d.checkpointId}`;
      case "abort":
        return `abort ${d.checkpointId} ${d.reason.kind}`;
      case "drop-request":
        return `drop-request ${d.reason.kind}`;
      case "fail-job":
        return "fail-job";
    }
  });
}

/** Every task acknowledges checkpoint `n`; returns the decisions of the last acknowledgement. */
export function acknowledgeAll(coordinator: CheckpointCoordinator<string>, n: number): string[] {
  let last: string[] = [];
  for (const task of TASKS) last = summary(coordinator.acknowledge(id(n), task, STATS, `${task}@${n}`).decisions);
  return last;
}

/** Every task acknowledges checkpoint `n` and its metadata is persisted; returns the decisions of `persisted`. */
export function complete(coordinator: CheckpointCoordinator<string>, n: number): string[] {
  acknowledgeAll(coordinator, n);
  return summary(coordinator.persisted(id(n)));
}

/** Advances the clock to `time` and ticks. */
export function tickAt(clock: ManualClock, coordinator: CheckpointCoordinator<string>, time: number): string[] {
  clock.set(time);
  return summary(coordinator.tick());
}
