/**
 * Checkpointing options: what the user sets, the defaults, and the validation every option
 * passes before a coordinator sees it. All durations are whole milliseconds.
 */
import { invalidArgument } from "../../core/errors.ts";

export interface CheckpointConfigOptions {
  /** Time between the starts of two periodic checkpoints. */
  readonly intervalMs: number;
  /** A checkpoint not acknowledged by every task this long after its trigger expires. Default 10 min. */
  readonly timeoutMs?: number;
  /** Least time between the end (completion or abort) of one checkpoint and the next periodic trigger. Default 0. */
  readonly minPauseMs?: number;
  /** Most checkpoints in progress at once. Default 1. */
  readonly maxConcurrent?: number;
  /** Checkpoint failures in a row (expired, declined, persist failed) tolerated before the job fails; `Infinity` for no limit. Default 0. */
  readonly tolerableFailures?: number;
  /** Completed checkpoints kept; older ones are discarded. Default 1. */
  readonly retained?: number;
}

/** Options after defaults and validation. */
export type CheckpointConfig = { readonly [K in keyof CheckpointConfigOptions]-?: number };

export const CHECKPOINT_CONFIG_DEFAULTS = {
  timeoutMs: 10 * 60_000,
  minPauseMs: 0,
  maxConcurrent: 1,
  tolerableFailures: 0,
  retained: 1,
} as const satisfies Omit<CheckpointConfig, "intervalMs">;

type Rule = { readonly test: (n: number) => boolean; readonly expected: string };

const positive: Rule = { test: (n) => Number.isSafeInteger(n) && n >= 1, expected: "a whole number of at least 1" };
const nonNegative: Rule = { test: (n) => Number.isSafeInteger(n) && n >= 0, expected: "a whole number of at least 0" };
const nonNegativeOrUnlimited: Rule = {
  test: (n) => n === Number.POSITIVE_INFINITY || nonNegative.test(n),
  expected: "a whole number of at least 0, or Infinity",
};

const RULES: { readonly [K in keyof CheckpointConfig]: Rule } = {
  intervalMs: positive,
  timeoutMs: positive,
  minPauseMs: nonNegative,
  maxConcurrent: positive,
  tolerableFailures: nonNegativeOrUnlimited,
  retained: positive,
};

/** `options` with defaults filled in; an unknown option or a value out of range is WEIR_ERR_INVALID_ARGUMENT naming it. */
export function checkpointConfig(options: CheckpointConfigOptions): CheckpointConfig {
  if (typeof options !== "object" || options === null) {
    throw invalidArgument(`checkpoint config must be an object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(RULES, key)) {
      throw invalidArgument(`checkpoint config: unknown option '${key}' (options: ${Object.keys(RULES).join(", ")})`);
    }
  }
  const config = { ...CHECKPOINT_CONFIG_DEFAULTS, ...withoutUndefined(options) };
  for (const [key, rule] of Object.entries(RULES) as [keyof CheckpointConfig, Rule][]) {
    const value: unknown = config[key];
    if (value === undefined) throw invalidArgument(`checkpoint config: ${key} is required`);
    if (typeof value !== "number" || !rule.test(value)) {
      throw invalidArgument(`checkpoint config: ${key} must be ${rule.expected}, got ${String(value)}`);
    }
  }
  return Object.freeze(config);
}

function withoutUndefined(options: CheckpointConfigOptions): CheckpointConfigOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as unknown as CheckpointConfigOptions;
}
