/**
 * The consumer's side of a task's input channels. Items are queued per channel in arrival order;
 * `poll` serves channels with data round-robin, so one busy channel cannot starve the others.
 * Taking a batch returns its credit to the producer.
 */
import type { ChannelItem } from "./channel-item.ts";

export class InputChannel {
  readonly queue: ChannelItem[] = [];
  ended = false;
  /** Whether the channel is in the gate's ready list. */
  ready = false;

  constructor(
    readonly id: number,
    readonly inputIndex: 0 | 1,
    /** Grants the producer credit for `n` more batches. */
    readonly returnCredit: (n: number) => void,
  ) {}
}

export class InputGate {
  private readonly readyChannels: InputChannel[] = [];

  constructor(readonly channels: readonly InputChannel[]) {}

  push(channel: InputChannel, item: ChannelItem): void {
    channel.queue.push(item);
    if (!channel.ready) {
      channel.ready = true;
      this.readyChannels.push(channel);
    }
  }

  get hasData(): boolean {
    return this.readyChannels.length > 0;
  }

  /**
   * The channel whose head item is next; the caller takes that item off `channel.queue`. The
   * channel goes to the back of the line if it holds more.
   */
  poll(): InputChannel | undefined {
    const channel = this.readyChannels.shift();
    if (channel === undefined) return undefined;
    if (channel.queue.length > 1) this.readyChannels.push(channel);
    else channel.ready = false;
    return channel;
  }
}
