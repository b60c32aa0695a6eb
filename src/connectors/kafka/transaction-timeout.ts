/**
 * The check a Kafka exactly-once sink makes before its first transaction. A transaction stays
 * open from its first record until the checkpoint after it completes and the commit arrives; after
 * a failure, until the job has restarted and restored. If the broker's transaction timeout passes
 * first, the broker aborts the transaction and its records are lost although a completed
 * checkpoint covers them (Flink documents this data loss for its Kafka sink). So the timeout must
 * exceed the checkpoint interval plus the time a recovery may take. Pure.
 */
import { WeirError } from "../../core/errors.ts";

export interface TransactionTimeoutFacts {
  readonly transactionTimeoutMs: number;
  readonly checkpointIntervalMs: number;
  /** The longest a failure and restart may take until the restored sink commits (restart delay, start, restore). */
  readonly maxRecoveryTimeMs: number;
}

/** Throws WEIR_ERR_KAFKA_TRANSACTION_TIMEOUT when the timeout does not exceed interval + recovery. */
export function checkTransactionTimeout(facts: TransactionTimeoutFacts): void {
  const needed = facts.checkpointIntervalMs + facts.maxRecoveryTimeMs;
  if (facts.transactionTimeoutMs > needed) return;
  throw new WeirError(
    "WEIR_ERR_KAFKA_TRANSACTION_TIMEOUT",
    `the Kafka sink's transactionTimeoutMs (${facts.transactionTimeoutMs}) must exceed the checkpoint interval (${facts.checkpointIntervalMs}) ` +
      `plus the longest recovery (maxRecoveryTimeMs ${facts.maxRecoveryTimeMs}) = ${needed} ms: otherwise the broker may abort a transaction ` +
      `that a completed checkpoint covers before the job commits it, and its records are lost. Raise transactionTimeoutMs ` +
      `(at most the broker's transaction.max.timeout.ms, 15 minutes by default) or checkpoint more often.`,
  );
}
