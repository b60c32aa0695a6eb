/** A subcommand of `weir`: its options and help as data, and what it does with parsed arguments. */
import type { OptionSpec, ParsedArgs } from "./args.ts";
import type { CliIo } from "./io.ts";

export interface CommandExample {
  readonly command: string;
  readonly note: string;
}

export interface Command {
  readonly name: string;
  /** The usage line, as in `weir run <job.ts> [options] [-- job args]`. */
  readonly usage: string;
  /** One line for the list of commands. */
  readonly summary: string;
  /** Paragraphs shown under the usage line. */
  readonly description: readonly string[];
  readonly options: readonly OptionSpec[];
  readonly examples: readonly CommandExample[];
  /** Further sections of the help text, each a title and its lines. */
  readonly notes: readonly { readonly title: string; readonly lines: readonly string[] }[];
  /** Runs with arguments already parsed against `options`; returns the exit code. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** The option every command accepts. */
export const HELP_OPTION: OptionSpec = { kind: "flag", name: "help", short: "h", description: "show this help and exit" };
