/**
 * `weir savepoint <jobId> [dir]`: takes a savepoint of a running job (POST /jobs/:id/savepoints),
 * waits for it and prints its directory on standard output. The job goes on running.
 */
import { resolve } from "node:path";
import type { ParsedArgs } from "./args.ts";
import { HELP_OPTION, type Command } from "./command.ts";
import { describeCommandError } from "./command-error.ts";
import { awaitSavepoint, callJob, findRunningJob } from "./control-client.ts";
import { ExitCode } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import { usageError } from "./usage-error.ts";

/**
 * Asks the job `id` for a savepoint operation at `path` with `body`, waits for it and prints the
 * savepoint's directory; errors go to standard error with exit code 1.
 */
export async function runSavepointOperation(command: string, id: string, path: (jobId: string) => string, body: unknown, io: CliIo): Promise<number> {
  try {
    const job = await findRunningJob(id);
    const answer = (await callJob(job, "POST", path(job.jobId), body)) as { "request-id": string };
    io.stdout.write(`${await awaitSavepoint(job, answer["request-id"])}\n`);
    return ExitCode.OK;
  } catch (error) {
    io.stderr.write(`weir ${command}: ${describeCommandError(error)}`);
    return ExitCode.JOB_FAILED;
  }
}

async function savepoint(args: ParsedArgs, io: CliIo): Promise<number> {
  const [id, dir, ...extra] = args.positionals;
  if (id === undefined) return usageError(io, "savepoint", "missing the job id, as 'weir list' shows it");
  if (extra.length > 0) return usageError(io, "savepoint", `unexpected argument '${extra[0]}': give a job id and at most one directory`);
  const body = dir === undefined ? {} : { "target-directory": resolve(dir) };
  return runSavepointOperation("savepoint", id, (jobId) => `/jobs/${encodeURIComponent(jobId)}/savepoints`, body, io);
}

export const savepointCommand: Command = {
  name: "savepoint",
  usage: "weir savepoint <jobId> [dir]",
  summary: "take a savepoint of a running job and print its directory",
  description: [
    "Takes a savepoint of a running job (started by 'weir run' with checkpointing) and prints its directory, " +
      "savepoint-<job id prefix>-<random>, made in dir (default: ./.weir/savepoints of the job's working directory). " +
      "A savepoint is self-contained and can be moved; 'weir run <job.ts> --from <savepoint>' resumes from it. " +
      "The job goes on running; its sinks commit the savepoint's output with the next checkpoint, not with the savepoint.",
    "The job is found by its id, or a unique start of it, among the jobs 'weir list' shows. " +
      "A job started with a control API token needs it in WEIR_REST_TOKEN.",
  ],
  options: [HELP_OPTION],
  notes: [{ title: "Exit codes", lines: ["0    the savepoint is complete; its directory is printed", "1    no such job, or the savepoint was refused or failed", "2    the command line is wrong"] }],
  examples: [
    { command: "weir savepoint job-20250101-120000-3f2a9c /backups/savepoints", note: "take a savepoint into /backups/savepoints" },
    { command: "weir savepoint job-2025", note: "the only running job whose id starts so; default directory" },
  ],
  run: savepoint,
};
