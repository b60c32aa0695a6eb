/** Builds the restart strategy a configuration describes. */
import { ExponentialDelayRestartStrategy } from "./exponential-delay.ts";
import { FailureRateRestartStrategy } from "./failure-rate.ts";
import { FixedDelayRestartStrategy } from "./fixed-delay.ts";
import { NoRestartStrategy } from "./no-restart.ts";
import { resolveRestartStrategyConfig, type RestartStrategyConfig } from "./restart-config.ts";
import type { RandomSource, RestartStrategy } from "./restart-strategy.ts";

export interface RestartStrategyDependencies {
  /** Jitter for exponential-delay; the edge passes `Math.random`, tests a fixed sequence. */
  readonly random: RandomSource;
}

/** A fresh strategy (with no failures seen) for `config`; invalid configurations throw WEIR_ERR_INVALID_ARGUMENT. */
export function createRestartStrategy(config: RestartStrategyConfig, deps: RestartStrategyDependencies): RestartStrategy {
  const resolved = resolveRestartStrategyConfig(config);
  switch (resolved.kind) {
    case "none":
      return new NoRestartStrategy();
    case "fixed-delay":
      return new FixedDelayRestartStrategy(resolved);
    case "exponential-delay":
      return new ExponentialDelayRestartStrategy(resolved, deps.random);
    case "failure-rate":
      return new FailureRateRestartStrategy(resolved);
  }
}
