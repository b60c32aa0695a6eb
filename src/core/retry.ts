/**
 * Retries with exponential back-off for connectors (database sinks, NATS, Kafka): an operation
 * that fails with an error its server calls transient (a lost connection, a deadlock, a serialization failure) runs again after
 * `initialDelayMs`, then twice as long each time up to `maxDelayMs`, at most `attempts` times in
 * all. Only operations that are safe to repeat are retried (connecting, committing a prepared
 * transaction by id, an idempotent upsert); a write inside an open transaction is not, since the
 * failure lost the transaction.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included (at least 1). */
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, initialDelayMs: 100, maxDelayMs: 2000 };

/** The pause before attempt `attempt` + 1 (attempt counts from 1). Pure. */
export function retryDelayMs(attempt: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
}

export type Sleep = (ms: number) => Promise<void>;

const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the last attempt threw, and how many attempts were made. */
export class RetriesExhausted extends Error {
  constructor(
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(`failed after ${attempts} attempt${attempts === 1 ? "" : "s"}`);
  }
}

/**
 * Runs `operation` until it succeeds, fails with an error `transient` rejects (rethrown as it is),
 * or has run `policy.attempts` times (RetriesExhausted with the last error).
 */
export async function withRetries<R>(
  operation: () => Promise<R>,
  transient: (error: unknown) => boolean,
  policy: RetryPolicy = DEFAULT_RETRY,
  pause: Sleep = sleep,
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (e) {
      if (!transient(e)) throw e;
      if (attempt >= policy.attempts) throw new RetriesExhausted(attempt, e);
      await pause(retryDelayMs(attempt, policy));
    }
  }
}
