/**
 * The Kafka source (Flink's KafkaSource) on the split-based source API: each topic partition is a
 * split, `{ topic, partition, offset }` with the offset of the next record to emit, and optionally
 * a `stoppingOffset` (bounded mode) at which the split is finished.
 *
 * The enumerator (job master) finds the partitions of the topics named (or matching a pattern)
 * with a metadata request, at start and every `partitionDiscoveryIntervalMs`, resolves where each
 * new partition starts (the first discovery by `startingOffsets`, partitions that appear later
 * from their earliest offset, as Flink does) and assigns it to a reader chosen from the topic and
 * partition, so a partition goes to the same reader on every attempt. Its checkpoint is the set
 * of partitions it has assigned; a restore does not find them again.
 *
 * Exactly once: a reader's checkpoint holds each partition's offset after the records it emitted;
 * a restore continues from there. Offsets are also committed to the consumer group (when a
 * `groupId` is given) when a checkpoint completes, for monitoring and for a new job started from
 * "committed"; a failed commit is retried with the next checkpoint and does not fail the job.
 */
import { invalidArgument } from "../../core/errors.ts";
import type { SplitEnumerator, SplitEnumeratorContext, SplitSource, SplitSourceReader, SplitReaderContext } from "../../sources/split-source.ts";
import { resolveKafkaConnection, type KafkaConnectionOptions, type ResolvedKafkaConnection } from "./kafka-connection.ts";
import { KafkaPartitionReader } from "./kafka-partition-reader.ts";
import { KafkaAdminClient } from "./kafka-admin-client.ts";

/** A record as read from Kafka, what a deserializer gets. */
export interface KafkaSourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The record's timestamp (create or log-append time), ms since the epoch. */
  readonly timestamp: number;
  readonly key: Buffer | undefined;
  readonly value: Buffer | undefined;
  readonly headers: ReadonlyMap<string, Buffer>;
}

export type KafkaDeserializer<T> = "string" | "json" | "bytes" | ((record: KafkaSourceRecord) => T);

/**
 * Where partitions start when the job starts without a checkpoint: the earliest or latest offset,
 * the consumer group's committed offset (`fallback` where none is committed, default earliest),
 * the first record at or after a timestamp, or explicit offsets ("topic" -> partition -> offset;
 * partitions not named start at the earliest).
 */
export type KafkaStartingOffsets =
  | "earliest"
  | "latest"
  | { readonly committed: { readonly fallback?: "earliest" | "latest" } }
  | { readonly timestamp: number }
  | { readonly offsets: Readonly<Record<string, Readonly<Record<number, number>>>> };

export interface KafkaSourceOptions<T> extends KafkaConnectionOptions {
  /** Topics by name; or `topicPattern`. */
  readonly topics?: readonly string[];
  /** Every topic whose name matches (internal topics excepted). */
  readonly topicPattern?: RegExp;
  /** Consumer group offsets are committed to (and read by `{ committed }`); none: no commits. */
  readonly groupId?: string;
  /** Default "earliest". */
  readonly startingOffsets?: KafkaStartingOffsets;
  /** Bounded mode: stop at the latest offsets when the partition was found, or at given offsets. */
  readonly stoppingOffsets?: "latest" | { readonly offsets: Readonly<Record<string, Readonly<Record<number, number>>>> };
  /** Default "string" (the value as UTF-8). */
  readonly deserializer?: KafkaDeserializer<T>;
  /** Period of discovery of new partitions and topics; 0: only at start. Default 30000 (unbounded), 0 (bounded). */
  readonly partitionDiscoveryIntervalMs?: number;
  /** Default "read_committed": records of aborted or open transactions are not read. */
  readonly isolationLevel?: "read_committed" | "read_uncommitted";
  /** Longest time the broker holds a fetch without data; default 100. */
  readonly maxWaitMs?: number;
  /** Records buffered per reader before it stops fetching; default 10000. */
  readonly maxBufferedRecords?: number;
}

export interface KafkaPartitionSplit {
  readonly splitId: string;
  readonly topic: string;
  readonly partition: number;
  /** The offset of the next record to emit. */
  readonly offset: number;
  /** Bounded: the split is finished when `offset` reaches it. */
  readonly stoppingOffset?: number;
}

/** The enumerator's checkpoint: the partitions it has assigned, as split ids. */
export interface KafkaEnumeratorState {
  readonly assigned: readonly string[];
}

/** The options after checking, as readers and the enumerator use them. */
export interface ResolvedKafkaSource<T> {
  readonly connection: ResolvedKafkaConnection;
  readonly topics: readonly string[] | undefined;
  readonly topicPattern: RegExp | undefined;
  readonly groupId: string | undefined;
  readonly startingOffsets: KafkaStartingOffsets;
  readonly stoppingOffsets: KafkaSourceOptions<T>["stoppingOffsets"];
  readonly deserialize: (record: KafkaSourceRecord) => T;
  readonly discoveryIntervalMs: number;
  readonly readCommitted: boolean;
  readonly maxWaitMs: number;
  readonly maxBufferedRecords: number;
}

function deserializerOf<T>(deserializer: KafkaDeserializer<T>): (record: KafkaSourceRecord) => T {
  switch (deserializer) {
    case "string":
      return (r) => (r.value?.toString("utf8") ?? "") as T;
    case "json":
      return (r) => JSON.parse(r.value?.toString("utf8") ?? "null") as T;
    case "bytes":
      return (r) => (r.value ?? Buffer.alloc(0)) as T;
    default:
      if (typeof deserializer === "function") return deserializer;
      throw invalidArgument(`kafkaSource: deserializer must be "string", "json", "bytes" or a function (record) => value, got ${String(deserializer)}`);
  }
}

function checkOffsets(what: string, offsets: unknown): void {
  if (offsets === null || typeof offsets !== "object") throw invalidArgument(`kafkaSource: ${what}.offsets must map topic -> partition -> offset`);
  for (const [topic, byPartition] of Object.entries(offsets)) {
    for (const [partition, offset] of Object.entries(byPartition as object)) {
      if (!/^\d+$/.test(partition) || !(Number.isSafeInteger(offset) && (offset as number) >= 0)) {
        throw invalidArgument(`kafkaSource: ${what}.offsets["${topic}"][${partition}] must be a whole offset of a whole partition number, got ${String(offset)}`);
      }
    }
  }
}

export function resolveKafkaSource<T>(options: KafkaSourceOptions<T>): ResolvedKafkaSource<T> {
  const connection = resolveKafkaConnection("kafkaSource", options);
  const { topics, topicPattern } = options;
  if ((topics === undefined) === (topicPattern === undefined)) throw invalidArgument("kafkaSource: give either topics (names) or topicPattern (a RegExp)");
  if (topics !== undefined && (!Array.isArray(topics) || topics.length === 0 || topics.some((t) => typeof t !== "string" || t.length === 0))) {
    throw invalidArgument("kafkaSource: topics must be a non-empty list of topic names");
  }
  if (topicPattern !== undefined && !(topicPattern instanceof RegExp)) throw invalidArgument("kafkaSource: topicPattern must be a RegExp");
  if (options.groupId !== undefined && (typeof options.groupId !== "string" || options.groupId.length === 0)) throw invalidArgument("kafkaSource: groupId must be a non-empty string");
  const starting = options.startingOffsets ?? "earliest";
  if (typeof starting === "object" && "offsets" in starting) checkOffsets("startingOffsets", starting.offsets);
  else if (typeof starting === "object" && "timestamp" in starting) {
    if (!Number.isSafeInteger(starting.timestamp) || starting.timestamp < 0) throw invalidArgument(`kafkaSource: startingOffsets.timestamp must be ms since the epoch, got ${String(starting.timestamp)}`);
  } else if (typeof starting === "object" && "committed" in starting) {
    if (options.groupId === undefined) throw invalidArgument("kafkaSource: startingOffsets { committed } needs a groupId");
  } else if (starting !== "earliest" && starting !== "latest") throw invalidArgument(`kafkaSource: startingOffsets must be "earliest", "latest", { committed }, { timestamp } or { offsets }, got ${JSON.stringify(starting)}`);
  const stopping = options.stoppingOffsets;
  if (stopping !== undefined && stopping !== "latest") {
    if (typeof stopping !== "object" || !("offsets" in stopping)) throw invalidArgument(`kafkaSource: stoppingOffsets must be "latest" or { offsets }, got ${JSON.stringify(stopping)}`);
    checkOffsets("stoppingOffsets", stopping.offsets);
  }
  const interval = options.partitionDiscoveryIntervalMs ?? (stopping === undefined ? 30_000 : 0);
  if (!Number.isSafeInteger(interval) || interval < 0) throw invalidArgument(`kafkaSource: partitionDiscoveryIntervalMs must be 0 or more ms, got ${String(options.partitionDiscoveryIntervalMs)}`);
  if (stopping !== undefined && interval > 0) throw invalidArgument("kafkaSource: a bounded source (stoppingOffsets) does not discover partitions: leave partitionDiscoveryIntervalMs unset or 0");
  const isolation = options.isolationLevel ?? "read_committed";
  if (isolation !== "read_committed" && isolation !== "read_uncommitted") throw invalidArgument(`kafkaSource: isolationLevel must be "read_committed" or "read_uncommitted", got ${String(isolation)}`);
  const maxWaitMs = options.maxWaitMs ?? 100;
  const maxBufferedRecords = options.maxBufferedRecords ?? 10_000;
  if (!Number.isSafeInteger(maxWaitMs) || maxWaitMs < 0) throw invalidArgument(`kafkaSource: maxWaitMs must be 0 or more ms, got ${String(maxWaitMs)}`);
  if (!Number.isSafeInteger(maxBufferedRecords) || maxBufferedRecords < 1) throw invalidArgument(`kafkaSource: maxBufferedRecords must be at least 1, got ${String(maxBufferedRecords)}`);
  return {
    connection,
    topics: topics === undefined ? undefined : [...topics],
    topicPattern,
    groupId: options.groupId,
    startingOffsets: starting,
    stoppingOffsets: stopping,
    deserialize: deserializerOf(options.deserializer ?? ("string" as KafkaDeserializer<T>)),
    discoveryIntervalMs: interval,
    readCommitted: isolation === "read_committed",
    maxWaitMs,
    maxBufferedRecords,
  };
}

/** The reader of `topic`'s partition `partition` among `readers`: the same on every attempt. */
export function ownerOf(topic: string, partition: number, readers: number): number {
  let hash = 0;
  for (let i = 0; i < topic.length; i++) hash = (Math.imul(hash, 31) + topic.charCodeAt(i)) | 0;
  return (((hash & 0x7fffffff) % readers) + partition) % readers;
}

export function splitIdOf(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** The partitions of the source's topics whose split id is `wanted`, as splits that start at `starting` (and stop as the source says). */
export async function findSplits(options: ResolvedKafkaSource<unknown>, starting: KafkaStartingOffsets, wanted: (splitId: string) => boolean = () => true): Promise<KafkaPartitionSplit[]> {
  const admin = await KafkaAdminClient.create(options);
  try {
    const partitions = (await admin.partitions()).filter((p) => wanted(splitIdOf(p.topic, p.partition)));
    if (partitions.length === 0) return [];
    const start = await admin.startOffsets(partitions, starting);
    const stop = options.stoppingOffsets === undefined ? undefined : await admin.stopOffsets(partitions, options.stoppingOffsets);
    return partitions.map((p, i) => {
      const split: KafkaPartitionSplit = { splitId: splitIdOf(p.topic, p.partition), topic: p.topic, partition: p.partition, offset: start[i]! };
      return stop === undefined ? split : { ...split, stoppingOffset: stop[i]! };
    });
  } finally {
    await admin.close();
  }
}

class KafkaEnumerator<T> implements SplitEnumerator<KafkaPartitionSplit, KafkaEnumeratorState> {
  private readonly assigned: Set<string>;
  /** The first discovery uses `startingOffsets`; later ones start new partitions at the earliest. */
  private firstDiscovery: boolean;

  constructor(
    private readonly context: SplitEnumeratorContext<KafkaPartitionSplit>,
    private readonly options: ResolvedKafkaSource<T>,
    restored: KafkaEnumeratorState | undefined,
  ) {
    this.assigned = new Set(restored?.assigned ?? []);
    this.firstDiscovery = restored === undefined;
  }

  start(): void {
    this.context.callAsync(
      () => this.discover(),
      (splits, error) => {
        if (error !== undefined) throw error;
        for (const split of splits ?? []) {
          this.assigned.add(split.splitId);
          this.context.assignSplit(split, ownerOf(split.topic, split.partition, this.context.currentParallelism()));
        }
        if (this.options.stoppingOffsets !== undefined) {
          for (let r = 0; r < this.context.currentParallelism(); r++) this.context.signalNoMoreSplits(r);
        }
      },
      0,
      this.options.discoveryIntervalMs,
    );
  }

  /** The partitions not assigned yet, with where they start (and stop). */
  private async discover(): Promise<KafkaPartitionSplit[]> {
    const starting = this.firstDiscovery ? this.options.startingOffsets : "earliest";
    const splits = await findSplits(this.options, starting, (splitId) => !this.assigned.has(splitId));
    this.firstDiscovery = false;
    return splits;
  }

  handleSplitRequest(): void {}
  addReader(): void {}

  snapshotState(): KafkaEnumeratorState {
    return { assigned: [...this.assigned] };
  }
}

/** A Kafka source for `env.fromSource(kafkaSource({...}), strategy, name)`. */
export function kafkaSource<T = string>(options: KafkaSourceOptions<T>): SplitSource<T, KafkaPartitionSplit, KafkaEnumeratorState> {
  const resolved = resolveKafkaSource(options);
  return {
    boundedness: resolved.stoppingOffsets === undefined ? "unbounded" : "bounded",
    emitsOwnedRecords: true,
    createEnumerator: (context) => new KafkaEnumerator<T>(context, resolved, undefined),
    restoreEnumerator: (context, checkpoint) => new KafkaEnumerator<T>(context, resolved, checkpoint),
    createReader: (context: SplitReaderContext): SplitSourceReader<T, KafkaPartitionSplit> => new KafkaPartitionReader<T>(context, resolved),
  };
}
