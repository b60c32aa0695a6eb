/**
 * `weir savepoint inspect <path> [--json]`: prints what a savepoint or retained checkpoint holds,
 * reading every state file once (see state-processor/savepoint-summary.ts for what is counted).
 * Exits 0 with the summary on standard output, 1 with the error and its code on standard error.
 */
import { readSavepoint } from "../state-processor/savepoint-reader.ts";
import { formatSavepointSummary, summarizeSavepoint, type SavepointSummary } from "../state-processor/savepoint-summary.ts";
import { HELP_OPTION, type Command } from "./command.ts";
import { describeCommandError } from "./command-error.ts";
import { ExitCode } from "./exit-codes.ts";
import { usageError } from "./usage-error.ts";

const NAME = "savepoint inspect";

export const savepointInspectCommand: Command = {
  name: NAME,
  usage: "weir savepoint inspect <savepoint|checkpoint> [--json]",
  summary: "show the operators and states a savepoint or checkpoint holds",
  description: [
    "Reads a savepoint directory, a retained checkpoint (a chk-<n> directory) or their _metadata file, and prints its job id, " +
      "format version, checkpoint id and completion time, then per operator its uid (or derived id), name, parallelism and max parallelism, " +
      "its state files and their bytes, the subtask states kept inline in _metadata (smaller than the job's --memory-threshold) and their bytes, " +
      "and each state's name, kind, entry count and bytes. Every state file is read and checked against its checksum.",
    "Kinds: value, list, map, reducing, aggregating (keyed state; 'namespaced' for the state of windows), operator list, union list, " +
      "broadcast, timers, source split positions, source positions, sink transactions, operator snapshot. " +
      "To read the entries themselves, use readSavepoint from 'weir/state-processor' (see docs/state-processor.md).",
  ],
  options: [{ kind: "flag", name: "json", description: "print the summary as JSON, for scripts", defaultText: "text" }, HELP_OPTION],
  notes: [
    {
      title: "Exit codes",
      lines: [
        "0    the summary was printed",
        "1    nothing there, no savepoint, or a corrupt or missing file (the message names the error code)",
        "2    the command line is wrong",
      ],
    },
  ],
  examples: [
    { command: "weir savepoint inspect ./.weir/savepoints/savepoint-job-20-3f2a9c1b7e0d", note: "what the savepoint holds" },
    { command: "weir savepoint inspect /tmp/chk/<job id>/chk-12 --json", note: "a retained checkpoint, as JSON" },
  ],
  run: async (args, io) => {
    const [path, ...extra] = args.positionals;
    if (path === undefined) return usageError(io, NAME, "give the savepoint or checkpoint directory, as in 'weir savepoint inspect ./savepoint'");
    if (extra.length > 0) return usageError(io, NAME, `unexpected argument '${extra[0]}': give one savepoint or checkpoint`);
    let summary: SavepointSummary;
    try {
      summary = await summarizeSavepoint(await readSavepoint(path));
    } catch (error) {
      io.stderr.write(`weir ${NAME}: ${describeCommandError(error)}`);
      return ExitCode.JOB_FAILED;
    }
    io.stdout.write(args.options.get("json") === true ? `${JSON.stringify(summary, null, 2)}\n` : formatSavepointSummary(summary));
    return ExitCode.OK;
  },
};
