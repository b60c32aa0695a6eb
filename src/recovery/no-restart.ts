/** The `none` strategy: a job never restarts; its first failure is final. */
import type { RestartDecision, RestartFailure, RestartStrategy } from "./restart-strategy.ts";

export class NoRestartStrategy implements RestartStrategy {
  onFailure(_now: number, _failure: RestartFailure): RestartDecision {
    return { kind: "fail", reason: "restarts are disabled (restart strategy 'none')" };
  }
}
