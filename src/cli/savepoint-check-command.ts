/**
 * `weir savepoint check <job.ts> <path> [run options] [-- job args]`: whether `weir run <job.ts>
 * --from <path>` with the same options would restore, and what it would do with each operator's
 * state (keyed and operator states compared by kind and schema version), without running anything. Prints the
 * report on standard output; exits 0 when the restore would go ahead, 1 when it would be refused
 * (or the job or checkpoint cannot be read).
 */
import { WeirError } from "../core/errors.ts";
import { describeRestorePlan } from "../runtime/master/restore-report.ts";
import { checkRestore } from "../runtime/restore-check.ts";
import type { Command } from "./command.ts";
import { ExitCode } from "./exit-codes.ts";
import { RUN_OPTIONS, runOptionsOf } from "./run-command.ts";
import { usageError } from "./usage-error.ts";

const NAME = "savepoint check";

export const savepointCheckCommand: Command = {
  name: NAME,
  usage: "weir savepoint check <job.ts> <savepoint|checkpoint> [options] [-- job args]",
  summary: "check, before deploying, whether a changed job can restore a savepoint or checkpoint",
  description: [
    "Builds the job as 'weir run' would with the same options and job arguments, reads the savepoint's or checkpoint's metadata, " +
      "and prints what a restore would do for each operator: restored; new (starts empty); dropped (its state matches no operator, " +
      "which needs --allow-non-restored-state); no uid (matched by an id derived from its position, which changes when the job changes); " +
      "parallelism or max parallelism changed (allowed, with what moves). It also compares each keyed, operator list, union list and " +
      "broadcast state the job's functions ask for in initializeState and open (it opens keyed and broadcast operators and runs other " +
      "functions' initializeState, without records), and keyed state descriptors that are fields of a function, with the state in the " +
      "checkpoint: state kind changed (refused); state version migrated (allowed: the descriptor's migrate runs on restore); state version " +
      "changed without a migration (refused); state new (starts empty); state not inspected (in the checkpoint but not asked for there: " +
      "kept, and checked if the job asks for it later). No record flows and nothing is written.",
    "'weir run --from' makes the same check before anything starts, so a refused restore explains itself there too.",
  ],
  options: RUN_OPTIONS,
  notes: [
    {
      title: "Exit codes",
      lines: ["0    the restore would go ahead", "1    the restore would be refused, or the job or checkpoint cannot be read; see the error code", "2    the command line is wrong"],
    },
  ],
  examples: [
    { command: "weir savepoint check examples/exactly-once.ts /tmp/chk/<job id>/chk-12 -p 3", note: "may the job resume at parallelism 3?" },
    { command: "weir savepoint check jobs/fraud.ts ./sp --map-uid alerts=alerts-v2", note: "check a renamed operator's state is found" },
  ],
  run: async (args, io) => {
    const [job, path, ...extra] = args.positionals;
    if (job === undefined || path === undefined) return usageError(io, NAME, "give the job file and the savepoint or checkpoint path, as in 'weir savepoint check job.ts ./savepoint'");
    if (extra.length > 0) return usageError(io, NAME, `unexpected argument '${extra[0]}': arguments for the job go after '--'`);
    try {
      const { point, plan } = await checkRestore(job, path, runOptionsOf(args));
      io.stdout.write(`restoring ${point.path} (checkpoint ${point.metadata.checkpointId} of job ${point.metadata.jobId}) into ${job}:\n`);
      io.stdout.write(describeRestorePlan(plan));
      if (plan.refusal === undefined) {
        io.stdout.write("the restore would go ahead\n");
        return ExitCode.OK;
      }
      io.stdout.write(`the restore would be refused (${plan.refusal.code}, see docs/errors.md)\n`);
      return ExitCode.JOB_FAILED;
    } catch (error) {
      const code = error instanceof WeirError ? `\n  code: ${error.code} (see docs/errors.md)` : "";
      io.stderr.write(`weir ${NAME}: ${error instanceof Error ? error.message : String(error)}${code}\n`);
      return ExitCode.JOB_FAILED;
    }
  },
};
