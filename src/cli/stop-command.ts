/**
 * `weir stop <jobId> --savepoint-dir D [--drain]`: stops a running job with a final savepoint
 * (POST /jobs/:id/stop), waits for it and prints its directory. The job's sinks commit its
 * output and the job ends as finished.
 */
import { resolve } from "node:path";
import type { OptionSpec, ParsedArgs } from "./args.ts";
import { HELP_OPTION, type Command } from "./command.ts";
import type { CliIo } from "./io.ts";
import { runSavepointOperation } from "./savepoint-command.ts";
import { usageError } from "./usage-error.ts";

const OPTIONS: readonly OptionSpec[] = [
  {
    kind: "value",
    name: "savepoint-dir",
    placeholder: "dir",
    parse: (text) => (text === "" ? { ok: false, reason: "must be a directory path" } : { ok: true, value: text }),
    description: "where the final savepoint's directory is made",
  },
  {
    kind: "flag",
    name: "drain",
    description: "end the sources' input first: the maximum watermark is emitted, so every window fires and every event-time timer runs before the savepoint",
    defaultText: "off: windows and timers stay in the savepoint",
  },
  HELP_OPTION,
];

async function stop(args: ParsedArgs, io: CliIo): Promise<number> {
  const [id, ...extra] = args.positionals;
  if (id === undefined) return usageError(io, "stop", "missing the job id, as 'weir list' shows it");
  if (extra.length > 0) return usageError(io, "stop", `unexpected argument '${extra[0]}': the savepoint directory goes after --savepoint-dir`);
  const dir = args.options.get("savepoint-dir") as string | undefined;
  if (dir === undefined) return usageError(io, "stop", "missing --savepoint-dir <dir>: where the final savepoint goes");
  const body = { targetDirectory: resolve(dir), drain: args.options.get("drain") === true };
  return runSavepointOperation("stop", id, (jobId) => `/jobs/${encodeURIComponent(jobId)}/stop`, body, io);
}

export const stopCommand: Command = {
  name: "stop",
  usage: "weir stop <jobId> --savepoint-dir <dir> [--drain]",
  summary: "stop a running job with a final savepoint, and print its directory",
  description: [
    "Stops a running job cleanly: its sources stop, a final savepoint is taken into a new directory under --savepoint-dir, " +
      "its sinks commit everything the savepoint covers, and the job ends as finished ('weir run' exits 0). " +
      "Resume it with 'weir run <job.ts> --from <savepoint>': each record is then committed once, neither lost nor repeated.",
    "Without --drain, windows that have not fired and timers that have not run stay in the savepoint and fire after the resume. " +
      "With --drain, the sources end their input first, as a bounded source does: the maximum watermark fires every window " +
      "before the savepoint, as when the job's input is over for good.",
    "If the savepoint fails, a job stopped without --drain goes on running; with --drain its sources have ended, and the " +
      "savepoint is taken again. The job is found by its id, or a unique start of it; a token goes in WEIR_REST_TOKEN.",
  ],
  options: OPTIONS,
  notes: [{ title: "Exit codes", lines: ["0    the job stopped; the savepoint's directory is printed", "1    no such job, or the savepoint was refused or failed", "2    the command line is wrong"] }],
  examples: [
    { command: "weir stop job-20250101-120000-3f2a9c --savepoint-dir /backups/savepoints", note: "stop; windows resume later" },
    { command: "weir stop job-2025 --savepoint-dir /backups/savepoints --drain", note: "fire every window first" },
  ],
  run: stop,
};
