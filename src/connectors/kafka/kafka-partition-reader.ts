/**
 * Reads the Kafka partitions (splits) assigned to one source subtask. A fetch loop runs beside
 * the task: it asks each partition's leader for records after the partition's fetch position and
 * queues them per partition (read_committed filtering in record-batches.ts); `pollNext` emits
 * queued records through each partition's own split output (per-partition watermarks) and moves
 * the split's offset past each record it emits, so a checkpoint holds exactly what was emitted.
 * The loop pauses while `maxBufferedRecords` records wait. A fetch failure fails the task on its
 * next poll (the client has retried it), with the brokers and the cause.
 */
import { WeirError } from "../../core/errors.ts";
import { AVAILABLE, type InputStatus } from "../../sources/source.ts";
import { SourceReaderBase, checkSplit, isWholeNumber, promiseWithResolve, type HeldSplit } from "../../sources/source-reader-base.ts";
import type { ReaderOutput, SplitReaderContext } from "../../sources/split-source.ts";
import type { ConnectorMetrics } from "../../runtime/metrics.ts";
import { kafkaFailure } from "./kafka-connection.ts";
import { KafkaAdminClient } from "./kafka-admin-client.ts";
import { readBatches, type FetchedBatch, type FetchedEntry } from "./record-batches.ts";
import { isRetryable, KafkaFetcher, type FetchRequestTopic } from "./kafka-fetcher.ts";
import type { KafkaPartitionSplit, KafkaSourceRecord, ResolvedKafkaSource } from "./kafka-source.ts";

/** A queued record, or (entry undefined) a position past skipped batches. */
interface Queued {
  readonly entry: FetchedEntry | undefined;
  readonly next: number;
}

interface Held {
  fetchOffset: number;
  /** The partition's end (last stable offset when reading committed, else high watermark) at the last fetch; -1 before one. */
  endOffset: number;
  readonly queue: Queued[];
  head: number;
}

export class KafkaPartitionReader<T> extends SourceReaderBase<T, KafkaPartitionSplit> {
  /** Made when the reader is, once the Kafka client library is loaded; a failure to load surfaces at its first use. */
  private readonly client: Promise<KafkaAdminClient>;
  private readonly fetcher: Promise<KafkaFetcher>;
  private readonly held = new Map<string, Held>();
  private buffered = 0;
  private recordsIn = 0;
  private failure: unknown;
  private closed = false;
  private loop: Promise<void> | undefined;
  private fetched: { promise: Promise<void>; resolve: () => void } | undefined;
  private wakeLoop: (() => void) | undefined;
  /** Offsets per completed-to-be checkpoint, committed to the group when it completes. */
  private readonly pendingCommits = new Map<number, { topic: string; partition: number; offset: number }[]>();

  constructor(
    context: SplitReaderContext,
    private readonly options: ResolvedKafkaSource<T>,
  ) {
    super(context);
    this.client = KafkaAdminClient.create(options as ResolvedKafkaSource<unknown>);
    this.client.catch(() => undefined);
    this.fetcher = this.client.then((client) => new KafkaFetcher(client.kafka, options.connection, () => client.consumer.listApis()));
    this.fetcher.catch(() => undefined);
  }

  override start(): void | Promise<void> {
    this.loop = this.fetchLoop();
    return super.start();
  }

  override addSplits(splits: readonly KafkaPartitionSplit[]): void {
    super.addSplits(splits);
    this.wakeLoop?.();
  }

  protected override adopt(split: KafkaPartitionSplit): HeldSplit<KafkaPartitionSplit> {
    checkSplit(
      split,
      (s) => typeof s.topic === "string" && isWholeNumber(s.partition) && isWholeNumber(s.offset) && (s.stoppingOffset === undefined || isWholeNumber(s.stoppingOffset)),
      "a Kafka partition split",
      "topic, partition, offset (and optionally stoppingOffset)",
    );
    this.held.set(split.splitId, { fetchOffset: split.offset, endOffset: -1, queue: [], head: 0 });
    return { ...split };
  }

  protected snapshotSplit(split: HeldSplit<KafkaPartitionSplit>): KafkaPartitionSplit {
    const { splitId, topic, partition, offset, stoppingOffset } = split;
    return stoppingOffset === undefined ? { splitId, topic, partition, offset } : { splitId, topic, partition, offset, stoppingOffset };
  }

  override snapshotState(checkpointId: number): KafkaPartitionSplit[] {
    const splits = super.snapshotState(checkpointId);
    if (this.options.groupId !== undefined) this.pendingCommits.set(checkpointId, splits.map((s) => ({ topic: s.topic, partition: s.partition, offset: s.offset })));
    return splits;
  }

  notifyCheckpointComplete(checkpointId: number): void {
    const offsets = this.pendingCommits.get(checkpointId);
    for (const id of [...this.pendingCommits.keys()]) if (id <= checkpointId) this.pendingCommits.delete(id);
    // The checkpoint holds the offsets a restore uses; the group's are for monitoring and for a
    // new job started from them, so a failed commit is left to the next checkpoint's.
    if (offsets !== undefined) void this.client.then((client) => client.commit(offsets)).catch(() => undefined);
  }

  protected readSplits(output: ReaderOutput<T>, maxRecords: number): InputStatus {
    if (this.failure !== undefined) throw kafkaFailure("source", this.options.connection, "fetching records", this.failure);
    let emitted = 0;
    for (const split of [...this.splits]) {
      const held = this.held.get(split.splitId)!;
      const splitOutput = output.createOutputForSplit(split.splitId);
      while (emitted < maxRecords && held.head < held.queue.length && !this.stopped(split)) {
        const queued = held.queue[held.head++]!;
        if (queued.entry !== undefined) {
          const entry = queued.entry;
          const record: KafkaSourceRecord = { topic: split.topic, partition: split.partition, ...entry };
          let value: T;
          try {
            value = this.options.deserialize(record);
          } catch (e) {
            throw new WeirError("WEIR_ERR_SOURCE_IO", `Kafka record ${split.topic}-${split.partition}@${entry.offset} could not be deserialized: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
          }
          splitOutput.collect(value);
          emitted++;
          this.buffered--;
        }
        split.offset = Math.max(split.offset, queued.next);
      }
      if (held.head === held.queue.length) {
        held.queue.length = 0;
        held.head = 0;
      }
      if (this.stopped(split)) {
        this.held.delete(split.splitId);
        output.releaseOutputForSplit(split.splitId);
        this.finishSplit(split);
      }
    }
    this.recordsIn += emitted;
    this.wakeLoop?.();
    return emitted > 0 || this.splits.some((s) => this.hasQueued(s)) ? "more-available" : "nothing-available";
  }

  /** Lag per partition: its end offset at the last fetch minus the split's offset (the next record to emit). */
  metrics(): ConnectorMetrics {
    let pending = 0;
    let max = 0;
    for (const split of this.splits) {
      const end = this.held.get(split.splitId)?.endOffset ?? -1;
      const lag = end < 0 ? 0 : Math.max(0, end - split.offset);
      pending += lag;
      max = Math.max(max, lag);
    }
    return { numRecordsIn: this.recordsIn, pendingRecords: pending, "records-lag-max": max };
  }

  protected override splitsAvailable(): Promise<void> {
    if (this.failure !== undefined || this.splits.some((s) => this.hasQueued(s) || this.stopped(s))) return AVAILABLE;
    this.fetched ??= promiseWithResolve();
    return this.fetched.promise;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeLoop?.();
    await this.loop?.catch(() => undefined);
    await (await this.fetcher.catch(() => undefined))?.close().catch(() => undefined);
    await (await this.client.catch(() => undefined))?.close();
  }

  private stopped(split: HeldSplit<KafkaPartitionSplit>): boolean {
    return split.stoppingOffset !== undefined && split.offset >= split.stoppingOffset;
  }

  private hasQueued(split: HeldSplit<KafkaPartitionSplit>): boolean {
    const held = this.held.get(split.splitId);
    return held !== undefined && held.head < held.queue.length;
  }

  private wakeTask(): void {
    const waiter = this.fetched;
    this.fetched = undefined;
    waiter?.resolve();
  }

  /**
   * Fetches until closed: one request per leader at a time, pausing while the queues are full or
   * no split is held. A retryable failure is retried `retries` times in a row, `retryDelayMs`
   * apart, with fresh metadata (the leader may have moved); a partition's position moves only
   * when its answer arrives, so a retry fetches nothing twice.
   */
  private async fetchLoop(): Promise<void> {
    let failures = 0;
    try {
      while (!this.closed) {
        const wanted = this.splits.filter((s) => s.stoppingOffset === undefined || this.held.get(s.splitId)!.fetchOffset < s.stoppingOffset);
        if (wanted.length === 0 || this.buffered >= this.options.maxBufferedRecords) {
          await new Promise<void>((resolve) => (this.wakeLoop = resolve));
          this.wakeLoop = undefined;
          continue;
        }
        try {
          await this.fetchOnce(wanted, failures > 0);
          failures = 0;
        } catch (e) {
          if (this.closed || !isRetryable(e) || failures >= this.options.connection.retries) throw e;
          failures++;
          await new Promise((resolve) => setTimeout(resolve, this.options.connection.retryDelayMs));
        }
      }
    } catch (e) {
      if (!this.closed) {
        this.failure = e;
        this.wakeTask();
      }
    }
  }

  private async fetchOnce(splits: readonly HeldSplit<KafkaPartitionSplit>[], refresh: boolean): Promise<void> {
    const consumer = (await this.client).consumer;
    const fetcher = await this.fetcher;
    const topics = [...new Set(splits.map((s) => s.topic))];
    let metadata = await consumer.metadata({ topics, forceUpdate: refresh });
    // The client keeps metadata for minutes: a partition added since (found by the enumerator's
    // discovery) is missing from it until it is asked again.
    if (splits.some((s) => metadata.topics.get(s.topic)?.partitions[s.partition] === undefined)) metadata = await consumer.metadata({ topics, forceUpdate: true });
    const byLeader = new Map<number, FetchRequestTopic[]>();
    const names = new Map<string, string>();
    for (const split of splits) {
      const topic = metadata.topics.get(split.topic);
      const partition = topic?.partitions[split.partition];
      if (topic === undefined || partition === undefined) throw new Error(`partition ${split.splitId} is not in the broker's metadata`);
      names.set(topic.id, split.topic);
      const requests = byLeader.get(partition.leader) ?? [];
      byLeader.set(partition.leader, requests);
      requests.push({
        topicId: topic.id,
        partitions: [{ partition: split.partition, fetchOffset: BigInt(this.held.get(split.splitId)!.fetchOffset), partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }],
      });
    }
    await Promise.all(
      [...byLeader].map(async ([node, topicRequests]) => {
        const broker = metadata.brokers.get(node);
        if (broker === undefined) throw new Error(`the leader ${node} of a partition is not among the brokers in the metadata`);
        const response = await fetcher.fetch(broker, topicRequests, this.options.maxWaitMs, this.options.readCommitted);
        for (const topicResponse of response.responses) {
          const topic = names.get(topicResponse.topicId as string)!;
          for (const p of topicResponse.partitions) {
            if (p.errorCode !== 0) throw new Error(`fetching ${topic}-${p.partitionIndex} failed with error code ${p.errorCode}`);
            const held = this.held.get(`${topic}-${p.partitionIndex}`);
            if (held !== undefined) held.endOffset = Number(this.options.readCommitted ? p.lastStableOffset : p.highWatermark);
            if (held === undefined || p.records === undefined || p.records === null) continue;
            const from = held.fetchOffset;
            const queue = held.queue;
            const before = queue.length;
            const position = readBatches(p.records as unknown as FetchedBatch[], (p.abortedTransactions ?? []) as never, this.options.readCommitted, from, (entry) => {
              queue.push({ entry, next: entry.offset + 1 });
            });
            this.buffered += queue.length - before;
            if (position > from) queue.push({ entry: undefined, next: position });
            held.fetchOffset = position;
          }
        }
      }),
    );
    this.wakeTask();
  }
}
