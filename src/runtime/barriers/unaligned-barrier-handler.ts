/**
 * Exactly-once barrier handling with unaligned checkpoints (Flink's FLIP-76), the pure decisions.
 * A checkpoint's barrier is seen twice at a task's input: when it arrives at a channel
 * (`onAnnounced`, ahead of the records queued before it) and when it reaches the head of that
 * channel's queue (`onBarrier`, in position).
 *
 * States: waiting-for-first-barrier → aligning(n) → collecting-in-flight(n) → waiting.
 * - A barrier with `alignedTimeoutMs` 0 switches to unaligned on arrival: the task snapshots at
 *   once (`checkpointUnaligned`), and the records queued before the barrier on every channel, up
 *   to each channel's barrier, become the checkpoint's channel state. The checkpoint's in-flight
 *   records are all known once every live channel delivered its barrier (`inFlightComplete`).
 * - A barrier with a positive timeout aligns in position like AlignedBarrierHandler (blocking the
 *   channels that delivered it) until `timestamp + alignedTimeoutMs`; alignment that is not over
 *   by then switches to unaligned, on the next arrival, in-position barrier or `onTime`. Channels
 *   that delivered the barrier in position have nothing in flight.
 * - A barrier without a timeout (a savepoint's, or one a source sent past its end of data, so the
 *   job's final checkpoint holds every record) never switches to unaligned, but another channel's
 *   barrier of its checkpoint may; its arrival counts then as any other.
 * One checkpoint is handled at a time: a newer barrier declines the one in progress. Barriers of
 * checkpoints taken, declined or aborted here are ignored.
 */
import type { Clock } from "../../core/clock.ts";
import { overtakes, type BarrierHandler, type CheckpointBarrier, type UnalignedBarrierHandlerActions } from "./barrier.ts";

interface Pending {
  readonly barrier: CheckpointBarrier;
  readonly startedAt: number;
  /** Channels whose barrier arrived (whether or not it reached the head of the queue). */
  readonly announced: Set<number>;
  /** Channels whose barrier was taken in position and which are blocked for it. */
  readonly inPosition: Set<number>;
  phase: "aligning" | "collecting-in-flight";
}

export class UnalignedBarrierHandler implements BarrierHandler {
  private pending: Pending | undefined;
  private readonly ended: boolean[];
  /** The newest checkpoint snapshotted, declined or aborted here; older barriers are stale. */
  private latestHandled = -1;

  constructor(
    private readonly channelCount: number,
    private readonly actions: UnalignedBarrierHandlerActions,
    private readonly clock: Clock,
  ) {
    this.ended = new Array<boolean>(channelCount).fill(false);
  }

  get state(): string {
    const p = this.pending;
    return p === undefined ? "waiting-for-first-barrier" : `${p.phase}(${p.barrier.checkpointId})`;
  }

  /** When an alignment in progress times out (and `onTime` should be called); undefined if none can. */
  get alignmentDeadline(): number | undefined {
    const p = this.pending;
    if (p === undefined || p.phase !== "aligning" || p.barrier.alignedTimeoutMs === undefined) return undefined;
    return p.barrier.timestamp + p.barrier.alignedTimeoutMs;
  }

  onAnnounced(channel: number, barrier: CheckpointBarrier): void {
    const p = this.pendingFor(barrier);
    if (p === undefined) return;
    p.announced.add(channel);
    if (p.phase === "collecting-in-flight") this.completeIfCaughtUp(p);
    else if (overtakes(barrier, this.clock.now())) this.switchToUnaligned(p);
  }

  onBarrier(channel: number, barrier: CheckpointBarrier): void {
    const p = this.pendingFor(barrier);
    if (p === undefined || p.phase === "collecting-in-flight") return;
    p.announced.add(channel);
    if (!p.inPosition.has(channel)) {
      p.inPosition.add(channel);
      this.actions.block(channel);
    }
    if (overtakes(barrier, this.clock.now())) this.switchToUnaligned(p);
    else this.completeIfAligned(p);
  }

  onEndOfPartition(channel: number): void {
    if (this.ended[channel]) return;
    this.ended[channel] = true;
    const p = this.pending;
    if (p === undefined) return;
    if (p.phase === "aligning") this.completeIfAligned(p);
    else this.completeIfCaughtUp(p);
  }

  /** Alignment that outlived its timeout switches to unaligned now. */
  onTime(): void {
    const p = this.pending;
    if (p !== undefined && p.phase === "aligning" && overtakes(p.barrier, this.clock.now())) this.switchToUnaligned(p);
  }

  onAbort(checkpointId: number): void {
    if (checkpointId > this.latestHandled) this.latestHandled = checkpointId;
    const p = this.pending;
    if (p !== undefined && p.barrier.checkpointId <= checkpointId) this.reset(p);
  }

  /** The pending checkpoint `barrier` belongs to, started if new; undefined for a stale barrier. */
  private pendingFor(barrier: CheckpointBarrier): Pending | undefined {
    const id = barrier.checkpointId;
    let p = this.pending;
    if (p !== undefined && p.barrier.checkpointId === id) return p;
    if (id <= this.latestHandled) return undefined;
    if (p !== undefined) {
      const older = p.barrier.checkpointId;
      this.latestHandled = Math.max(this.latestHandled, older);
      this.reset(p);
      this.actions.decline(older, `barrier of checkpoint ${id} arrived before checkpoint ${older} was through this task's input`);
    }
    p = { barrier, startedAt: this.clock.now(), announced: new Set(), inPosition: new Set(), phase: "aligning" };
    this.pending = p;
    return p;
  }

  private delivered(channels: ReadonlySet<number>): boolean {
    for (let c = 0; c < this.channelCount; c++) if (!this.ended[c] && !channels.has(c)) return false;
    return true;
  }

  private completeIfAligned(p: Pending): void {
    if (!this.delivered(p.inPosition)) return;
    this.latestHandled = Math.max(this.latestHandled, p.barrier.checkpointId);
    this.reset(p);
    this.actions.checkpoint(p.barrier, this.clock.now() - p.startedAt);
  }

  private switchToUnaligned(p: Pending): void {
    p.phase = "collecting-in-flight";
    this.latestHandled = Math.max(this.latestHandled, p.barrier.checkpointId);
    if (p.inPosition.size > 0) this.actions.unblockAll();
    this.actions.checkpointUnaligned(p.barrier, this.clock.now() - p.startedAt, new Set(p.inPosition));
    this.completeIfCaughtUp(p);
  }

  private completeIfCaughtUp(p: Pending): void {
    if (this.pending !== p || !this.delivered(p.announced)) return;
    this.pending = undefined;
    this.actions.inFlightComplete(p.barrier.checkpointId);
  }

  private reset(p: Pending): void {
    this.pending = undefined;
    if (p.phase === "aligning" && p.inPosition.size > 0) this.actions.unblockAll();
  }
}
