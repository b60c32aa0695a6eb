/**
 * The arguments a job receives after `--` on the command line, parsed once:
 * `--events 1000 --out dir --verbose a b` gives `{ events: "1000", out: "dir", verbose: true }`
 * with positionals `["a", "b"]`.
 *
 * Every named argument the build function reads (`has`, `string`, `number`, `flag`) or declares
 * (`declare`) is known; after the build, a named argument that is not known refuses the job
 * (WEIR_ERR_UNKNOWN_JOB_ARGUMENT), so a misspelt `--evnets 100` cannot silently leave the default.
 */
import { invalidArgument } from "../core/errors.ts";

/** Bounds for `args.number`; a value outside them refuses the job with WEIR_ERR_INVALID_ARGUMENT. */
export interface NumberBounds {
  readonly min?: number;
  readonly max?: number;
  /** Only whole numbers. */
  readonly integer?: boolean;
}

export class JobArgs {
  readonly raw: readonly string[];
  readonly positionals: readonly string[];
  private readonly named: ReadonlyMap<string, string | true>;
  private readonly known = new Set<string>();

  constructor(raw: readonly string[] = []) {
    this.raw = [...raw];
    const named = new Map<string, string | true>();
    const positionals: string[] = [];
    for (let i = 0; i < raw.length; i++) {
      const arg = raw[i]!;
      if (arg.startsWith("--") && arg.length > 2) {
        const eq = arg.indexOf("=");
        if (eq > 0) named.set(arg.slice(2, eq), arg.slice(eq + 1));
        else if (i + 1 < raw.length && !raw[i + 1]!.startsWith("--")) named.set(arg.slice(2), raw[++i]!);
        else named.set(arg.slice(2), true);
      } else positionals.push(arg);
    }
    this.named = named;
    this.positionals = positionals;
  }

  has(name: string): boolean {
    this.known.add(name);
    return this.named.has(name);
  }

  string(name: string): string | undefined;
  string(name: string, fallback: string): string;
  string(name: string, fallback?: string): string | undefined {
    this.known.add(name);
    const v = this.named.get(name);
    if (v === undefined) return fallback;
    if (v === true) throw invalidArgument(`job argument --${name} needs a value`);
    return v;
  }

  number(name: string): number | undefined;
  number(name: string, fallback: number, bounds?: NumberBounds): number;
  number(name: string, fallback: undefined, bounds: NumberBounds): number | undefined;
  number(name: string, fallback?: number, bounds: NumberBounds = {}): number | undefined {
    const v = this.string(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n)) throw invalidArgument(`job argument --${name} must be a number, got '${v}'`);
    if (bounds.integer === true && !Number.isInteger(n)) throw invalidArgument(`job argument --${name} must be a whole number, got ${v}`);
    if (bounds.min !== undefined && n < bounds.min) throw invalidArgument(`job argument --${name} must be at least ${bounds.min}, got ${v}`);
    if (bounds.max !== undefined && n > bounds.max) throw invalidArgument(`job argument --${name} must be at most ${bounds.max}, got ${v}`);
    return n;
  }

  flag(name: string): boolean {
    this.known.add(name);
    const v = this.named.get(name);
    return v === true || v === "true";
  }

  /**
   * Marks named arguments as known without reading them: for arguments that only a function
   * reads, through its context's `args`, once the job runs.
   */
  declare(...names: string[]): void {
    for (const name of names) this.known.add(name);
  }

  /** The named arguments given that were neither read nor declared, in the order given. */
  unknown(): string[] {
    return [...this.named.keys()].filter((name) => !this.known.has(name));
  }

  /** The names read or declared so far, sorted. */
  knownNames(): string[] {
    return [...this.known].sort();
  }

  toJSON(): readonly string[] {
    return this.raw;
  }
}
