/**
 * The `fixed-delay` strategy: restart after the same delay, at most `attempts` times over the
 * job's life (Flink's FixedDelayRestartBackoffTimeStrategy); the failure after the last allowed
 * restart is final.
 */
import type { RestartDecision, RestartFailure, RestartStrategy } from "./restart-strategy.ts";

export interface FixedDelayOptions {
  /** Restarts allowed; `Infinity` for no limit. */
  readonly attempts: number;
  readonly delayMs: number;
}

export class FixedDelayRestartStrategy implements RestartStrategy {
  private restarts = 0;

  constructor(private readonly options: FixedDelayOptions) {}

  onFailure(_now: number, _failure: RestartFailure): RestartDecision {
    if (this.restarts >= this.options.attempts) {
      return { kind: "fail", reason: `the job already restarted ${this.restarts} time(s), the most the fixed-delay strategy allows` };
    }
    this.restarts++;
    return { kind: "restart", delayMs: this.options.delayMs, attempt: this.restarts };
  }
}
