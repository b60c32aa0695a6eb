/** `weir cancel <jobId>`: cancels a running job (PATCH /jobs/:id?mode=cancel), as Ctrl-C does. */
import type { ParsedArgs } from "./args.ts";
import { HELP_OPTION, type Command } from "./command.ts";
import { describeCommandError } from "./command-error.ts";
import { callJob, findRunningJob } from "./control-client.ts";
import { ExitCode } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import { usageError } from "./usage-error.ts";

async function cancel(args: ParsedArgs, io: CliIo): Promise<number> {
  const [id, ...extra] = args.positionals;
  if (id === undefined) return usageError(io, "cancel", "missing the job id, as 'weir list' shows it");
  if (extra.length > 0) return usageError(io, "cancel", `unexpected argument '${extra[0]}': give one job id`);
  try {
    const job = await findRunningJob(id);
    await callJob(job, "PATCH", `/jobs/${encodeURIComponent(job.jobId)}?mode=cancel`);
    io.stdout.write(`cancelling ${job.jobId}\n`);
    return ExitCode.OK;
  } catch (error) {
    io.stderr.write(`weir cancel: ${describeCommandError(error)}`);
    return ExitCode.JOB_FAILED;
  }
}

export const cancelCommand: Command = {
  name: "cancel",
  usage: "weir cancel <jobId>",
  summary: "cancel a running job",
  description: [
    "Cancels a running job, as Ctrl-C on its 'weir run' does: its tasks stop at once, nothing more is committed, and its " +
      "checkpoints are kept or deleted as its --on-cancel says. To stop a job so that it can be resumed where it stopped, " +
      "use 'weir stop' instead. The job is found by its id, or a unique start of it; a token goes in WEIR_REST_TOKEN.",
  ],
  options: [HELP_OPTION],
  notes: [{ title: "Exit codes", lines: ["0    the job was asked to cancel", "1    no such job, or it refused", "2    the command line is wrong"] }],
  examples: [{ command: "weir cancel job-20250101-120000-3f2a9c", note: "cancel that job" }],
  run: cancel,
};
