/**
 * Restart strategies as configuration: a tagged union whose options may be left out, the
 * defaults that fill them in, and the validation every option passes.
 *
 * Defaults (Flink's, from FLIP-364 for exponential-delay):
 * - fixed-delay: attempts 1, delay 1 s;
 * - exponential-delay: initial backoff 1 s, max backoff 1 min, multiplier 1.5, jitter 0.1,
 *   reset threshold 1 h, unlimited attempts;
 * - failure-rate: 1 failure per 1 min interval, delay 1 s.
 */
import { invalidArgument } from "../core/errors.ts";
import type { ExponentialDelayOptions } from "./exponential-delay.ts";
import type { FailureRateOptions } from "./failure-rate.ts";
import type { FixedDelayOptions } from "./fixed-delay.ts";

export type RestartStrategyKind = "none" | "fixed-delay" | "exponential-delay" | "failure-rate";

export type RestartStrategyConfig =
  | { readonly kind: "none" }
  | ({ readonly kind: "fixed-delay" } & Partial<FixedDelayOptions>)
  | ({ readonly kind: "exponential-delay" } & Partial<ExponentialDelayOptions>)
  | ({ readonly kind: "failure-rate" } & Partial<FailureRateOptions>);

/** A configuration with every option set and valid. */
export type ResolvedRestartStrategyConfig =
  | { readonly kind: "none" }
  | ({ readonly kind: "fixed-delay" } & FixedDelayOptions)
  | ({ readonly kind: "exponential-delay" } & ExponentialDelayOptions)
  | ({ readonly kind: "failure-rate" } & FailureRateOptions);

export const RESTART_STRATEGY_DEFAULTS = {
  "none": {},
  "fixed-delay": { attempts: 1, delayMs: 1_000 },
  "exponential-delay": {
    initialBackoffMs: 1_000,
    maxBackoffMs: 60_000,
    backoffMultiplier: 1.5,
    jitterFactor: 0.1,
    resetBackoffThresholdMs: 3_600_000,
    maxAttempts: Number.POSITIVE_INFINITY,
  },
  "failure-rate": { maxFailuresPerInterval: 1, failureRateIntervalMs: 60_000, delayMs: 1_000 },
} as const satisfies { readonly [K in RestartStrategyKind]: Omit<Extract<ResolvedRestartStrategyConfig, { kind: K }>, "kind"> };

interface Rule {
  readonly test: (n: number) => boolean;
  readonly expected: string;
}

const wholeAtLeast = (min: number): Rule => ({
  test: (n) => Number.isSafeInteger(n) && n >= min,
  expected: `a whole number of at least ${min}`,
});
const orUnlimited = (rule: Rule): Rule => ({
  test: (n) => n === Number.POSITIVE_INFINITY || rule.test(n),
  expected: `${rule.expected}, or unlimited`,
});
const millis = (min: number): Rule => ({
  test: (n) => Number.isSafeInteger(n) && n >= min,
  expected: `a whole number of milliseconds, at least ${min}`,
});
const aboveOne: Rule = { test: (n) => Number.isFinite(n) && n > 1, expected: "a number greater than 1" };
const fraction: Rule = { test: (n) => n >= 0 && n <= 1, expected: "a number from 0 to 1" };

/** The options of each strategy and their rules, in the order they are listed and printed. */
export const RESTART_OPTION_RULES: { readonly [K in RestartStrategyKind]: { readonly [field: string]: Rule } } = {
  "none": {},
  "fixed-delay": { attempts: orUnlimited(wholeAtLeast(0)), delayMs: millis(0) },
  "exponential-delay": {
    initialBackoffMs: millis(1),
    maxBackoffMs: millis(1),
    backoffMultiplier: aboveOne,
    jitterFactor: fraction,
    resetBackoffThresholdMs: millis(1),
    maxAttempts: orUnlimited(wholeAtLeast(1)),
  },
  "failure-rate": { maxFailuresPerInterval: wholeAtLeast(1), failureRateIntervalMs: millis(1), delayMs: millis(0) },
};

/** How validation messages name things; the command line names options differently. */
export interface ResolveNaming {
  /** Opens every message; default "invalid <kind> restart strategy". */
  readonly context?: string;
  readonly nameOf?: (field: string) => string;
}

/**
 * `config` with defaults filled in. An unknown kind or option, or a value out of range, is
 * WEIR_ERR_INVALID_ARGUMENT naming it.
 */
export function resolveRestartStrategyConfig(config: RestartStrategyConfig, naming: ResolveNaming = {}): ResolvedRestartStrategyConfig {
  const kind = (config as { kind?: unknown } | null)?.kind;
  if (typeof kind !== "string" || !Object.hasOwn(RESTART_OPTION_RULES, kind)) {
    throw invalidArgument(
      `${naming.context ?? "invalid restart strategy"}: unknown strategy ${JSON.stringify(kind)} (strategies: ${Object.keys(RESTART_OPTION_RULES).join(", ")})`,
    );
  }
  const nameOf = naming.nameOf ?? ((field: string) => field);
  const invalid = (problem: string): Error => invalidArgument(`${naming.context ?? `invalid ${kind} restart strategy`}: ${problem}`);
  const rules = RESTART_OPTION_RULES[kind as RestartStrategyKind];
  const resolved: Record<string, unknown> = { kind, ...RESTART_STRATEGY_DEFAULTS[kind as RestartStrategyKind] };
  for (const [field, value] of Object.entries(config)) {
    if (field === "kind" || value === undefined) continue;
    const rule = rules[field];
    if (rule === undefined) {
      const options = Object.keys(rules).map(nameOf);
      throw invalid(`${kind} has no option '${nameOf(field)}' (${options.length === 0 ? "it takes none" : `options: ${options.join(", ")}`})`);
    }
    if (typeof value !== "number" || !rule.test(value)) throw invalid(`${nameOf(field)} must be ${rule.expected}, got ${String(value)}`);
    resolved[field] = value;
  }
  const result = resolved as ResolvedRestartStrategyConfig;
  if (result.kind === "exponential-delay" && result.initialBackoffMs > result.maxBackoffMs) {
    throw invalid(`${nameOf("initialBackoffMs")} (${result.initialBackoffMs} ms) must not exceed ${nameOf("maxBackoffMs")} (${result.maxBackoffMs} ms)`);
  }
  return Object.freeze(result);
}
