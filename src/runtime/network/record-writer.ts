/**
 * Routes a producer's records into the channels of one job edge, batching per channel: a batch is
 * sent when it holds `bufferSize` records (or the fewer its consumer announced, with buffer
 * debloating), when the buffer timeout passes, or before an event.
 * Which channel a record takes is the partitioning's choice (one writer class per kind).
 *
 * Each record goes with the task's current record timestamp. A buffer keeps a timestamp array
 * only once one of its records has a timestamp, so batches of records without any carry none.
 * Watermarks and watermark status go to every channel, after the records buffered before them.
 *
 * A channel to another thread gets its batch as bytes: its records are encoded (batch-codec.ts)
 * a few at a time as they come, while they are still in the cache, so that the batch holds no
 * record objects while it fills and waits for credit. A channel on this thread gets the records.
 */
import type { Clock } from "../../core/clock.ts";
import { BatchCodec } from "./batch-codec.ts";
import { deepCopy } from "../../core/deep-copy.ts";
import { assignToKeyGroup, subtaskForKeyGroup } from "../../core/key-groups.ts";
import type { Partitioning } from "../../graph/stream-graph.ts";
import type { Output } from "../operators/operator.ts";
import type { RecordTimestamp } from "../record-timestamp.ts";
import type { ChannelEvent, ChannelItem } from "./channel-item.ts";
import type { OutputChannel } from "./output-channel.ts";

/** Records a channel to another thread holds before it encodes them into its batch. */
const STAGED = 32;

export abstract class RecordWriter implements Output<unknown> {
  /** Per channel on this thread: its buffered records. */
  protected readonly buffers: unknown[][];
  /** Per channel: the records in its batch being filled. */
  private readonly sizes: number[];
  /** Per channel to another thread: the encoder of its batches (made when the first record comes), and the records not yet encoded (the first `staged`). */
  private readonly remote: readonly boolean[];
  private readonly encoders: (BatchCodec | undefined)[];
  private readonly stages: unknown[][];
  private readonly staged: number[];
  /**
   * Per channel: the timestamps of the buffered records (NaN for none), once one has a timestamp,
   * written in place into an array of `bufferSize`. A full array is sent as it is (it moves to
   * another thread with its batch); a partial one is sent as a copy and kept in `spareStamps`.
   */
  private readonly stamps: (Float64Array | undefined)[];
  private readonly spareStamps: (Float64Array | undefined)[];
  /** When the oldest unsent record was buffered; undefined while all buffers are empty. */
  private pendingSince: number | undefined;

  constructor(
    protected readonly channels: readonly OutputChannel[],
    private readonly bufferSize: number,
    private readonly clock: Clock,
    private readonly time: RecordTimestamp,
  ) {
    this.buffers = channels.map(() => []);
    this.sizes = channels.map(() => 0);
    this.remote = channels.map((c) => !c.local);
    this.encoders = channels.map(() => undefined);
    this.stages = channels.map((c) => (c.local ? [] : new Array<unknown>(STAGED).fill(undefined)));
    this.staged = channels.map(() => 0);
    this.stamps = channels.map(() => undefined);
    this.spareStamps = channels.map(() => undefined);
  }

  abstract collect(record: unknown): void;

  protected push(channel: number, record: unknown): void {
    if (this.pendingSince === undefined) this.pendingSince = this.clock.now();
    const size = this.sizes[channel]!;
    const timestamp = this.time.at;
    let stamps = this.stamps[channel];
    if (timestamp === timestamp && stamps === undefined) stamps = this.stamps[channel] = this.newStamps(channel, size);
    if (stamps !== undefined) stamps[size] = timestamp;
    if (!this.remote[channel]) {
      this.buffers[channel]!.push(record);
    } else {
      const stage = this.stages[channel]!;
      const staged = this.staged[channel]!;
      stage[staged] = record;
      if (staged + 1 < STAGED) this.staged[channel] = staged + 1;
      else {
        this.staged[channel] = 0;
        (this.encoders[channel] ??= new BatchCodec()).append(stage, 0, STAGED);
      }
    }
    this.sizes[channel] = size + 1;
    if (size + 1 >= this.bufferSize || size + 1 >= this.channels[channel]!.batchSize) this.flushChannel(channel);
  }

  private flushChannel(channel: number): void {
    const size = this.sizes[channel]!;
    if (size === 0) return;
    this.sizes[channel] = 0;
    const records = this.takeBatch(channel);
    const stamps = this.stamps[channel];
    if (stamps === undefined) {
      this.channels[channel]!.send(records);
      return;
    }
    this.stamps[channel] = undefined;
    const full = size === stamps.length;
    if (!full) this.spareStamps[channel] = stamps;
    this.channels[channel]!.send({ kind: "timestamped", records, timestamps: full ? stamps : stamps.slice(0, size) });
  }

  /** The channel's batch: its records, or their encoding for a channel to another thread. */
  private takeBatch(channel: number): unknown[] | Uint8Array {
    if (!this.remote[channel]) {
      const buffer = this.buffers[channel]!;
      this.buffers[channel] = [];
      return buffer;
    }
    const encoder = (this.encoders[channel] ??= new BatchCodec());
    const stage = this.stages[channel]!;
    const staged = this.staged[channel]!;
    this.staged[channel] = 0;
    encoder.append(stage, 0, staged);
    stage.fill(undefined, 0, staged);
    return encoder.finish();
  }

  /** An array for the channel's timestamps, the first `buffered` NaN (records buffered before one had a timestamp). */
  private newStamps(channel: number, buffered: number): Float64Array {
    const spare = this.spareStamps[channel];
    this.spareStamps[channel] = undefined;
    return (spare ?? new Float64Array(Math.max(this.bufferSize, buffered + 1))).fill(NaN, 0, buffered);
  }

  emitWatermark(watermark: number): void {
    this.broadcastEvent({ kind: "watermark", timestamp: watermark });
  }

  emitWatermarkStatus(idle: boolean): void {
    this.broadcastEvent({ kind: "watermark-status", idle });
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

  /**
   * Sends an unaligned checkpoint's barrier ahead of every batch not yet received: buffered
   * records are flushed first, then the barrier overtakes each channel's backlog. Answers the
   * overtaken batches per channel (its output channel state); they are still sent, after it.
   */
  overtakeWith(barrier: ChannelEvent): ChannelItem[][] {
    this.flush();
    const overtaken = this.channels.map((channel) => channel.backloggedBatches());
    for (const channel of this.channels) channel.sendAhead(barrier);
    return overtaken;
  }

  /** Sends replayed batches (restored output channel state) before anything else. */
  replay(channel: number, items: readonly ChannelItem[]): void {
    for (const item of items) this.channels[channel]!.send(item);
  }

  get backlogged(): boolean {
    for (const channel of this.channels) if (channel.backlogged) return true;
    return false;
  }

  /** One batch per channel at the sizes the consumers announced; Infinity if any announced none, or there are no channels. */
  announcedRoom(): number {
    if (this.channels.length === 0) return Number.POSITIVE_INFINITY;
    let room = 0;
    for (const channel of this.channels) room += channel.batchSize;
    return room;
  }
}

class ForwardWriter extends RecordWriter {
  collect(record: unknown): void {
    this.push(0, record);
  }
}

class RebalanceWriter extends RecordWriter {
  private next: number;
  constructor(channels: readonly OutputChannel[], bufferSize: number, clock: Clock, time: RecordTimestamp, start: number) {
    super(channels, bufferSize, clock, time);
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

  constructor(channels: readonly OutputChannel[], bufferSize: number, clock: Clock, time: RecordTimestamp, objectReuse: boolean) {
    super(channels, bufferSize, clock, time);
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
    time: RecordTimestamp,
    private readonly keySelector: (value: unknown) => unknown,
    private readonly maxParallelism: number,
  ) {
    super(channels, bufferSize, clock, time);
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
  /** The producing task's current record timestamp, sent with each record. */
  readonly recordTimestamp: RecordTimestamp;
}

/** `channels` are indexed by consumer subtask (a forward edge has exactly one). */
export function createRecordWriter(partitioning: Partitioning, channels: readonly OutputChannel[], settings: RecordWriterSettings): RecordWriter {
  const { bufferSize, clock, recordTimestamp } = settings;
  switch (partitioning.kind) {
    case "forward":
      return new ForwardWriter(channels, bufferSize, clock, recordTimestamp);
    case "rebalance":
      return new RebalanceWriter(channels, bufferSize, clock, recordTimestamp, settings.subtaskIndex);
    case "broadcast":
      return new BroadcastWriter(channels, bufferSize, clock, recordTimestamp, settings.objectReuse);
    case "hash":
      return new KeyGroupWriter(channels, bufferSize, clock, recordTimestamp, partitioning.keySelector, settings.maxParallelism);
  }
}
