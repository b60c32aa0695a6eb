/**
 * The `weir` command line: dispatches to a command and returns the exit code. Output goes through
 * the injected io (the real process by default), so commands can run in-process under test.
 */
import { parseArgs } from "./args.ts";
import { checkpointsCommand } from "./checkpoints-command.ts";
import type { Command } from "./command.ts";
import { crashTestCommand } from "./crash-test-command.ts";
import { cancelCommand } from "./cancel-command.ts";
import { listCommand } from "./list-command.ts";
import { savepointCommand } from "./savepoint-command.ts";
import { stopCommand } from "./stop-command.ts";
import { ExitCode } from "./exit-codes.ts";
import { commandHelp, mainHelp } from "./help.ts";
import { processIo, type CliIo } from "./io.ts";
import { runCommand } from "./run-command.ts";
import { savepointCheckCommand } from "./savepoint-check-command.ts";
import { savepointInspectCommand } from "./savepoint-inspect-command.ts";
import { usageError } from "./usage-error.ts";
import { weirVersion } from "./version.ts";

const COMMANDS: readonly Command[] = [runCommand, listCommand, savepointCheckCommand, savepointInspectCommand, savepointCommand, stopCommand, cancelCommand, checkpointsCommand, crashTestCommand];

function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(mainHelp(COMMANDS));
    return ExitCode.USAGE;
  }
  if (first === "--help" || first === "-h") {
    io.stdout.write(mainHelp(COMMANDS));
    return ExitCode.OK;
  }
  if (first === "--version" || first === "-v") {
    io.stdout.write(`weir ${weirVersion()}\n`);
    return ExitCode.OK;
  }
  if (first === "help") {
    const topic = rest[0] === undefined ? undefined : (COMMANDS.find((c) => c.name === rest.slice(0, 2).join(" ")) ?? COMMANDS.find((c) => c.name === rest[0]));
    if (rest[0] !== undefined && topic === undefined) return usageError(io, undefined, `no help on '${rest[0]}': it is not a command`);
    io.stdout.write(topic === undefined ? mainHelp(COMMANDS) : commandHelp(topic));
    return ExitCode.OK;
  }
  // A two-word command ("savepoint check") is matched before a one-word one.
  const twoWords = rest[0] === undefined ? undefined : COMMANDS.find((c) => c.name === `${first} ${rest[0]}`);
  if (twoWords !== undefined) return dispatch(twoWords, rest.slice(1), io);
  const command = COMMANDS.find((c) => c.name === first);
  if (command === undefined) {
    if (first.startsWith("-")) return usageError(io, undefined, `unknown option '${first}'`);
    const hint = /\.(ts|mts|js|mjs)$/.test(first) ? ` (to run a job file: weir run ${first})` : "";
    return usageError(io, undefined, `unknown command '${first}'${hint}`);
  }
  return dispatch(command, rest, io);
}

function dispatch(command: Command, argv: readonly string[], io: CliIo): Promise<number> | number {
  if (asksForHelp(argv)) {
    io.stdout.write(commandHelp(command));
    return ExitCode.OK;
  }
  const parsed = parseArgs(argv, command.options);
  return parsed.ok ? command.run(parsed.args, io) : usageError(io, command.name, parsed.problem);
}
