/**
 * `weir list [--json]`: the running jobs the job registry knows (see job-registry.ts), with the
 * status each one's control API reports ("UNREACHABLE" when it does not answer).
 */
import { WeirError } from "../core/errors.ts";
import { listRegisteredJobs, registryDir, type RegisteredJob } from "../rest/job-registry.ts";
import type { ParsedArgs } from "./args.ts";
import { HELP_OPTION, type Command } from "./command.ts";
import { callJob } from "./control-client.ts";
import { ExitCode } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import { usageError } from "./usage-error.ts";

interface Row {
  readonly jobId: string;
  readonly status: string;
  readonly address: string;
  readonly pid: number;
  readonly started: string;
  readonly name: string;
}

async function rowOf(job: RegisteredJob): Promise<Row> {
  let status = "UNREACHABLE";
  try {
    status = ((await callJob(job, "GET", `/jobs/${encodeURIComponent(job.jobId)}`)) as { state: string }).state;
  } catch (error) {
    if (!(error instanceof WeirError)) throw error;
  }
  return { jobId: job.jobId, status, address: job.address, pid: job.pid, started: new Date(job.startTime).toISOString(), name: job.name };
}

function table(rows: readonly Row[]): string {
  const header: Row = { jobId: "JOB ID", status: "STATUS", address: "ADDRESS", pid: 0, started: "STARTED (UTC)", name: "JOB" };
  const cells = (r: Row, first: boolean) => [r.jobId, r.status, r.address, first ? "PID" : String(r.pid), r.started, r.name];
  const lines = [cells(header, true), ...rows.map((r) => cells(r, false))];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines.map((l) => l.map((c, i) => (i === l.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n") + "\n";
}

async function list(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.positionals.length > 0) return usageError(io, "list", `unexpected argument '${args.positionals[0]}'`);
  const rows = await Promise.all((await listRegisteredJobs(registryDir())).map(rowOf));
  if (args.options.get("json") === true) io.stdout.write(JSON.stringify(rows, null, 2) + "\n");
  else io.stdout.write(rows.length === 0 ? "no running jobs\n" : table(rows));
  return ExitCode.OK;
}

export const listCommand: Command = {
  name: "list",
  usage: "weir list [--json]",
  summary: "list the running jobs and the address of each one's control API",
  description: [
    "Lists the jobs that 'weir run' runs on this machine: job id, status, control API address, process id, start time and job file. " +
      "Jobs register in $WEIR_STATE_DIR/jobs (default ~/.local/state/weir/jobs); a job killed without a chance to unregister " +
      "is left out once its process is gone.",
  ],
  options: [{ kind: "flag", name: "json", description: "print the jobs as a JSON array" }, HELP_OPTION],
  notes: [],
  examples: [{ command: "weir list", note: "the running jobs" }],
  run: list,
};
