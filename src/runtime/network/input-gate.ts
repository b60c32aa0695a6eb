/**
 * The consumer's side of a task's input channels. Items are queued per channel in arrival order;
 * `poll` serves channels with data round-robin, so one busy channel cannot starve the others.
 * A blocked channel (one that delivered a barrier the task is aligning on) keeps its items queued
 * and is not served until unblocked. Taking a batch returns its credit to the producer.
 */
import type { ChannelItem } from "./channel-item.ts";

export class InputChannel {
  readonly queue: ChannelItem[] = [];
  /** Position in the gate; barrier handlers name channels by it. */
  index = -1;
  /** Whether the channel is in the gate's ready list. */
  ready = false;
  blocked = false;

  constructor(
    readonly id: number,
    readonly inputIndex: 0 | 1,
    /** Grants the producer credit for `n` more batches. */
    readonly returnCredit: (n: number) => void,
  ) {}
}

export class InputGate {
  private readyChannels: InputChannel[] = [];

  constructor(readonly channels: readonly InputChannel[]) {
    channels.forEach((c, i) => (c.index = i));
  }

  push(channel: InputChannel, item: ChannelItem): void {
    channel.queue.push(item);
    this.markReady(channel);
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

  block(index: number): void {
    const channel = this.channels[index]!;
    if (channel.blocked) return;
    channel.blocked = true;
    if (channel.ready) {
      channel.ready = false;
      this.readyChannels = this.readyChannels.filter((c) => c !== channel);
    }
  }

  unblockAll(): void {
    for (const channel of this.channels) {
      if (!channel.blocked) continue;
      channel.blocked = false;
      if (channel.queue.length > 0) this.markReady(channel);
    }
  }

  private markReady(channel: InputChannel): void {
    if (!channel.ready && !channel.blocked) {
      channel.ready = true;
      this.readyChannels.push(channel);
    }
  }
}
