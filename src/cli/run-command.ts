/**
 * `weir run <job.ts> [options] [-- job args]`: loads a job module, runs it with the options as
 * overrides, reports progress and the summary on standard error, and turns the outcome into an
 * exit code. Standard output belongs to the job (the print sink writes there).
 */
import { defaultEnvironmentConfig } from "../api/environment.ts";
import { UPPER_BOUND_MAX_PARALLELISM } from "../core/key-groups.ts";
import { runJob } from "../runtime/run-job.ts";
import type { RunOptions } from "../runtime/run-options.ts";
import { integerIn, type OptionSpec, type ParsedArgs } from "./args.ts";
import { SignalCancellation } from "./cancellation.ts";
import { HELP_OPTION, type Command } from "./command.ts";
import { ExitCode } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import { classifyError, describeOutcome, exitCodeOf } from "./outcome.ts";
import { ProgressReporter, summary } from "./progress.ts";
import { usageError } from "./usage-error.ts";

const DEFAULT_PROGRESS_INTERVAL_MS = 2000;
const defaults = defaultEnvironmentConfig();

const OPTIONS: readonly OptionSpec[] = [
  {
    kind: "value",
    name: "parallelism",
    short: "p",
    placeholder: "n",
    parse: integerIn(1),
    description: "default parallelism of the job's operators; a job or operator that sets its own parallelism keeps it",
    defaultText: "the number of CPU cores",
  },
  {
    kind: "value",
    name: "max-parallelism",
    placeholder: "n",
    parse: integerIn(1, UPPER_BOUND_MAX_PARALLELISM),
    description: "number of key groups that keyed state is split into; no operator may have a higher parallelism",
    defaultText: String(defaults.maxParallelism),
  },
  {
    kind: "flag",
    name: "single-thread",
    description: "run every subtask on the calling thread instead of on worker threads",
    defaultText: "worker threads",
  },
  {
    kind: "value",
    name: "workers",
    placeholder: "n",
    parse: integerIn(1),
    description: "at most this many worker threads; subtasks are spread over them",
    defaultText: "the number of CPU cores",
  },
  {
    kind: "value",
    name: "buffer-size",
    placeholder: "n",
    parse: integerIn(1),
    description: "records per batch sent between tasks",
    defaultText: String(defaults.bufferSize),
  },
  {
    kind: "value",
    name: "buffer-timeout",
    placeholder: "ms",
    parse: integerIn(0),
    description: "a batch that is not full is sent after this many milliseconds; 0 sends it after every processed batch",
    defaultText: String(defaults.bufferTimeoutMs),
  },
  {
    kind: "value",
    name: "progress-interval",
    placeholder: "ms",
    parse: integerIn(1),
    description: "print progress on standard error every this many milliseconds",
    defaultText: String(DEFAULT_PROGRESS_INTERVAL_MS),
  },
  {
    kind: "flag",
    name: "quiet",
    description: "print neither progress nor the final summary; errors and cancellation are still reported",
  },
  HELP_OPTION,
];

interface RunSettings {
  readonly job: string;
  readonly quiet: boolean;
  readonly options: RunOptions;
}

type SettingsOutcome = { readonly ok: true; readonly settings: RunSettings } | { readonly ok: false; readonly problem: string };

function settingsFrom(args: ParsedArgs): SettingsOutcome {
  const [job, ...extra] = args.positionals;
  if (job === undefined) return { ok: false, problem: "missing the job file, as in 'weir run examples/word-count.ts'" };
  if (extra.length > 0) {
    return { ok: false, problem: `unexpected argument '${extra[0]}': arguments for the job go after '--', as in 'weir run ${job} -- ${extra.join(" ")}'` };
  }
  const o = args.options;
  const singleThread = o.get("single-thread") === true;
  if (singleThread && o.has("workers")) return { ok: false, problem: "options --single-thread and --workers cannot be used together" };
  const number = (name: string) => o.get(name) as number | undefined;
  return {
    ok: true,
    settings: {
      job,
      quiet: o.get("quiet") === true,
      options: {
        runtime: singleThread ? "single-thread" : "threads",
        parallelism: number("parallelism"),
        maxParallelism: number("max-parallelism"),
        maxWorkers: number("workers"),
        bufferSize: number("buffer-size"),
        bufferTimeoutMs: number("buffer-timeout"),
        progressIntervalMs: number("progress-interval") ?? DEFAULT_PROGRESS_INTERVAL_MS,
        args: args.passthrough,
      },
    },
  };
}

async function execute({ job, quiet, options }: RunSettings, io: CliIo): Promise<number> {
  const cancellation = new SignalCancellation(io);
  const reporter = new ProgressReporter();
  let startedAt: number | undefined;
  try {
    const result = await runJob(job, {
      ...options,
      signal: cancellation.signal,
      onStarted: () => {
        startedAt = performance.now();
        if (!quiet) io.stderr.write(`job started: ${job} (${options.runtime === "single-thread" ? "single thread" : "worker threads"})\n`);
      },
      onProgress: quiet ? undefined : (progress) => io.stderr.write(reporter.report(progress)),
    });
    if (!quiet) io.stderr.write(summary(result.durationMs, result.operators));
    return ExitCode.OK;
  } catch (error) {
    const outcome = classifyError(error, { started: startedAt !== undefined, signal: cancellation.received });
    io.stderr.write(describeOutcome(outcome, startedAt === undefined ? undefined : performance.now() - startedAt));
    return exitCodeOf(outcome);
  } finally {
    cancellation.dispose();
  }
}

export const runCommand: Command = {
  name: "run",
  usage: "weir run <job.ts> [options] [-- job args]",
  summary: "run a job module until its input ends, or until Ctrl-C",
  description: [
    "Runs a job: a module whose default export is defineJob((env, args) => { ... }). " +
      "Everything after '--' is handed to the job as its arguments (args.number('events'), args.string('input'), ...).",
    "A job with bounded sources exits when its input is exhausted; Ctrl-C (SIGINT) or SIGTERM cancels any job cleanly. " +
      "Standard output belongs to the job's print sinks; progress, the summary and errors go to standard error.",
  ],
  options: OPTIONS,
  notes: [
    {
      title: "Exit codes",
      lines: [
        "0    the job finished",
        "1    the job failed, or was refused before it started (the message names the error code)",
        "2    the command line is wrong",
        "130  the job was cancelled by SIGINT (Ctrl-C)",
        "143  the job was cancelled by SIGTERM",
      ],
    },
  ],
  examples: [
    { command: "weir run examples/nexmark-hot-bidders.ts", note: "2,000,000 Nexmark events on worker threads" },
    { command: "weir run examples/nexmark-hot-bidders.ts -p 2 -- --events 0", note: "unbounded: runs until Ctrl-C" },
    { command: "weir run examples/word-count.ts --single-thread -- --input README.md", note: "count the words of a file" },
  ],
  run: async (args, io) => {
    const outcome = settingsFrom(args);
    return outcome.ok ? execute(outcome.settings, io) : usageError(io, "run", outcome.problem);
  },
};
