/**
 * Collects the input channel state of one unaligned checkpoint (see channel-state.ts). Started
 * when the task snapshots: each live channel that did not deliver the barrier in position gives
 * the batches queued before its barrier; a channel whose barrier has not arrived yet keeps giving
 * the batches pushed to it until the barrier arrives. The barrier itself leaves the queue (it was
 * handled on arrival), so the task never takes it in position.
 *
 * Batches stay queued: the task processes them after its snapshot, as it would have. What is
 * recorded is a copy, encoded at once, so nothing the task does to those records reaches it.
 */
import type { BatchCodec } from "./batch-codec.ts";
import { captureBatch, type InFlightBatch, type InputChannelState } from "./channel-state.ts";
import type { ChannelItem } from "./channel-item.ts";
import type { InputChannel, InputGate } from "./input-gate.ts";

export class InFlightRecorder {
  private readonly batches: InFlightBatch[][];
  private readonly recording = new Set<InputChannel>();

  constructor(
    readonly checkpointId: number,
    private readonly codec: BatchCodec,
    private readonly gate: InputGate,
    /** Channels (by gate position) that delivered the barrier in position: nothing of theirs is in flight. */
    inPosition: ReadonlySet<number>,
  ) {
    this.batches = gate.channels.map(() => []);
    for (const channel of gate.channels) {
      if (inPosition.has(channel.index)) continue;
      if (!this.recordQueued(channel)) this.recording.add(channel);
    }
  }

  /** Records the channel's queue up to this checkpoint's barrier (removed) or its end; whether it reached either. */
  private recordQueued(channel: InputChannel): boolean {
    const queue = channel.queue;
    for (let i = 0; i < queue.length; i++) {
      const item = queue[i]!;
      if (this.endsRecording(item)) {
        if (isBarrierOf(item, this.checkpointId)) this.gate.removeQueued(channel, i);
        return true;
      }
      this.record(channel, item);
    }
    return false;
  }

  /**
   * An item arrives at `channel`: recorded if the channel is still recording. Answers whether the
   * item is this checkpoint's barrier, which then must not be queued.
   */
  onArrival(channel: InputChannel, item: ChannelItem): boolean {
    if (!this.recording.has(channel)) return false;
    if (!this.endsRecording(item)) {
      this.record(channel, item);
      return false;
    }
    this.recording.delete(channel);
    return isBarrierOf(item, this.checkpointId);
  }

  /** Whether some channel may still deliver in-flight records. */
  get recordingAny(): boolean {
    return this.recording.size > 0;
  }

  state(): InputChannelState[] {
    return this.batches.map((batches, channel) => ({ channel, batches }));
  }

  /** This checkpoint's barrier, a newer one (this checkpoint's was skipped upstream), or the channel's end. */
  private endsRecording(item: ChannelItem): boolean {
    const kind = (item as { kind?: string }).kind;
    return kind === "end-of-partition" || (kind === "barrier" && (item as { checkpointId: number }).checkpointId >= this.checkpointId);
  }

  private record(channel: InputChannel, item: ChannelItem): void {
    const batch = captureBatch(item, this.codec);
    if (batch !== undefined) this.batches[channel.index]!.push(batch);
  }
}

function isBarrierOf(item: ChannelItem, checkpointId: number): boolean {
  const event = item as { kind?: string; checkpointId?: number };
  return event.kind === "barrier" && event.checkpointId === checkpointId;
}
