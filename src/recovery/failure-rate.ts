/**
 * The `failure-rate` strategy: restart after a fixed delay as long as the job has not failed more
 * than `maxFailuresPerInterval` times within any `failureRateIntervalMs` (Flink's
 * FailureRateRestartBackoffTimeStrategy). The failure that would make it
 * `maxFailuresPerInterval + 1` failures within one interval (both ends included) is final.
 *
 * Invariant: any `failureRateIntervalMs`-long window holds at most `maxFailuresPerInterval`
 * restarts. Owns the times of the last `maxFailuresPerInterval + 1` failures.
 */
import type { RestartDecision, RestartFailure, RestartStrategy } from "./restart-strategy.ts";

export interface FailureRateOptions {
  readonly maxFailuresPerInterval: number;
  readonly failureRateIntervalMs: number;
  readonly delayMs: number;
}

export class FailureRateRestartStrategy implements RestartStrategy {
  private readonly recent: number[] = [];
  private restarts = 0;
  private finalReason: string | undefined;

  constructor(private readonly options: FailureRateOptions) {}

  onFailure(now: number, _failure: RestartFailure): RestartDecision {
    if (this.finalReason !== undefined) return { kind: "fail", reason: this.finalReason };
    const { maxFailuresPerInterval: max, failureRateIntervalMs: interval } = this.options;
    this.recent.push(now);
    if (this.recent.length > max + 1) this.recent.shift();
    if (this.recent.length > max && now - this.recent[0]! <= interval) {
      this.finalReason = `${max + 1} failures within ${interval} ms, more than the ${max} the failure-rate strategy allows`;
      return { kind: "fail", reason: this.finalReason };
    }
    this.restarts++;
    return { kind: "restart", delayMs: this.options.delayMs, attempt: this.restarts };
  }
}
