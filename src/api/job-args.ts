/**
 * The arguments a job receives after `--` on the command line, parsed once:
 * `--events 1000 --out dir --verbose a b` gives `{ events: "1000", out: "dir", verbose: true }`
 * with positionals `["a", "b"]`.
 */
import { invalidArgument } from "../core/errors.ts";

export class JobArgs {
  readonly raw: readonly string[];
  readonly positionals: readonly string[];
  private readonly named: ReadonlyMap<string, string | true>;

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
    return this.named.has(name);
  }

  string(name: string): string | undefined;
  string(name: string, fallback: string): string;
  string(name: string, fallback?: string): string | undefined {
    const v = this.named.get(name);
    if (v === undefined) return fallback;
    if (v === true) throw invalidArgument(`job argument --${name} needs a value`);
    return v;
  }

  number(name: string): number | undefined;
  number(name: string, fallback: number): number;
  number(name: string, fallback?: number): number | undefined {
    const v = this.string(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n)) throw invalidArgument(`job argument --${name} must be a number, got '${v}'`);
    return n;
  }

  flag(name: string): boolean {
    const v = this.named.get(name);
    return v === true || v === "true";
  }

  toJSON(): readonly string[] {
    return this.raw;
  }
}
