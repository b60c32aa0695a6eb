/**
 * The consumer's side of a task's input channels. Items are queued per channel in arrival order;
 * `poll` serves channels with data round-robin, so one busy channel cannot starve the others.
 * A blocked channel (one that delivered a barrier the task is aligning on) keeps its items queued
 * and is not served until unblocked. Taking a batch returns its credit to the producer, except
 * for the batches a restore queued before any arrived (replayed channel state), which took none.
 *
 * A task with unaligned checkpoints watches arrivals (`watchArrivals`): a barrier is seen when it
 * arrives, ahead of the records queued before it, and the watcher may keep it out of the queue.
 */
import type { ChannelItem } from "./channel-item.ts";

export class InputChannel {
  readonly queue: ChannelItem[] = [];
  /** Position in the gate; barrier handlers name channels by it. */
  index = -1;
  /** Whether the channel is in the gate's ready list. */
  ready = false;
  blocked = false;
  /** Queued batches that were granted no credit (restored channel state): taking them returns none. */
  uncredited = 0;

  constructor(
    readonly id: number,
    readonly inputIndex: 0 | 1,
    /** Grants the producer credit for `n` more batches. */
    readonly returnCredit: (n: number) => void,
    /** Tells the producer how many records a batch should hold (buffer debloating). */
    readonly announceBatchSize: (records: number) => void = () => {},
  ) {}

  /** The task took a batch off the queue: its credit goes back to the producer. */
  batchTaken(): void {
    if (this.uncredited > 0) this.uncredited--;
    else this.returnCredit(1);
  }

  /** Queues a replayed batch ahead of anything the producer sends. */
  restoreBatch(item: ChannelItem): void {
    this.queue.push(item);
    this.uncredited++;
  }
}

/** Sees each item as it arrives; answers true to keep it out of the queue. */
export type ArrivalWatcher = (channel: InputChannel, item: ChannelItem) => boolean;

export class InputGate {
  private readyChannels: InputChannel[] = [];
  private watcher: ArrivalWatcher | undefined;

  constructor(readonly channels: readonly InputChannel[]) {
    channels.forEach((c, i) => (c.index = i));
  }

  watchArrivals(watcher: ArrivalWatcher): void {
    this.watcher = watcher;
  }

  /** Channels that already hold queued items (restored channel state) are made ready. */
  markRestored(): void {
    for (const channel of this.channels) if (channel.queue.length > 0) this.markReady(channel);
  }

  push(channel: InputChannel, item: ChannelItem): void {
    if (this.watcher?.(channel, item) === true) return;
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

  /** Puts the unprocessed rest of a batch back at the front of its channel; its credit was returned with the batch. */
  requeueFront(channel: InputChannel, item: ChannelItem): void {
    channel.queue.unshift(item);
    channel.uncredited++;
    this.markReady(channel);
  }

  /** Takes the item at `position` out of the channel's queue (an unaligned barrier, handled on arrival). */
  removeQueued(channel: InputChannel, position: number): void {
    channel.queue.splice(position, 1);
    if (channel.queue.length === 0 && channel.ready) {
      channel.ready = false;
      this.readyChannels = this.readyChannels.filter((c) => c !== channel);
    }
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
