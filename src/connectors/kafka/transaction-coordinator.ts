/**
 * Talks to Kafka's transaction coordinator for transactions whose producer is gone: the ones a
 * restored checkpoint recorded (pre-committed by an earlier attempt) and lingering ones under the
 * sink's prefix.
 *
 * Why this works (see docs/connectors.md, "Kafka"): a transaction is identified by its
 * transactional id, producer id and epoch. Ending it needs only those three: EndTxn(commit) sent
 * with the recorded id and epoch commits a transaction its producer left open when it died, as
 * Flink's connector does by resuming the producer. The broker answers a repeated commit of a
 * committed transaction with success (same epoch, state CompleteCommit), so committing is
 * idempotent. If the broker aborted the transaction meanwhile (its timeout passed) the epoch was
 * bumped and the commit is refused: the output is lost, and this is reported as
 * WEIR_ERR_KAFKA_TRANSACTION_LOST rather than ignored. InitProducerId for a transactional id
 * fences its earlier producer and aborts its open transaction: that is how lingering ones are
 * aborted. The client (@platformatic/kafka 1.x) and brokers up to 4.1 do not offer KIP-939's
 * keepPreparedTxn, so this is the only route.
 */
import type { Connection } from "@platformatic/kafka";
import { loadKafkaClient } from "../../core/client-libraries.ts";
import { WeirError } from "../../core/errors.ts";
import { withRetries, type RetryPolicy } from "../../core/retry.ts";
import { describeKafkaError, kafkaErrorNames, kafkaFailure, type ResolvedKafkaConnection } from "./kafka-connection.ts";

/** What a checkpoint records of a Kafka transaction: enough to commit or abort it from anywhere. */
export interface KafkaTransactionHandle {
  readonly transactionalId: string;
  /** A bigint, as text (checkpoints hold plain JSON). */
  readonly producerId: string;
  readonly producerEpoch: number;
}

const TRANSACTION_KEY = 1;
/** Answers after which the same request may succeed. */
const RETRIABLE = new Set(["CONCURRENT_TRANSACTIONS", "COORDINATOR_LOAD_IN_PROGRESS", "NOT_COORDINATOR", "COORDINATOR_NOT_AVAILABLE", "REQUEST_TIMED_OUT", "NETWORK_EXCEPTION"]);
/** Answers to a commit that mean the broker ended the transaction otherwise (aborted, fenced). */
const LOST = new Set(["PRODUCER_FENCED", "INVALID_PRODUCER_EPOCH", "INVALID_TXN_STATE", "INVALID_PRODUCER_ID_MAPPING"]);

export class TransactionCoordinator {
  /** Open connections by "host:port". */
  private readonly connections = new Map<string, Connection>();

  constructor(
    private readonly server: ResolvedKafkaConnection,
    private readonly retry: RetryPolicy,
  ) {}

  /** Commits a transaction its producer left pre-committed; done already counts as done. */
  async commit(handle: KafkaTransactionHandle): Promise<void> {
    try {
      const { endTxnV4 } = await loadKafkaClient();
      await this.request(`committing transaction ${handle.transactionalId}`, async () =>
        endTxnV4.api.async(await this.coordinatorOf(handle.transactionalId), handle.transactionalId, BigInt(handle.producerId), handle.producerEpoch, true),
      );
    } catch (e) {
      const names = kafkaErrorNames(e);
      // A transaction that received no record was never started on the broker, which refuses to end it.
      if (names.has("INVALID_TXN_STATE") && (await this.neverStarted(handle))) return;
      if ([...names].some((n) => LOST.has(n))) {
        throw new WeirError(
          "WEIR_ERR_KAFKA_TRANSACTION_LOST",
          `Kafka transaction ${handle.transactionalId} (producer ${handle.producerId}, epoch ${handle.producerEpoch}) that a completed checkpoint covers ` +
            `can no longer be committed: the broker ended it (${[...names].join(", ")}), most likely because its transaction timeout passed ` +
            `before the job recovered; its records are lost. Raise the sink's transactionTimeoutMs (and the broker's transaction.max.timeout.ms).`,
          { cause: e },
        );
      }
      throw kafkaFailure("sink", this.server, `committing transaction ${handle.transactionalId}`, e);
    }
  }

  /**
   * Whether the broker holds the handle's producer (same id and epoch) with no transaction begun
   * (state Empty): its producer never added a partition. A transaction that the broker aborted
   * or fenced has another epoch, and one that was committed is in state CompleteCommit.
   */
  private async neverStarted(handle: KafkaTransactionHandle): Promise<boolean> {
    try {
      const { describeTransactionsV0 } = await loadKafkaClient();
      const response = await this.request(`describing transaction ${handle.transactionalId}`, async () =>
        describeTransactionsV0.api.async(await this.coordinatorOf(handle.transactionalId), [handle.transactionalId]),
      );
      const state = response.transactionStates[0];
      return state !== undefined && state.errorCode === 0 && state.transactionState === "Empty" && String(state.producerId) === handle.producerId && state.producerEpoch === handle.producerEpoch;
    } catch {
      return false;
    }
  }

  /** Fences the transactional id's producer, which aborts its open transaction (if any). */
  async abort(transactionalId: string, transactionTimeoutMs: number): Promise<void> {
    try {
      const { initProducerIdV5 } = await loadKafkaClient();
      await this.request(`aborting transaction ${transactionalId}`, async () =>
        initProducerIdV5.api.async(await this.coordinatorOf(transactionalId), transactionalId, transactionTimeoutMs, -1n, -1),
      );
    } catch (e) {
      throw kafkaFailure("sink", this.server, `aborting transaction ${transactionalId}`, e);
    }
  }

  /**
   * Transactional ids of open (Ongoing) transactions whose id `matches`. Each broker lists the
   * transactions it coordinates: every bootstrap server is asked, so list them all.
   */
  async listOpen(matches: (transactionalId: string) => boolean): Promise<string[]> {
    const open = new Set<string>();
    for (const address of this.server.bootstrapServers) {
      try {
        const { listTransactionsV1 } = await loadKafkaClient();
        const response = await this.request("listing open transactions", async () => listTransactionsV1.api.async(await this.connect(address), ["Ongoing" as never], [], -1n, null));
        for (const t of response.transactionStates) if (t.transactionState === "Ongoing" && matches(t.transactionalId)) open.add(t.transactionalId);
      } catch (e) {
        throw kafkaFailure("sink", this.server, "listing open transactions", e);
      }
    }
    return [...open];
  }

  async close(): Promise<void> {
    const connections = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
  }

  /** Runs `call`, retrying retriable answers and lost connections with back-off; rethrows the last failure. */
  private async request<R>(_doing: string, call: () => Promise<R>): Promise<R> {
    try {
      return await withRetries(
        async () => {
          try {
            return await call();
          } catch (e) {
            const names = kafkaErrorNames(e);
            if (names.size === 0 || names.has("NOT_COORDINATOR")) await this.close();
            throw e;
          }
        },
        (e) => {
          const names = kafkaErrorNames(e);
          return names.size === 0 || [...names].some((n) => RETRIABLE.has(n));
        },
        this.retry,
      );
    } catch (e) {
      throw (e as { cause?: unknown }).cause ?? e;
    }
  }

  /** A connection to the coordinator of `transactionalId`. */
  private async coordinatorOf(transactionalId: string): Promise<Connection> {
    const { findCoordinatorV6 } = await loadKafkaClient();
    const bootstrap = await this.connect(this.server.bootstrapServers[0]!);
    const found = await findCoordinatorV6.api.async(bootstrap, TRANSACTION_KEY, [transactionalId]);
    const node = found.coordinators[0];
    if (node === undefined || node.errorCode !== 0) throw new Error(`no transaction coordinator for ${transactionalId}: ${describeKafkaError(node?.errorMessage ?? "empty answer")}`);
    return this.connect(`${node.host}:${node.port}`);
  }

  private async connect(address: string): Promise<Connection> {
    const known = this.connections.get(address);
    if (known !== undefined) return known;
    const colon = address.lastIndexOf(":");
    const { Connection } = await loadKafkaClient();
    const connection = new Connection(this.server.clientId, { connectTimeout: this.server.connectTimeoutMs, requestTimeout: this.server.requestTimeoutMs });
    await connection.connect(address.slice(0, colon), Number(address.slice(colon + 1)));
    this.connections.set(address, connection);
    return connection;
  }
}
