/**
 * The requests of the Kafka source besides fetching: partitions of the topics (metadata), offsets
 * by position or timestamp, the group's committed offsets, and committing offsets to the group as
 * a standalone member (generation -1: the source assigns partitions itself, it joins no group).
 * Failures become WEIR_ERR_SOURCE_UNREACHABLE / WEIR_ERR_SOURCE_IO naming the brokers.
 */
import type { Consumer } from "@platformatic/kafka";
import { loadKafkaClient } from "../../core/client-libraries.ts";
import { clientOptions, describeKafkaError, kafkaFailure } from "./kafka-connection.ts";
import type { KafkaSourceOptions, ResolvedKafkaSource } from "./kafka-source.ts";

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

const GROUP_KEY = 0;
const EARLIEST = -2n;
const LATEST = -1n;

export class KafkaAdminClient {
  readonly consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;

  private constructor(
    private readonly options: ResolvedKafkaSource<unknown>,
    readonly kafka: Awaited<ReturnType<typeof loadKafkaClient>>,
  ) {
    this.consumer = new kafka.Consumer({
      ...clientOptions(options.connection),
      groupId: options.groupId ?? `${options.connection.clientId}-source`,
      isolationLevel: options.readCommitted ? 1 : 0,
    });
  }

  /** A client of the source's brokers (it connects on its first request). */
  static async create(options: ResolvedKafkaSource<unknown>): Promise<KafkaAdminClient> {
    return new KafkaAdminClient(options, await loadKafkaClient());
  }

  /** The partitions of the topics named or matching the pattern, sorted. */
  async partitions(): Promise<TopicPartition[]> {
    try {
      let topics = this.options.topics;
      if (topics === undefined) {
        const pattern = this.options.topicPattern!;
        topics = (await this.topicNames()).filter((t) => !t.startsWith("__") && pattern.test(t));
        if (topics.length === 0) return [];
      }
      const metadata = await this.consumer.metadata({ topics: [...topics], autocreateTopics: false } as never);
      const found: TopicPartition[] = [];
      for (const topic of [...topics].sort()) {
        const t = metadata.topics.get(topic);
        if (t === undefined) continue;
        for (let partition = 0; partition < t.partitionsCount; partition++) found.push({ topic, partition });
      }
      return found;
    } catch (e) {
      throw kafkaFailure("source", this.options.connection, "listing the topics' partitions", e);
    }
  }

  /**
   * Every topic of the cluster. A metadata request for no topics answers with none (the client's
   * `metadata({ topics: [] })` is such a request); only a request for all topics lists them.
   */
  private async topicNames(): Promise<string[]> {
    const admin = new this.kafka.Admin(clientOptions(this.options.connection));
    try {
      return await admin.listTopics();
    } finally {
      await admin.close().catch(() => undefined);
    }
  }

  /** Where each of `partitions` starts. */
  async startOffsets(partitions: readonly TopicPartition[], starting: KafkaSourceOptions<unknown>["startingOffsets"]): Promise<number[]> {
    if (starting === "earliest" || starting === undefined) return this.offsets(partitions, EARLIEST);
    if (starting === "latest") return this.offsets(partitions, LATEST);
    if ("timestamp" in starting) {
      const [at, latest] = [await this.offsets(partitions, BigInt(starting.timestamp)), await this.offsets(partitions, LATEST)];
      return at.map((o, i) => (o < 0 ? latest[i]! : o));
    }
    if ("offsets" in starting) {
      const earliest = await this.offsets(partitions, EARLIEST);
      return partitions.map((p, i) => starting.offsets[p.topic]?.[p.partition] ?? earliest[i]!);
    }
    const fallback = await this.offsets(partitions, starting.committed.fallback === "latest" ? LATEST : EARLIEST);
    const committed = await this.committed(partitions);
    return committed.map((o, i) => (o < 0 ? fallback[i]! : o));
  }

  /** Where each of `partitions` stops (bounded mode). */
  async stopOffsets(partitions: readonly TopicPartition[], stopping: NonNullable<KafkaSourceOptions<unknown>["stoppingOffsets"]>): Promise<number[]> {
    const latest = await this.offsets(partitions, LATEST);
    if (stopping === "latest") return latest;
    return partitions.map((p, i) => stopping.offsets[p.topic]?.[p.partition] ?? latest[i]!);
  }

  /** Commits `offsets` (the next offset to read, per partition) to the group. */
  async commit(offsets: readonly (TopicPartition & { readonly offset: number })[]): Promise<void> {
    const groupId = this.options.groupId;
    if (groupId === undefined || offsets.length === 0) return;
    const byTopic = new Map<string, { name: string; partitions: { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: null }[] }>();
    for (const o of offsets) {
      let t = byTopic.get(o.topic);
      if (t === undefined) byTopic.set(o.topic, (t = { name: o.topic, partitions: [] }));
      t.partitions.push({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedLeaderEpoch: -1, committedMetadata: null });
    }
    const { Connection, findCoordinatorV6, offsetCommitV9 } = this.kafka;
    const connection = new Connection(this.options.connection.clientId, { connectTimeout: this.options.connection.connectTimeoutMs, requestTimeout: this.options.connection.requestTimeoutMs });
    try {
      const [host, port] = splitAddress(this.options.connection.bootstrapServers[0]!);
      await connection.connect(host, port);
      const found = await findCoordinatorV6.api.async(connection, GROUP_KEY, [groupId]);
      const node = found.coordinators[0];
      if (node === undefined || node.errorCode !== 0) throw new Error(`no group coordinator for ${groupId}: ${describeKafkaError(node?.errorMessage ?? "empty answer")}`);
      const coordinator = new Connection(this.options.connection.clientId, { connectTimeout: this.options.connection.connectTimeoutMs, requestTimeout: this.options.connection.requestTimeoutMs });
      try {
        await coordinator.connect(node.host, node.port);
        await offsetCommitV9.api.async(coordinator, groupId, -1, "", null, [...byTopic.values()]);
      } finally {
        await coordinator.close().catch(() => undefined);
      }
    } catch (e) {
      throw kafkaFailure("source", this.options.connection, `committing offsets to group ${groupId}`, e);
    } finally {
      await connection.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await Promise.resolve(this.consumer.close(true)).catch(() => undefined);
  }

  private async offsets(partitions: readonly TopicPartition[], timestamp: bigint): Promise<number[]> {
    try {
      const topics = [...new Set(partitions.map((p) => p.topic))];
      const found = await this.consumer.listOffsets({ topics, timestamp, isolationLevel: this.options.readCommitted ? 1 : 0 });
      return partitions.map((p) => Number(found.get(p.topic)?.[p.partition] ?? -1n));
    } catch (e) {
      throw kafkaFailure("source", this.options.connection, "listing offsets", e);
    }
  }

  private async committed(partitions: readonly TopicPartition[]): Promise<number[]> {
    try {
      const byTopic = new Map<string, number[]>();
      for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
      const found = await this.consumer.listCommittedOffsets({ topics: [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps })) });
      return partitions.map((p) => {
        const list = found.get(p.topic);
        const index = byTopic.get(p.topic)!.indexOf(p.partition);
        return Number(list?.[index] ?? list?.[p.partition] ?? -1n);
      });
    } catch (e) {
      throw kafkaFailure("source", this.options.connection, `reading group ${this.options.groupId}'s committed offsets`, e);
    }
  }
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(":");
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
}
