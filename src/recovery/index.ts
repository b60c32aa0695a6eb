/** Restart strategies: the interface, its implementations, configuration and the command-line form. */
export type { RandomSource, RestartDecision, RestartFailure, RestartStrategy } from "./restart-strategy.ts";
export { NoRestartStrategy } from "./no-restart.ts";
export { FixedDelayRestartStrategy } from "./fixed-delay.ts";
export type { FixedDelayOptions } from "./fixed-delay.ts";
export { ExponentialDelayRestartStrategy } from "./exponential-delay.ts";
export type { ExponentialDelayOptions } from "./exponential-delay.ts";
export { FailureRateRestartStrategy } from "./failure-rate.ts";
export type { FailureRateOptions } from "./failure-rate.ts";
export { RESTART_STRATEGY_DEFAULTS, resolveRestartStrategyConfig } from "./restart-config.ts";
export type { ResolvedRestartStrategyConfig, RestartStrategyConfig, RestartStrategyKind } from "./restart-config.ts";
export { createRestartStrategy } from "./create-restart-strategy.ts";
export type { RestartStrategyDependencies } from "./create-restart-strategy.ts";
export { formatRestartStrategy, parseRestartStrategy } from "./parse-restart-strategy.ts";
export { formatDuration, parseDuration } from "./duration.ts";
