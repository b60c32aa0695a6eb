/** An attempt that runs every task on the calling thread (the single-thread runtime). */
import type { BarrierKind } from "../barriers/barrier.ts";
import { deployAttemptThread } from "../attempt-deployment.ts";
import type { Deployment } from "../deployment.ts";
import { asError } from "../../core/errors.ts";
import { jobFailedError, TaskFailure } from "../failure-report.ts";
import type { Attempt, AttemptListener, AttemptSpec } from "./attempt.ts";
import type { EnumeratorToReader } from "../source-events.ts";

function attemptError(e: unknown): Error {
  return e instanceof TaskFailure ? jobFailedError(e.report) : asError(e);
}

export class LocalAttempt implements Attempt {
  private deployment: Deployment | undefined;
  private running: Promise<void> | undefined;
  private progress: ReturnType<typeof setInterval> | undefined;
  private cancelled = false;

  constructor(
    private readonly spec: AttemptSpec,
    private readonly listener: AttemptListener,
  ) {
    void this.deploy();
  }

  private async deploy(): Promise<void> {
    const listener = this.listener;
    try {
      this.deployment = await deployAttemptThread(this.spec, 0, undefined, {
        acknowledge: (taskId, ack) => listener.acknowledge(taskId, ack),
        decline: (taskId, id, reason) => listener.decline(taskId, id, reason),
        endOfData: (taskId) => listener.endOfData(taskId),
        collect: (sinkId, records) => listener.collect(sinkId, records),
        toEnumerator: (taskId, message) => listener.toEnumerator(taskId, message),
        restored: (report) => listener.restored(report),
        warning: (message) => listener.warning(message),
      });
      await this.deployment.executor.openAll();
    } catch (e) {
      if (!this.cancelled) listener.failed(attemptError(e));
      return;
    }
    if (!this.cancelled) listener.ready();
  }

  start(): void {
    const executor = this.deployment!.executor;
    const report = () => this.listener.metrics(0, executor.tasks.map((t) => t.metrics()));
    this.progress = setInterval(report, this.spec.progressIntervalMs);
    this.running = executor.run().then(
      () => {
        clearInterval(this.progress);
        report();
        if (!this.cancelled) this.listener.finished();
      },
      (e: unknown) => {
        clearInterval(this.progress);
        if (!this.cancelled) this.listener.failed(attemptError(e));
      },
    );
  }

  triggerCheckpoint(checkpointId: number, timestamp: number, kind: BarrierKind): void {
    this.deployment?.executor.triggerCheckpoint(checkpointId, timestamp, kind);
  }

  drainSources(): void {
    this.deployment?.executor.drainSources();
  }

  notifyCheckpointComplete(checkpointId: number): void {
    this.deployment?.executor.notifyCheckpointComplete(checkpointId);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    this.deployment?.executor.notifyCheckpointAborted(checkpointId);
  }

  finish(): void {
    this.deployment?.executor.finish();
  }

  toReader(taskId: string, message: EnumeratorToReader): void {
    this.deployment?.executor.deliverEnumeratorEvent(taskId, message);
  }

  async cancel(): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    clearInterval(this.progress);
    const executor = this.deployment?.executor;
    executor?.cancel();
    await this.running;
    await executor?.dispose();
  }
}
