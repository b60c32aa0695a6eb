/**
 * The command-line parser: options described once as data (which also feeds the help text),
 * parsed into values or refused with a message that names the offending argument.
 *
 * Accepted forms: `--name value`, `--name=value`, `-x value`, `-xvalue`, and bare flags. A later
 * occurrence of an option overrides an earlier one. Everything after a lone `--` is passed through
 * untouched; a lone `-` is a positional.
 */
import { parseDuration } from "../recovery/duration.ts";

/**
 * A parsed option value, or why the text is not one: `reason` completes "option --x …, got '<text>'"
 * (as in "must be a positive integer"); `message` is a whole sentence that already quotes the text.
 */
export type ValueParse<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string }
  | { readonly ok: false; readonly message: string };

interface OptionBase {
  /** Long name, without the dashes. */
  readonly name: string;
  /** One-letter alias, without the dash. */
  readonly short?: string;
  readonly description: string;
  /** How the default is described in help; absent when the option has none worth stating. */
  readonly defaultText?: string;
  /** The heading the option is listed under in help, as in "Checkpoint options"; absent: "Options". */
  readonly group?: string;
}

export interface FlagOption extends OptionBase {
  readonly kind: "flag";
}

export interface ValueOption extends OptionBase {
  readonly kind: "value";
  /** Shown in help and errors, as in `--parallelism <n>`. */
  readonly placeholder: string;
  readonly parse: (text: string) => ValueParse<unknown>;
}

export type OptionSpec = FlagOption | ValueOption;

export interface ParsedArgs {
  /** Parsed values by long name; flags that were given are `true`. */
  readonly options: ReadonlyMap<string, unknown>;
  readonly positionals: readonly string[];
  /** The arguments after `--`, if any. */
  readonly passthrough: readonly string[];
}

export type ParseOutcome = { readonly ok: true; readonly args: ParsedArgs } | { readonly ok: false; readonly problem: string };

export function optionLabel(option: OptionSpec): string {
  const long = `--${option.name}`;
  return option.kind === "value" ? `${long} <${option.placeholder}>` : long;
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParseOutcome {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short !== undefined).map((s) => [s.short!, s]));
  const options = new Map<string, unknown>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return { ok: true, args: { options, positionals, passthrough: argv.slice(i + 1) } };
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    let spec: OptionSpec | undefined;
    let written: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      written = eq < 0 ? arg : arg.slice(0, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      spec = byLong.get(written.slice(2));
    } else {
      written = arg.slice(0, 2);
      const tail = arg.slice(2);
      inline = tail === "" ? undefined : tail.startsWith("=") ? tail.slice(1) : tail;
      spec = byShort.get(arg[1]!);
    }
    if (spec === undefined) return { ok: false, problem: unknownOption(written, specs) };
    if (spec.kind === "flag") {
      if (inline !== undefined) return { ok: false, problem: `option ${written} takes no value, got '${arg}'` };
      options.set(spec.name, true);
      continue;
    }
    let text = inline;
    if (text === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next === "--") return { ok: false, problem: `option ${written} needs a value: ${optionLabel(spec)}` };
      text = next;
      i++;
    }
    const parsed = spec.parse(text);
    if (!parsed.ok) {
      return { ok: false, problem: "message" in parsed ? `option ${written}: ${parsed.message}` : `option ${written} ${parsed.reason}, got '${text}'` };
    }
    options.set(spec.name, parsed.value);
  }
  return { ok: true, args: { options, positionals, passthrough: [] } };
}

function unknownOption(written: string, specs: readonly OptionSpec[]): string {
  const name = written.replace(/^-+/, "");
  const close = specs.find((s) => editDistance(name, s.name) <= 2 && name.length > 2);
  return `unknown option '${written}'` + (close === undefined ? "" : ` (did you mean --${close.name}?)`);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/** An integer in [min, max], written in decimal digits. */
export function integerIn(min: number, max: number = Number.MAX_SAFE_INTEGER): (text: string) => ValueParse<number> {
  const expected =
    max === Number.MAX_SAFE_INTEGER ? (min === 1 ? "a positive integer" : min === 0 ? "a non-negative integer" : `an integer of at least ${min}`)
    : `an integer from ${min} to ${max}`;
  return (text) => {
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    return Number.isSafeInteger(value) && value >= min && value <= max ? { ok: true, value } : { ok: false, reason: `must be ${expected}` };
  };
}

/**
 * A duration of at least `min` milliseconds: a whole number of milliseconds (`500`), or a number
 * with a unit as parseDuration reads it (`500ms`, `1.5s`, `10m`, `1h`).
 */
export function durationIn(min: number): (text: string) => ValueParse<number> {
  const amount = min === 0 ? "a number of milliseconds" : min === 1 ? "a positive number of milliseconds" : `at least ${min} milliseconds`;
  const expected = `must be ${amount} or a duration like 500ms, 2s or 1m`;
  return (text) => {
    const value = /^\d+$/.test(text) ? Number(text) : parseDuration(text);
    return value !== undefined && Number.isSafeInteger(value) && value >= min ? { ok: true, value } : { ok: false, reason: expected };
  };
}

const BYTE_UNITS: Readonly<Record<string, number>> = { "": 1, b: 1, kb: 1024, mb: 1024 * 1024 };

/** A whole number of bytes from 0 up, as Flink writes memory sizes: `20480`, `20kb`, `1mb`. */
export function bytesIn(): (text: string) => ValueParse<number> {
  return (text) => {
    const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(text);
    const value = match === null ? Number.NaN : Number(match[1]) * BYTE_UNITS[(match[2] ?? "").toLowerCase()]!;
    return Number.isSafeInteger(value) ? { ok: true, value } : { ok: false, reason: "must be a number of bytes, or a size like 20kb or 1mb" };
  };
}

/** One of `values`, written exactly. */
/** Any text but the empty one; `expected` says what it stands for in the refusal. */
export function nonEmpty(expected: string): (text: string) => ValueParse<string> {
  return (text) => (text === "" ? { ok: false, reason: `must be ${expected}` } : { ok: true, value: text });
}

export function oneOf<const T extends string>(values: readonly T[]): (text: string) => ValueParse<T> {
  const expected = `must be ${values.slice(0, -1).map((v) => `'${v}'`).join(", ")} or '${values.at(-1)}'`;
  return (text) => ((values as readonly string[]).includes(text) ? { ok: true, value: text as T } : { ok: false, reason: expected });
}
