/**
 * Runs the tasks placed on one thread: a loop that steps every runnable task in turn, fires
 * timers and buffer timeouts, and sleeps when nothing can move until a message, a source, a
 * timer or a buffer deadline wakes it. It yields to the event loop after each round so channel
 * messages from other threads are delivered.
 */
import { timerDelay, type Clock } from "../core/clock.ts";
import type { StreamTask } from "./stream-task.ts";
import type { BarrierKind, CheckpointBarrier } from "./barriers/barrier.ts";
import type { OutputChannel } from "./network/output-channel.ts";
import type { EnumeratorToReader } from "./source-events.ts";
import { reportFailure, TaskFailure, type FailurePhase } from "./failure-report.ts";

export interface ExecutorSettings {
  readonly bufferSize: number;
  readonly bufferTimeoutMs: number;
  readonly clock: Clock;
  /** Set when checkpoints may be unaligned: the alignment timeout their barriers carry. */
  readonly alignedCheckpointTimeoutMs?: number | undefined;
}

function failureOf(phase: FailurePhase, task: StreamTask, error: unknown): TaskFailure {
  const report = reportFailure(phase, { headName: task.chain[0]!.name, subtaskIndex: task.subtaskIndex, parallelism: task.vertex.parallelism }, error);
  return new TaskFailure(report, error);
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class TaskExecutor {
  private wakeUp: (() => void) | undefined;
  private cancelled = false;
  readonly tasks: StreamTask[] = [];
  /** Every output channel of this thread's tasks: the thread is done only when all are drained. */
  readonly outputChannels: OutputChannel[] = [];

  constructor(private readonly settings: ExecutorSettings) {}

  /** Interrupts a sleeping loop: new input, credit, or an available source. */
  readonly wake = (): void => {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  };

  cancel(): void {
    this.cancelled = true;
    this.wake();
  }

  /** Starts checkpoint `checkpointId` at this thread's source tasks. */
  triggerCheckpoint(checkpointId: number, timestamp: number, kind: BarrierKind = "checkpoint"): void {
    const timeout = this.settings.alignedCheckpointTimeoutMs;
    const barrier: CheckpointBarrier =
      kind === "savepoint-suspend"
        ? { kind: "barrier", checkpointId, timestamp, suspend: true, savepoint: true }
        : kind === "savepoint"
          ? { kind: "barrier", checkpointId, timestamp, savepoint: true }
          : timeout !== undefined
            ? { kind: "barrier", checkpointId, timestamp, alignedTimeoutMs: timeout }
            : { kind: "barrier", checkpointId, timestamp };
    for (const task of this.tasks) if (task.vertex.inputs.length === 0) task.triggerCheckpoint(barrier);
  }

  /** Stop with drain: this thread's source tasks end their input. */
  drainSources(): void {
    for (const task of this.tasks) if (task.vertex.inputs.length === 0) task.drain();
  }

  /** What a split-based source's enumerator sent to the reader of task `taskId` ("<vertex>:<subtask>"). */
  deliverEnumeratorEvent(taskId: string, message: EnumeratorToReader): void {
    for (const task of this.tasks) if (task.taskId === taskId) task.deliverEnumeratorEvent(message);
  }

  notifyCheckpointComplete(checkpointId: number): void {
    for (const task of this.tasks) task.notifyCheckpointComplete(checkpointId);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    for (const task of this.tasks) task.notifyCheckpointAborted(checkpointId);
  }

  /** The job's final checkpoint completed: tasks past end of data close. */
  finish(): void {
    for (const task of this.tasks) task.finish();
  }

  async openAll(): Promise<void> {
    for (const task of this.tasks) {
      try {
        await task.open();
      } catch (e) {
        throw failureOf("open", task, e);
      }
    }
  }

  /** Resolves when every task finished and every channel delivered; rejects on the first failure. */
  async run(): Promise<void> {
    const { bufferSize, bufferTimeoutMs, clock } = this.settings;
    const tasks = this.tasks;
    while (!this.cancelled) {
      let progressed = false;
      for (let i = 0; i < tasks.length; i++) {
        const task = tasks[i]!;
        if (!task.runnable()) continue;
        try {
          const pending = task.step(bufferSize);
          if (pending !== undefined) await pending;
        } catch (e) {
          throw failureOf("run", task, e);
        }
        progressed = true;
      }
      const now = clock.now();
      for (let i = 0; i < tasks.length; i++) {
        try {
          tasks[i]!.onTime(now, bufferTimeoutMs);
        } catch (e) {
          throw failureOf("run", tasks[i]!, e);
        }
      }
      if (this.done()) return;
      // Timers and watermarks fired above may have handed input to a task of this thread.
      if (progressed || this.anyRunnable()) await yieldToEventLoop();
      else await this.sleep(now);
    }
  }

  private anyRunnable(): boolean {
    for (const t of this.tasks) if (t.runnable()) return true;
    return false;
  }

  private done(): boolean {
    for (const t of this.tasks) if (t.status !== "finished") return false;
    for (const c of this.outputChannels) if (c.backlogged) return false;
    return true;
  }

  private sleep(now: number): Promise<void> {
    let deadline: number | undefined;
    for (const t of this.tasks) {
      const d = t.nextDeadline(this.settings.bufferTimeoutMs);
      if (d !== undefined && (deadline === undefined || d < deadline)) deadline = d;
    }
    return new Promise<void>((resolve) => {
      const timer = deadline === undefined ? undefined : setTimeout(() => this.wake(), timerDelay(deadline, now));
      this.wakeUp = () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
    });
  }

  async dispose(): Promise<void> {
    for (const task of this.tasks) await task.dispose();
  }
}
