/**
 * The `exponential-delay` strategy (Flink's ExponentialDelayRestartBackoffTimeStrategy): the first
 * restart waits `initialBackoffMs`, each following one `backoffMultiplier` times longer, up to
 * `maxBackoffMs`. Once the job has run `resetBackoffThresholdMs` without failing (counted from
 * its restart, not from the failure), the backoff and the attempt count start over. At most
 * `maxAttempts` restarts happen between two resets.
 *
 * Jitter: each delay is moved by a uniform random amount within ±`jitterFactor` of the backoff,
 * then capped at `maxBackoffMs` and rounded to whole milliseconds, so restarts of many jobs
 * spread out.
 */
import type { RandomSource, RestartDecision, RestartFailure, RestartStrategy } from "./restart-strategy.ts";

export interface ExponentialDelayOptions {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly backoffMultiplier: number;
  /** Between 0 and 1. */
  readonly jitterFactor: number;
  readonly resetBackoffThresholdMs: number;
  /** Restarts allowed between two resets of the backoff; `Infinity` for no limit. */
  readonly maxAttempts: number;
}

export class ExponentialDelayRestartStrategy implements RestartStrategy {
  /** The backoff of the latest restart before jitter; undefined before the first failure. */
  private backoffMs: number | undefined;
  /** When the job was restarted last (failure time plus delay). */
  private restartedAt = 0;
  private attempt = 0;
  private finalReason: string | undefined;

  constructor(
    private readonly options: ExponentialDelayOptions,
    private readonly random: RandomSource,
  ) {}

  onFailure(now: number, _failure: RestartFailure): RestartDecision {
    if (this.finalReason !== undefined) return { kind: "fail", reason: this.finalReason };
    const { initialBackoffMs, maxBackoffMs, backoffMultiplier, resetBackoffThresholdMs, maxAttempts } = this.options;
    if (this.backoffMs === undefined || now - this.restartedAt >= resetBackoffThresholdMs) {
      this.backoffMs = initialBackoffMs;
      this.attempt = 0;
    } else {
      this.backoffMs = Math.min(maxBackoffMs, this.backoffMs * backoffMultiplier);
    }
    if (this.attempt >= maxAttempts) {
      this.finalReason = `the job restarted ${this.attempt} time(s) without running ${resetBackoffThresholdMs} ms free of failures, the most the exponential-delay strategy allows`;
      return { kind: "fail", reason: this.finalReason };
    }
    this.attempt++;
    const delayMs = this.jittered(this.backoffMs);
    this.restartedAt = now + delayMs;
    return { kind: "restart", delayMs, attempt: this.attempt };
  }

  private jittered(backoffMs: number): number {
    const offset = (2 * this.random() - 1) * this.options.jitterFactor * backoffMs;
    return Math.max(0, Math.round(Math.min(this.options.maxBackoffMs, backoffMs + offset)));
  }
}
