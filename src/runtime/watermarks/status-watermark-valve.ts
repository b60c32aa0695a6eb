/**
 * The combined watermark of a task's input channels (Flink's StatusWatermarkValve): the minimum
 * of the watermarks of the active channels, emitted only when it advances, so a task's watermark
 * never goes backwards.
 *
 * Idleness: a channel whose producer declared itself idle does not hold the combined watermark
 * back. When every channel is idle, the task first emits the highest watermark any channel
 * reached (if that advances it) and then declares itself idle downstream. A channel that becomes
 * active again takes part in the minimum only once its watermark has caught up with the combined
 * one, so its return never moves the combined watermark backwards. An ended channel sends nothing
 * more and counts as having reached the maximum watermark.
 *
 * Pure decision logic: facts in (watermark, status, end per channel), decisions out through
 * `output`.
 */
import { MAX_WATERMARK, MIN_WATERMARK } from "../../core/watermark.ts";

export interface ValveOutput {
  emitWatermark(watermark: number): void;
  emitWatermarkStatus(idle: boolean): void;
}

interface ChannelState {
  watermark: number;
  idle: boolean;
  /** Takes part in the minimum: active, and its watermark is at or past the combined one. */
  aligned: boolean;
}

export class StatusWatermarkValve {
  private readonly channels: ChannelState[];
  private lastOutput = MIN_WATERMARK;
  private idle = false;

  constructor(
    channelCount: number,
    private readonly output: ValveOutput,
  ) {
    this.channels = Array.from({ length: channelCount }, () => ({ watermark: MIN_WATERMARK, idle: false, aligned: true }));
  }

  /** The combined watermark emitted last (MIN_WATERMARK before the first). */
  get watermark(): number {
    return this.lastOutput;
  }

  /** Whether the task declared itself idle downstream. */
  get isIdle(): boolean {
    return this.idle;
  }

  inputWatermark(channel: number, watermark: number): void {
    const state = this.channels[channel]!;
    // An idle channel's watermarks are ignored until it declares itself active again (Flink).
    if (state.idle || watermark <= state.watermark) return;
    state.watermark = watermark;
    if (!state.aligned && watermark >= this.lastOutput) state.aligned = true;
    this.emitMinimumIfAdvanced();
  }

  inputWatermarkStatus(channel: number, idle: boolean): void {
    const state = this.channels[channel]!;
    if (state.idle === idle) return;
    state.idle = idle;
    if (idle) {
      state.aligned = false;
      if (this.channels.every((c) => c.idle)) {
        this.emitMaximumIfAdvanced();
        if (!this.idle) {
          this.idle = true;
          this.output.emitWatermarkStatus(true);
        }
      } else {
        this.emitMinimumIfAdvanced();
      }
    } else {
      if (state.watermark >= this.lastOutput) state.aligned = true;
      if (this.idle) {
        this.idle = false;
        this.output.emitWatermarkStatus(false);
      }
    }
  }

  /** The channel ended: it holds nothing back any more. */
  channelEnded(channel: number): void {
    this.inputWatermarkStatus(channel, false);
    this.inputWatermark(channel, MAX_WATERMARK);
  }

  private emitMinimumIfAdvanced(): void {
    let min = Infinity;
    let any = false;
    for (const c of this.channels) {
      if (!c.aligned) continue;
      any = true;
      if (c.watermark < min) min = c.watermark;
    }
    if (any && min > this.lastOutput) this.emit(min);
  }

  private emitMaximumIfAdvanced(): void {
    let max = MIN_WATERMARK;
    for (const c of this.channels) if (c.watermark > max) max = c.watermark;
    if (max > this.lastOutput) this.emit(max);
  }

  private emit(watermark: number): void {
    this.lastOutput = watermark;
    for (const c of this.channels) if (!c.idle && !c.aligned && c.watermark >= watermark) c.aligned = true;
    this.output.emitWatermark(watermark);
  }
}
