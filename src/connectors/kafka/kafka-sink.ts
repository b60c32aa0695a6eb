/**
 * The Kafka sink, with Flink's three delivery guarantees.
 *
 * - "none": records are sent in batches as they come; nothing waits for them on a checkpoint, so
 *   a failure may lose what was in flight, and a restore may repeat what was sent.
 * - "at-least-once": an idempotent producer; a checkpoint waits until every record before its
 *   barrier is acknowledged, so a restore loses nothing (it may repeat records after the checkpoint).
 * - "exactly-once": Kafka transactions on the two-phase-commit base. Each transaction has its own
 *   transactional id `<prefix>-<subtask>-<counter>` and producer; a checkpoint flushes it
 *   (pre-commit) and records its id, producer id and epoch; its completion commits it. A restore
 *   commits the transactions the checkpoint recorded (transaction-coordinator.ts says how,
 *   without their producers) and aborts open transactions under the prefix it does not know.
 *   Consumers see the output only with isolation.level=read_committed, and then only after the
 *   checkpoint completed. Before the first transaction the sink checks that the transaction
 *   timeout exceeds the checkpoint interval plus the recovery time (transaction-timeout.ts).
 *
 * Not guaranteed: exactly-once if two jobs share a transactional id prefix (they fence each
 * other's transactions); a commit after the broker aborted a transaction whose timeout passed
 * (the sink fails with WEIR_ERR_KAFKA_TRANSACTION_LOST instead of going on without the records).
 */
import type { Producer } from "@platformatic/kafka";
import { loadKafkaClient } from "../../core/client-libraries.ts";
import { invalidArgument, WeirError } from "../../core/errors.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "../../core/retry.ts";
import type { ConnectorMetrics } from "../../runtime/metrics.ts";
import { committedThrough, type CommittedReader, type Sink, type SinkContext, type SinkWriter } from "../../sinks/sink.ts";
import { twoPhaseCommitSink, type TransactionalWriter, type TwoPhaseCommitState } from "../../sinks/two-phase-commit-sink.ts";
import { clientOptions, kafkaFailure, resolveKafkaConnection, type KafkaConnectionOptions, type ResolvedKafkaConnection } from "./kafka-connection.ts";
import type { KafkaDeserializer } from "./kafka-source.ts";
import { readKafkaTopic } from "./read-topic.ts";
import { recordMapper, type KafkaMessage, type KafkaRecordMapping } from "./record-mapping.ts";
import { checkTransactionTimeout } from "./transaction-timeout.ts";
import { TransactionCoordinator, type KafkaTransactionHandle } from "./transaction-coordinator.ts";

export type DeliveryGuarantee = "none" | "at-least-once" | "exactly-once";

export interface KafkaSinkOptions<T> extends KafkaConnectionOptions, KafkaRecordMapping<T> {
  /** Default "at-least-once". */
  readonly deliveryGuarantee?: DeliveryGuarantee;
  /** Records per produce request; default 500. */
  readonly batchSize?: number;
  /** Exactly-once: transactional ids start with it; one per job and sink (default "weir-<operator id>"). */
  readonly transactionalIdPrefix?: string;
  /** Exactly-once: the broker aborts a transaction open longer; default 15 minutes (the broker's default maximum). */
  readonly transactionTimeoutMs?: number;
  /** Exactly-once: the checkpoint interval to check the timeout against; default the job's own. */
  readonly checkpointIntervalMs?: number;
  /** Exactly-once: the longest a failure and restart may take until the sink commits again; default 60000. */
  readonly maxRecoveryTimeMs?: number;
  /** Back-off for the coordinator requests of a restore. */
  readonly retry?: RetryPolicy;
  /**
   * Lets the crash-test kit read what the sink committed: the topic (default `topic` when it is
   * one name) as a read_committed consumer sees it, decoded by `deserializer` (default "json",
   * which matches the default value); see read-topic.ts.
   */
  readonly readBack?: { readonly topic?: string; readonly deserializer?: KafkaDeserializer<unknown> };
}

const DEFAULT_TRANSACTION_TIMEOUT_MS = 15 * 60_000;

/**
 * What every producer of the sink gets besides the connection: its metadata requests let the
 * broker create a topic that does not exist yet, as Kafka's Java producer does (the broker's
 * auto.create.topics.enable decides).
 */
function producerOptions(connection: ResolvedKafkaConnection) {
  return { ...clientOptions(connection), autocreateTopics: true };
}

/**
 * Records sent in batches, one produce request in flight at a time: an idempotent or transactional
 * producer numbers its batches, and the broker refuses one that overtakes another
 * (OUT_OF_ORDER_SEQUENCE_NUMBER). While a request is in flight, records gather into the next batch
 * (up to `batchSize` per request). The first failure is rethrown by the next `add` or `drain`.
 */
class BatchSender {
  private buffer: KafkaMessage[] = [];
  private inFlight: Promise<void> | undefined;
  private failure: unknown;
  /** Whether no record was added yet. */
  empty = true;
  /** Records the broker acknowledged. */
  acknowledged = 0;

  constructor(
    private readonly send: (messages: KafkaMessage[]) => Promise<unknown>,
    private readonly batchSize: number,
    private readonly fail: (doing: string, error: unknown) => WeirError,
  ) {}

  add(message: KafkaMessage): void {
    if (this.failure !== undefined) throw this.fail("sending records", this.failure);
    this.empty = false;
    this.buffer.push(message);
    if (this.inFlight === undefined && this.buffer.length >= this.batchSize) this.inFlight = this.sendBuffered(false);
  }

  /** Sends what is buffered and waits until every record added so far is acknowledged. */
  async drain(): Promise<void> {
    while (this.inFlight !== undefined || (this.buffer.length > 0 && this.failure === undefined)) {
      this.inFlight ??= this.sendBuffered(true);
      await this.inFlight;
    }
    if (this.failure !== undefined) throw this.fail("sending records", this.failure);
  }

  /** Sends full batches while there are any (`all`: also the last, partial one). */
  private async sendBuffered(all: boolean): Promise<void> {
    try {
      while (this.buffer.length >= this.batchSize || (all && this.buffer.length > 0)) {
        const batch = this.buffer.splice(0, this.batchSize);
        await this.send(batch);
        this.acknowledged += batch.length;
      }
    } catch (e) {
      this.failure ??= e;
    } finally {
      this.inFlight = undefined;
    }
  }
}

interface ResolvedSinkOptions<T> {
  readonly connection: ResolvedKafkaConnection;
  readonly map: (record: T) => KafkaMessage;
  readonly batchSize: number;
}

/** "none" and "at-least-once": one producer for the subtask. */
class KafkaSinkWriter<T> implements SinkWriter<T> {
  private readonly sender: BatchSender;

  constructor(
    private readonly producer: Producer<Buffer, Buffer, Buffer, Buffer>,
    private readonly options: ResolvedSinkOptions<T>,
    private readonly waitOnCheckpoint: boolean,
  ) {
    this.sender = new BatchSender((messages) => producer.send({ messages: messages as never }), options.batchSize, (doing, e) => kafkaFailure("sink", options.connection, doing, e));
  }

  write(record: T): void {
    this.sender.add(this.options.map(record));
  }

  async snapshotState(): Promise<undefined> {
    if (this.waitOnCheckpoint) await this.sender.drain();
    return undefined;
  }

  async flush(): Promise<void> {
    await this.sender.drain();
  }

  metrics(): ConnectorMetrics {
    return { numRecordsOut: this.sender.acknowledged };
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}

/** A transaction this attempt began: its producer and its records in flight. */
interface LiveTransaction {
  readonly producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  readonly sender: BatchSender;
}

/** "exactly-once": a transaction, with a producer of its own, per checkpoint interval. */
class KafkaTransactionalWriter<T> implements TransactionalWriter<T, KafkaTransactionHandle> {
  private readonly live = new Map<string, LiveTransaction>();
  private counter: number;
  /** Records of the transactions this writer committed (a restore's, committed without their producers, are not counted). */
  private committed = 0;

  constructor(
    private readonly options: ResolvedSinkOptions<T>,
    private readonly prefix: string,
    private readonly transactionTimeoutMs: number,
    private readonly context: SinkContext,
    private readonly coordinator: TransactionCoordinator,
  ) {
    const restored = context.restoredState as TwoPhaseCommitState<KafkaTransactionHandle> | undefined;
    const known = restored === undefined ? [] : [...restored.pending.map(([, t]) => t), restored.current];
    this.counter = Math.max(-1, ...known.map((t) => this.counterOf(t.transactionalId) ?? -1)) + 1;
  }

  async beginTransaction(): Promise<KafkaTransactionHandle> {
    const transactionalId = `${this.prefix}-${this.context.subtaskIndex}-${this.counter++}`;
    const { Producer } = await loadKafkaClient();
    const producer = new Producer<Buffer, Buffer, Buffer, Buffer>({
      ...producerOptions(this.options.connection),
      idempotent: true,
      transactionalId,
      // -1/-1: a new producer for the id, whatever used it before (the client's default 0/0 is
      // taken as a claim to be producer 0, epoch 0, and fenced when the id was used).
      producerId: -1n,
      producerEpoch: -1,
      // The client sends its `timeout` as the transaction timeout (and as the produce acks timeout).
      timeout: this.transactionTimeoutMs,
    });
    try {
      const transaction = await producer.beginTransaction();
      const sender = new BatchSender((messages) => transaction.send({ messages: messages as never }), this.options.batchSize, (doing, e) => kafkaFailure("sink", this.options.connection, doing, e));
      this.live.set(transactionalId, { producer, sender });
      return { transactionalId, producerId: String(producer.producerId), producerEpoch: producer.producerEpoch! };
    } catch (e) {
      await producer.close().catch(() => undefined);
      throw kafkaFailure("sink", this.options.connection, `beginning transaction ${transactionalId}`, e);
    }
  }

  write(transaction: KafkaTransactionHandle, record: T): void {
    this.liveOf(transaction).sender.add(this.options.map(record));
  }

  async preCommit(transaction: KafkaTransactionHandle): Promise<void> {
    await this.liveOf(transaction).sender.drain();
  }

  async commit(transaction: KafkaTransactionHandle): Promise<void> {
    const live = this.live.get(transaction.transactionalId);
    if (live === undefined) return this.coordinator.commit(transaction);
    try {
      // A transaction that received no record has no partitions and was never begun on the
      // broker, which refuses to end it (INVALID_TXN_STATE): there is nothing to commit.
      if (!live.sender.empty) await live.producer.transaction!.commit();
    } catch (e) {
      throw kafkaFailure("sink", this.options.connection, `committing transaction ${transaction.transactionalId}`, e);
    }
    this.committed += live.sender.acknowledged;
    this.live.delete(transaction.transactionalId);
    await live.producer.close();
  }

  metrics(): ConnectorMetrics {
    return { numRecordsOut: this.committed };
  }

  async abort(transaction: KafkaTransactionHandle): Promise<void> {
    const live = this.live.get(transaction.transactionalId);
    if (live !== undefined) {
      this.live.delete(transaction.transactionalId);
      await live.producer.close().catch(() => undefined);
    }
    await this.coordinator.abort(transaction.transactionalId, this.transactionTimeoutMs);
  }

  /**
   * Aborts open transactions of this subtask's ids that the checkpoint does not know (an earlier
   * attempt began them after it); subtask 0 also those of subtasks beyond the parallelism.
   */
  async discardStrays(known: readonly KafkaTransactionHandle[]): Promise<void> {
    const knownIds = new Set(known.map((t) => t.transactionalId));
    const mine = (id: string): boolean => {
      if (!id.startsWith(`${this.prefix}-`) || knownIds.has(id)) return false;
      const subtask = Number(id.slice(this.prefix.length + 1).split("-")[0]);
      return subtask === this.context.subtaskIndex || (this.context.subtaskIndex === 0 && subtask >= this.context.parallelism);
    };
    for (const id of await this.coordinator.listOpen(mine)) await this.coordinator.abort(id, this.transactionTimeoutMs);
  }

  async close(): Promise<void> {
    for (const live of this.live.values()) await live.producer.close().catch(() => undefined);
    this.live.clear();
    await this.coordinator.close();
  }

  private liveOf(transaction: KafkaTransactionHandle): LiveTransaction {
    const live = this.live.get(transaction.transactionalId);
    if (live === undefined) throw new WeirError("WEIR_ERR_INTERNAL", `Kafka transaction ${transaction.transactionalId} is not open in this writer`);
    return live;
  }

  private counterOf(transactionalId: string): number | undefined {
    const counter = Number(transactionalId.slice(transactionalId.lastIndexOf("-") + 1));
    return Number.isSafeInteger(counter) ? counter : undefined;
  }
}

function positive(what: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!(Number.isSafeInteger(v) && v >= min)) throw invalidArgument(`Kafka sink: ${what} must be an integer of at least ${min}, got ${String(value)}`);
  return v;
}

/** A sink that writes records to Kafka (see the header for the guarantees). Options are checked here. */
export function kafkaSink<T>(options: KafkaSinkOptions<T>): Sink<T> {
  const connection = resolveKafkaConnection("Kafka sink", options);
  const guarantee = options.deliveryGuarantee ?? "at-least-once";
  if (guarantee !== "none" && guarantee !== "at-least-once" && guarantee !== "exactly-once") {
    throw invalidArgument(`Kafka sink: deliveryGuarantee must be "none", "at-least-once" or "exactly-once", got '${String(guarantee)}'`);
  }
  const resolved: ResolvedSinkOptions<T> = { connection, map: recordMapper(options), batchSize: positive("batchSize", options.batchSize, 500) };
  const readBack = committedReader(options);
  if (guarantee !== "exactly-once") {
    const committed = committedThrough(readBack, "at-least-once");
    return {
      readsRecordsOnly: true,
      ...(committed === undefined ? {} : { committed }),
      async createWriter() {
        const { Producer } = await loadKafkaClient();
        const producer = new Producer<Buffer, Buffer, Buffer, Buffer>({ ...producerOptions(connection), idempotent: guarantee === "at-least-once" });
        try {
          await producer.metadata({ topics: [] });
        } catch (e) {
          await producer.close().catch(() => undefined);
          throw kafkaFailure("sink", connection, "connecting", e);
        }
        return new KafkaSinkWriter(producer, resolved, guarantee === "at-least-once");
      },
    };
  }
  const transactionTimeoutMs = positive("transactionTimeoutMs", options.transactionTimeoutMs, DEFAULT_TRANSACTION_TIMEOUT_MS);
  const maxRecoveryTimeMs = positive("maxRecoveryTimeMs", options.maxRecoveryTimeMs, 60_000, 0);
  if (options.transactionalIdPrefix !== undefined && !(typeof options.transactionalIdPrefix === "string" && /^[A-Za-z0-9._-]+$/.test(options.transactionalIdPrefix))) {
    throw invalidArgument(`Kafka sink: transactionalIdPrefix must be letters, digits, '.', '_' or '-', got '${String(options.transactionalIdPrefix)}'`);
  }
  return twoPhaseCommitSink<T, KafkaTransactionHandle>(async (context) => {
    if (context.checkpointing) {
      const intervalMs = options.checkpointIntervalMs ?? context.checkpointIntervalMs;
      if (intervalMs !== undefined) checkTransactionTimeout({ transactionTimeoutMs, checkpointIntervalMs: positive("checkpointIntervalMs", intervalMs, 0), maxRecoveryTimeMs });
    }
    const prefix = options.transactionalIdPrefix ?? `weir-${context.operatorId.replace(/[^A-Za-z0-9._-]/g, "_")}`;
    const coordinator = new TransactionCoordinator(connection, options.retry ?? DEFAULT_RETRY);
    return new KafkaTransactionalWriter<T>(resolved, prefix, transactionTimeoutMs, context, coordinator);
  }, readBack);
}

function committedReader<T>(options: KafkaSinkOptions<T>): CommittedReader | undefined {
  if (options.readBack === undefined) return undefined;
  const topic = options.readBack.topic ?? (typeof options.topic === "string" ? options.topic : undefined);
  if (topic === undefined) throw invalidArgument("Kafka sink: readBack needs a topic when the sink's topic is a function of the record");
  const { deserializer } = options.readBack;
  return { readCommitted: () => readKafkaTopic({ ...options, topic, ...(deserializer === undefined ? {} : { deserializer }) }) };
}
