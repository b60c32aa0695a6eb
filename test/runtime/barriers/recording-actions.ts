/** Barrier handler actions that record what the handler asked for, in order. */
import type { BarrierHandlerActions, CheckpointBarrier } from "../../../src/runtime/barriers/barrier.ts";

export class RecordingActions implements BarrierHandlerActions {
  readonly log: string[] = [];
  readonly blocked = new Set<number>();

  block(channel: number): void {
    this.blocked.add(channel);
    this.log.push(`block ${channel}`);
  }
  unblockAll(): void {
    this.blocked.clear();
    this.log.push("unblock");
  }
  checkpoint(barrier: CheckpointBarrier, alignmentMs: number): void {
    this.log.push(`checkpoint ${barrier.checkpointId} after ${alignmentMs}ms`);
  }
  decline(checkpointId: number): void {
    this.log.push(`decline ${checkpointId}`);
  }

  checkpoints(): string[] {
    return this.log.filter((l) => l.startsWith("checkpoint") || l.startsWith("decline"));
  }
}

export const barrier = (checkpointId: number): CheckpointBarrier => ({ kind: "barrier", checkpointId, timestamp: 0 });
