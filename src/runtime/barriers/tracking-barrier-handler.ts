/**
 * At-least-once barrier handling: channels are never blocked. The task checkpoints when the last
 * live channel delivers barrier n; records that arrived after barrier n on faster channels are
 * already reflected in the snapshot, so after a restore they may be processed again (duplicates,
 * never loss). Several checkpoints may be tracked at once.
 */
import type { Clock } from "../../core/clock.ts";
import type { BarrierHandler, BarrierHandlerActions, CheckpointBarrier } from "./barrier.ts";

interface Tracked {
  readonly barrier: CheckpointBarrier;
  readonly firstSeen: number;
  readonly channels: Set<number>;
}

export class TrackingBarrierHandler implements BarrierHandler {
  private readonly tracked = new Map<number, Tracked>();
  private readonly ended = new Set<number>();
  private latestHandled = -1;

  constructor(
    private readonly channelCount: number,
    private readonly actions: BarrierHandlerActions,
    private readonly clock: Clock,
  ) {}

  get state(): string {
    return this.tracked.size === 0 ? "waiting-for-first-barrier" : `tracking(${[...this.tracked.keys()].join(",")})`;
  }

  onBarrier(channel: number, barrier: CheckpointBarrier): void {
    const id = barrier.checkpointId;
    if (id <= this.latestHandled) return;
    let t = this.tracked.get(id);
    if (t === undefined) this.tracked.set(id, (t = { barrier, firstSeen: this.clock.now(), channels: new Set() }));
    t.channels.add(channel);
    this.completeIfAll(t);
  }

  onEndOfPartition(channel: number): void {
    this.ended.add(channel);
    for (const t of [...this.tracked.values()].sort((a, b) => a.barrier.checkpointId - b.barrier.checkpointId)) this.completeIfAll(t);
  }

  onAbort(checkpointId: number): void {
    for (const id of [...this.tracked.keys()]) if (id <= checkpointId) this.tracked.delete(id);
    if (checkpointId > this.latestHandled) this.latestHandled = checkpointId;
  }

  private completeIfAll(t: Tracked): void {
    let delivered = t.channels.size;
    for (const c of this.ended) if (!t.channels.has(c)) delivered++;
    if (delivered < this.channelCount) return;
    const id = t.barrier.checkpointId;
    // Older checkpoints still tracked can no longer complete in order: a newer one overtook them.
    for (const older of [...this.tracked.keys()]) {
      if (older < id) {
        this.tracked.delete(older);
        this.actions.decline(older, `checkpoint ${id} completed alignment first`);
      }
    }
    this.tracked.delete(id);
    this.latestHandled = id;
    this.actions.checkpoint(t.barrier, this.clock.now() - t.firstSeen);
  }
}
