import type { Sink, SinkWriter } from "../../sinks/sink.ts";
import type { ConnectorMetrics } from "../metrics.ts";
import type { OperatorContext, StreamOperator } from "./operator.ts";
import { operatorFailure } from "./user-function.ts";

/** Feeds records to a sink's writer; flushes it at end of input and closes it with the task. */
export class SinkOperator<T> implements StreamOperator {
  private writer!: SinkWriter<T>;
  private name = "";

  readonly readsRecordsOnly: boolean;

  constructor(readonly sink: Sink<T>) {
    this.readsRecordsOnly = sink.readsRecordsOnly === true;
  }

  async open(context: OperatorContext): Promise<void> {
    this.name = context.runtime.operatorName;
    const rt = context.runtime;
    this.writer = await this.sink.createWriter({
      subtaskIndex: rt.subtaskIndex,
      parallelism: rt.parallelism,
      args: rt.args,
      operatorId: context.operatorId,
      client: context.client,
      checkpointing: context.checkpointing,
      checkpointIntervalMs: context.checkpointIntervalMs,
      restoredState: context.restored?.state,
      restoredStates: context.restored?.states ?? [],
      restoredCheckpointId: context.restored?.checkpointId,
    });
  }

  /** The writer's connector metrics, if it counts any (undefined before it is created). */
  connectorMetrics(): ConnectorMetrics | undefined {
    return this.writer?.metrics?.();
  }

  processElement(record: unknown): void {
    try {
      this.writer.write(record as T);
    } catch (e) {
      throw operatorFailure(this.name, e);
    }
  }

  async endInput(): Promise<void> {
    try {
      await this.writer.flush?.();
    } catch (e) {
      throw operatorFailure(this.name, e);
    }
  }

  async snapshotState(checkpointId: number): Promise<unknown> {
    try {
      return await this.writer.snapshotState?.(checkpointId);
    } catch (e) {
      throw operatorFailure(this.name, e);
    }
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    try {
      await this.writer.notifyCheckpointComplete?.(checkpointId);
    } catch (e) {
      throw operatorFailure(this.name, e);
    }
  }

  async notifyCheckpointAborted(checkpointId: number): Promise<void> {
    try {
      await this.writer.notifyCheckpointAborted?.(checkpointId);
    } catch (e) {
      throw operatorFailure(this.name, e);
    }
  }

  async close(): Promise<void> {
    try {
      await this.writer?.close?.();
    } catch (e) {
      throw operatorFailure(this.name, e);
    }
  }
}
