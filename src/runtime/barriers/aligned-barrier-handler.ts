/**
 * Exactly-once alignment: a channel that delivered barrier n is blocked until every live channel
 * delivered it, so no record after the barrier is processed before the snapshot. Then the task
 * checkpoints and every channel is unblocked.
 *
 * States: waiting (no alignment in progress) → aligning(n) → waiting. A barrier for a checkpoint
 * newer than the one being aligned means the older one cannot complete (its barrier was skipped
 * upstream): the older one is declined and alignment starts over for the newer one. Barriers
 * older than the last checkpoint taken or declined are ignored.
 */
import type { Clock } from "../../core/clock.ts";
import type { BarrierHandler, BarrierHandlerActions, CheckpointBarrier } from "./barrier.ts";

export class AlignedBarrierHandler implements BarrierHandler {
  private aligning: CheckpointBarrier | undefined;
  private alignmentStart = 0;
  private readonly arrived: boolean[];
  private readonly ended: boolean[];
  private arrivedCount = 0;
  private endedCount = 0;
  /** The newest checkpoint taken, declined or aborted here; older barriers are stale. */
  private latestHandled = -1;

  constructor(
    channelCount: number,
    private readonly actions: BarrierHandlerActions,
    private readonly clock: Clock,
  ) {
    this.arrived = new Array<boolean>(channelCount).fill(false);
    this.ended = new Array<boolean>(channelCount).fill(false);
  }

  get state(): string {
    return this.aligning === undefined ? "waiting-for-first-barrier" : `aligning(${this.aligning.checkpointId})`;
  }

  onBarrier(channel: number, barrier: CheckpointBarrier): void {
    const id = barrier.checkpointId;
    if (id <= this.latestHandled) return;
    if (this.aligning !== undefined && id > this.aligning.checkpointId) {
      this.abandon(`barrier of checkpoint ${id} arrived before alignment of checkpoint ${this.aligning.checkpointId} completed`);
    }
    if (this.aligning === undefined) {
      this.aligning = barrier;
      this.alignmentStart = this.clock.now();
    }
    if (!this.arrived[channel]) {
      this.arrived[channel] = true;
      this.arrivedCount++;
      this.actions.block(channel);
    }
    this.completeIfAligned();
  }

  onEndOfPartition(channel: number): void {
    if (this.ended[channel]) return;
    this.ended[channel] = true;
    this.endedCount++;
    if (this.arrived[channel]) {
      this.arrived[channel] = false;
      this.arrivedCount--;
    }
    this.completeIfAligned();
  }

  onAbort(checkpointId: number): void {
    if (checkpointId > this.latestHandled) this.latestHandled = checkpointId;
    if (this.aligning !== undefined && this.aligning.checkpointId <= checkpointId) this.reset();
  }

  private completeIfAligned(): void {
    const barrier = this.aligning;
    if (barrier === undefined || this.arrivedCount + this.endedCount < this.arrived.length) return;
    const alignmentMs = this.clock.now() - this.alignmentStart;
    this.latestHandled = barrier.checkpointId;
    this.reset();
    this.actions.checkpoint(barrier, alignmentMs);
  }

  private abandon(reason: string): void {
    const id = this.aligning!.checkpointId;
    this.latestHandled = id;
    this.reset();
    this.actions.decline(id, reason);
  }

  private reset(): void {
    this.aligning = undefined;
    this.arrived.fill(false);
    this.arrivedCount = 0;
    this.actions.unblockAll();
  }
}
