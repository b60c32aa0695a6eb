/** Reports a wrong command line: what was wrong, and where to read the usage; exit code 2. */
import { ExitCode } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";

export function usageError(io: CliIo, command: string | undefined, problem: string): number {
  const prefix = command === undefined ? "weir" : `weir ${command}`;
  const help = command === undefined ? "weir --help" : `weir ${command} --help`;
  io.stderr.write(`${prefix}: ${problem}\nRun '${help}' for usage.\n`);
  return ExitCode.USAGE;
}
