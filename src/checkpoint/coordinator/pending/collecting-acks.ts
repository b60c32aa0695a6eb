/**
 * First state of a pending checkpoint: triggered, waiting for every task to acknowledge. Owns the
 * acknowledgements received so far. Leaves this state when the last task acknowledges (next:
 * PersistingMetadata) or when the coordinator aborts it (expired, declined, subsumed, task
 * failure, stop), which simply drops it.
 *
 * Invariants: only the checkpoint's tasks acknowledge, each at most once; it expires at
 * `deadline` and not before.
 */
import type { CheckpointId } from "../../storage/checkpoint-id.ts";
import type { TaskAcknowledgement } from "../acknowledgement.ts";
import type { TaskId } from "../task-id.ts";
import type { TriggerCause } from "../trigger-schedule.ts";
import { PersistingMetadata } from "./persisting-metadata.ts";

export class CollectingAcks<S> {
  readonly state = "collecting-acks";
  private readonly acks = new Map<TaskId, TaskAcknowledgement<S>>();

  constructor(
    readonly id: CheckpointId,
    readonly cause: TriggerCause,
    readonly triggerTime: number,
    readonly deadline: number,
    /** The tasks that must acknowledge, in the order the persist decision lists them. */
    readonly tasks: ReadonlySet<TaskId>,
  ) {}

  get acknowledgedCount(): number {
    return this.acks.size;
  }

  /** The tasks whose acknowledgement has not come, in task order. */
  awaitedTasks(): TaskId[] {
    return [...this.tasks].filter((task) => !this.acks.has(task));
  }

  isOverdue(now: number): boolean {
    return now >= this.deadline;
  }

  /** Records `ack`; the state afterwards is PersistingMetadata once every task has acknowledged. */
  acknowledge(ack: TaskAcknowledgement<S>): {
    outcome: "success" | "duplicate" | "unknown";
    next: CollectingAcks<S> | PersistingMetadata<S>;
  } {
    if (!this.tasks.has(ack.taskId)) return { outcome: "unknown", next: this };
    if (this.acks.has(ack.taskId)) return { outcome: "duplicate", next: this };
    this.acks.set(ack.taskId, ack);
    if (this.acks.size < this.tasks.size) return { outcome: "success", next: this };
    const ordered = [...this.tasks].map((task) => this.acks.get(task)!);
    return { outcome: "success", next: new PersistingMetadata(this.id, this.cause, this.triggerTime, this.tasks, ordered) };
  }
}
