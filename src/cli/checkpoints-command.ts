/**
 * `weir checkpoints [dir] [--json]`: lists the checkpoints under a checkpoint directory (every
 * job's, or one job directory's) as a table or as JSON on standard output. A directory with none
 * exits 0 and says so; a directory that does not exist, or cannot be read, exits 1 with the
 * error and its code on standard error.
 */
import { DEFAULT_CHECKPOINT_ROOT } from "../checkpoint/storage/checkpoint-paths.ts";
import { formatCheckpointTable, listCheckpoints, type CheckpointRow } from "../checkpoint/storage/list-checkpoints.ts";
import { describeCommandError } from "./command-error.ts";
import type { ParsedArgs } from "./args.ts";
import { HELP_OPTION, type Command } from "./command.ts";
import { ExitCode } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import { usageError } from "./usage-error.ts";

/** One checkpoint in the `--json` output; `time` is ISO 8601 in UTC. */
export interface CheckpointJson {
  readonly jobId: string;
  readonly checkpointId: number;
  readonly status: CheckpointRow["status"];
  readonly time: string;
  readonly sizeBytes: number;
  /** Bytes of the records in flight the checkpoint stored (unaligned checkpoints); 0 for none. */
  readonly inFlightBytes: number;
  readonly path: string;
  readonly problem?: string;
}

function toJson(row: CheckpointRow): CheckpointJson {
  const { jobId, checkpointId, status, time, sizeBytes, inFlightBytes, path, problem } = row;
  return { jobId, checkpointId, status, time: new Date(time).toISOString(), sizeBytes, inFlightBytes, path, ...(problem === undefined ? {} : { problem }) };
}

async function list(args: ParsedArgs, io: CliIo): Promise<number> {
  const [dir = DEFAULT_CHECKPOINT_ROOT, ...extra] = args.positionals;
  if (extra.length > 0) return usageError(io, "checkpoints", `unexpected argument '${extra[0]}': give one checkpoint directory`);
  let rows: CheckpointRow[];
  try {
    rows = await listCheckpoints(dir);
  } catch (error) {
    io.stderr.write(`weir checkpoints: ${describeCommandError(error)}`);
    return ExitCode.JOB_FAILED;
  }
  if (args.options.get("json") === true) io.stdout.write(JSON.stringify(rows.map(toJson), null, 2) + "\n");
  else io.stdout.write(rows.length === 0 ? `no checkpoints in ${dir}\n` : formatCheckpointTable(rows));
  return ExitCode.OK;
}

export const checkpointsCommand: Command = {
  name: "checkpoints",
  usage: "weir checkpoints [dir] [--json]",
  summary: "list the checkpoints on disk that 'weir run --from' can resume from",
  description: [
    `Lists the checkpoints under a checkpoint directory (${DEFAULT_CHECKPOINT_ROOT} by default, as for 'weir run'), ` +
      "or under one job's directory in it: per checkpoint its job id, checkpoint id, status, time (UTC), size, " +
      "the bytes of records in flight it stored (unaligned checkpoints) and path. " +
      "A complete checkpoint can be resumed with 'weir run <job.ts> --from <path>'; 'incomplete' ones never finished and are safe to delete.",
  ],
  options: [{ kind: "flag", name: "json", description: "print the checkpoints as a JSON array, for scripts", defaultText: "a table" }, HELP_OPTION],
  notes: [
    {
      title: "Exit codes",
      lines: [
        "0    the checkpoints were listed, or the directory holds none",
        "1    the directory does not exist or cannot be read (the message names the error code)",
        "2    the command line is wrong",
      ],
    },
  ],
  examples: [
    { command: "weir checkpoints", note: `the checkpoints under ${DEFAULT_CHECKPOINT_ROOT}` },
    { command: "weir checkpoints /tmp/chk --json", note: "the checkpoints under /tmp/chk, as JSON" },
  ],
  run: list,
};
