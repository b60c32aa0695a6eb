/**
 * Routes a producer's records into the channels of one job edge, batching per channel: a batch is
 * sent when it holds `bufferSize` records, when the buffer timeout passes, or before an event.
 * Which channel a record takes is the partitioning's choice (one writer class per kind).
 */
import type { Clock } from "../../core/clock.ts";
import { deepCopy } from "../../core/deep-copy.ts";
import { assignToKeyGroup, subtaskForKeyGroup } from "../../core/key-groups.ts";
import type { Partitioning } from "../../graph/stream-graph.ts";
import type { Output } from "../operators/operator.ts";
import type { ChannelEvent } from "./channel-item.ts";
import type { OutputChannel } from "./output-channel.ts";

export abstract class RecordWriter implements Output<unknown> {
  protected readonly buffers: unknown[][];
  /** When the oldest unsent record was buffered; undefined while all buffers are empty. */
  private pendingSince: number | undefined;

  constructor(
    protected readonly channels: readonly OutputChannel[],
    private readonly bufferSize: number,
    private readonly clock: Clock,
  ) {
    this.buffers = channels.map(() => []);
  }

  abstract collect(record: unknown): void;

  protected push(channel: number, record: unknown): void {
    const buffer = this.buffers[channel]!;
    if (this.pendingSince === undefined) this.pendingSince = this.clock.now();
    buffer.push(record);
    if (buffer.length >= this.bufferSize) this.flushChannel(channel);
  }

  private flushChannel(channel: number): void {
    const buffer = this.buffers[channel]!;
    if (buffer.length === 0) return;
    this.buffers[channel] = [];
    this.channels[channel]!.send(buffer);
  }

  flush(): void {
    for (let i = 0; i < this.buffers.length; i++) this.flushChannel(i);
    this.pendingSince = undefined;
  }

  /** When the buffered records must be sent by, given the timeout; undefined if nothing is buffered. */
  flushDeadline(timeoutMs: number): number | undefined {
    return this.pendingSince === undefined ? undefined : this.pendingSince + timeoutMs;
  }

  broadcastEvent(event: ChannelEvent): void {
    this.flush();
    for (const channel of this.channels) channel.send(event);
  }

  get backlogged(): boolean {
    for (const channel of this.channels) if (channel.backlogged) return true;
    return false;
  }
}

class ForwardWriter extends RecordWriter {
  collect(record: unknown): void {
    this.push(0, record);
  }
}

class RebalanceWriter extends RecordWriter {
  private next: number;
  constructor(channels: readonly OutputChannel[], bufferSize: number, clock: Clock, start: number) {
    super(channels, bufferSize, clock);
    this.next = start % channels.length;
  }
  collect(record: unknown): void {
    this.push(this.next, record);
    this.next = this.next + 1 === this.channels.length ? 0 : this.next + 1;
  }
}

/**
 * Every consumer on this thread gets a record of its own, unless objects are reused (see
 * record-ownership.ts): the first local channel the record itself, the other local channels a
 * copy each. Channels to other threads only encode what they are sent, so they share the record
 * when no local consumer could change it, and one copy when one could.
 */
class BroadcastWriter extends RecordWriter {
  /** Per channel: the record itself, a copy of its own, or the copy the remote channels share. */
  private readonly delivery: readonly ("record" | "copy" | "remote-copy")[];

  constructor(channels: readonly OutputChannel[], bufferSize: number, clock: Clock, objectReuse: boolean) {
    super(channels, bufferSize, clock);
    const firstLocal = objectReuse ? -1 : channels.findIndex((c) => c.local);
    this.delivery = channels.map((c, i) => (firstLocal === -1 || i === firstLocal ? "record" : c.local ? "copy" : "remote-copy"));
  }

  collect(record: unknown): void {
    let remoteCopy: unknown;
    for (let i = 0; i < this.channels.length; i++) {
      const delivery = this.delivery[i];
      if (delivery === "record") this.push(i, record);
      else if (delivery === "copy") this.push(i, deepCopy(record));
      else this.push(i, remoteCopy === undefined ? (remoteCopy = deepCopy(record)) : remoteCopy);
    }
  }
}

class KeyGroupWriter extends RecordWriter {
  constructor(
    channels: readonly OutputChannel[],
    bufferSize: number,
    clock: Clock,
    private readonly keySelector: (value: unknown) => unknown,
    private readonly maxParallelism: number,
  ) {
    super(channels, bufferSize, clock);
  }
  collect(record: unknown): void {
    const group = assignToKeyGroup(this.keySelector(record), this.maxParallelism);
    this.push(subtaskForKeyGroup(group, this.channels.length, this.maxParallelism), record);
  }
}

export interface RecordWriterSettings {
  readonly bufferSize: number;
  readonly clock: Clock;
  readonly maxParallelism: number;
  /** The producing subtask; spreads round-robin starting points. */
  readonly subtaskIndex: number;
  /** Records may be shared between consumers (object reuse); else each consumer gets its own. */
  readonly objectReuse: boolean;
}

/** `channels` are indexed by consumer subtask (a forward edge has exactly one). */
export function createRecordWriter(partitioning: Partitioning, channels: readonly OutputChannel[], settings: RecordWriterSettings): RecordWriter {
  const { bufferSize, clock } = settings;
  switch (partitioning.kind) {
    case "forward":
      return new ForwardWriter(channels, bufferSize, clock);
    case "rebalance":
      return new RebalanceWriter(channels, bufferSize, clock, settings.subtaskIndex);
    case "broadcast":
      return new BroadcastWriter(channels, bufferSize, clock, settings.objectReuse);
    case "hash":
      return new KeyGroupWriter(channels, bufferSize, clock, partitioning.keySelector, settings.maxParallelism);
  }
}
