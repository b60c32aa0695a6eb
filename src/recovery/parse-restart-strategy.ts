/**
 * Restart strategies as written on the command line, and back:
 *
 *   none
 *   fixed-delay:attempts=3,delay=1s
 *   exponential-delay:initial=100ms,max=10s,multiplier=2,jitter=0.1,reset=1m,attempts=10
 *   failure-rate:max=3,interval=1m,delay=1s
 *
 * Options may be left out (their defaults apply, see restart-config.ts) and come in any order;
 * `attempts` takes `unlimited`. Durations are read by duration.ts. Every error is
 * WEIR_ERR_INVALID_ARGUMENT, quotes the whole text and names the part that is wrong.
 */
import { invalidArgument } from "../core/errors.ts";
import { DURATION_SYNTAX, formatDuration, parseDuration } from "./duration.ts";
import {
  resolveRestartStrategyConfig,
  type ResolvedRestartStrategyConfig,
  type RestartStrategyConfig,
  type RestartStrategyKind,
} from "./restart-config.ts";

type ValueKind = "duration" | "count" | "count-or-unlimited" | "number";

interface OptionSpec {
  readonly key: string;
  readonly field: string;
  readonly value: ValueKind;
}

const OPTIONS: { readonly [K in RestartStrategyKind]: readonly OptionSpec[] } = {
  "none": [],
  "fixed-delay": [
    { key: "attempts", field: "attempts", value: "count-or-unlimited" },
    { key: "delay", field: "delayMs", value: "duration" },
  ],
  "exponential-delay": [
    { key: "initial", field: "initialBackoffMs", value: "duration" },
    { key: "max", field: "maxBackoffMs", value: "duration" },
    { key: "multiplier", field: "backoffMultiplier", value: "number" },
    { key: "jitter", field: "jitterFactor", value: "number" },
    { key: "reset", field: "resetBackoffThresholdMs", value: "duration" },
    { key: "attempts", field: "maxAttempts", value: "count-or-unlimited" },
  ],
  "failure-rate": [
    { key: "max", field: "maxFailuresPerInterval", value: "count" },
    { key: "interval", field: "failureRateIntervalMs", value: "duration" },
    { key: "delay", field: "delayMs", value: "duration" },
  ],
};

const VALUE_SYNTAX: { readonly [V in ValueKind]: string } = {
  "duration": DURATION_SYNTAX,
  "count": "a whole number",
  "count-or-unlimited": "a whole number or 'unlimited'",
  "number": "a decimal number",
};

/** The configuration `text` describes, defaults filled in and validated. */
export function parseRestartStrategy(text: string): ResolvedRestartStrategyConfig {
  const invalid = (problem: string): Error => invalidArgument(`invalid restart strategy '${text}': ${problem}`);
  const colon = text.indexOf(":");
  const kind = (colon < 0 ? text : text.slice(0, colon)).trim();
  if (!Object.hasOwn(OPTIONS, kind)) {
    throw invalid(`unknown strategy '${kind}' (strategies: ${Object.keys(OPTIONS).join(", ")})`);
  }
  const specs = OPTIONS[kind as RestartStrategyKind];
  const config: Record<string, unknown> = { kind };
  const seen = new Set<string>();
  const rest = colon < 0 ? "" : text.slice(colon + 1);
  const params = rest.trim() === "" ? [] : rest.split(",");
  for (const raw of params) {
    const param = raw.trim();
    const eq = param.indexOf("=");
    if (eq < 0) throw invalid(`'${param}' is not key=value`);
    const key = param.slice(0, eq).trim();
    const value = param.slice(eq + 1).trim();
    const spec = specs.find((s) => s.key === key);
    if (spec === undefined) {
      throw invalid(`${kind} has no option '${key}' (${specs.length === 0 ? "it takes none" : `options: ${specs.map((s) => s.key).join(", ")}`})`);
    }
    if (seen.has(key)) throw invalid(`option '${key}' is given twice`);
    seen.add(key);
    const parsed = parseValue(spec.value, value);
    if (parsed === undefined) throw invalid(`${key}=${value}: '${value}' is not ${VALUE_SYNTAX[spec.value]}`);
    config[spec.field] = parsed;
  }
  return resolveRestartStrategyConfig(config as RestartStrategyConfig, {
    context: `invalid restart strategy '${text}'`,
    nameOf: (field) => specs.find((spec) => spec.field === field)?.key ?? field,
  });
}

/** The canonical text of `config`: every option, in the order of the examples above. */
export function formatRestartStrategy(config: ResolvedRestartStrategyConfig): string {
  const specs = OPTIONS[config.kind];
  if (specs.length === 0) return config.kind;
  const values = config as unknown as Record<string, number>;
  return `${config.kind}:${specs.map((spec) => `${spec.key}=${formatValue(spec.value, values[spec.field]!)}`).join(",")}`;
}

function parseValue(kind: ValueKind, text: string): number | undefined {
  switch (kind) {
    case "duration":
      return parseDuration(text);
    case "count-or-unlimited":
      if (text === "unlimited") return Number.POSITIVE_INFINITY;
      return parseValue("count", text);
    case "count":
      return /^\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : undefined;
    case "number":
      return /^\d+(\.\d+)?(e[-+]?\d+)?$/.test(text) ? Number(text) : undefined;
  }
}

function formatValue(kind: ValueKind, value: number): string {
  if (kind === "duration") return formatDuration(value);
  if (value === Number.POSITIVE_INFINITY) return "unlimited";
  return String(value);
}
