/**
 * `weir run <job.ts> [options] [-- job args]`: loads a job module, runs it with the options as
 * overrides, reports progress, checkpoints, restarts and the summary on standard error, and turns
 * the outcome into an exit code. Standard output belongs to the job (the print sink writes there);
 * when its reader goes away, the job is stopped.
 */
import { defaultEnvironmentConfig } from "../api/environment.ts";
import { UPPER_BOUND_MAX_PARALLELISM } from "../core/key-groups.ts";
import { runJob } from "../runtime/run-job.ts";
import type { RunOptions } from "../runtime/run-options.ts";
import { durationIn, integerIn, nonEmpty, type OptionSpec, type ParsedArgs, type ValueParse } from "./args.ts";
import { formatDuration } from "../recovery/duration.ts";
import { checkStateBackendName, stateBackendNames, type StateBackendName } from "../state/state-backends.ts";
import { SignalCancellation } from "./cancellation.ts";
import { CHECKPOINT_OPTIONS, checkpointRunOptions } from "./checkpoint-options.ts";
import { HELP_OPTION, type Command } from "./command.ts";
import { ExitCode } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import { classifyError, exitCodeOf } from "./outcome.ts";
import { StdoutClosedWatch } from "./output-closed.ts";
import { RunReporter } from "./run-reporter.ts";
import { usageError } from "./usage-error.ts";
import { REST_OPTIONS, restSettings } from "./rest-options.ts";
import { RestServer, type RestServerOptions } from "../rest/rest-server.ts";
import { registerJob, registryDir } from "../rest/job-registry.ts";
import type { JobControl } from "../runtime/job-control.ts";

const DEFAULT_PROGRESS_INTERVAL_MS = 2000;
/** How long a job that ended keeps its control API up for savepoint outcomes nobody has read. */
const UNREAD_SAVEPOINT_WAIT_MS = 5000;
const defaults = defaultEnvironmentConfig();

/** `--state-backend`, which every command that runs a job accepts. */
export const STATE_BACKEND_OPTION: OptionSpec = {
  kind: "value",
  name: "state-backend",
  placeholder: "name",
  parse: stateBackendName,
  description: `where keyed state lives: ${stateBackendNames().map((n) => `'${n}'`).join(" or ")}; 'disk' keeps it in an embedded LMDB store per keyed subtask, for state larger than memory (a job's own env.setStateBackend wins)`,
  defaultText: defaults.stateBackend,
};

/** `--incremental`, which every command that runs a job accepts. */
export const INCREMENTAL_OPTION: OptionSpec = {
  kind: "flag",
  name: "incremental",
  description: "incremental checkpoints: keyed state keeps a changelog and each checkpoint writes only what changed, into the job's shared/ directory (a job's own env.enableChangelogStateBackend wins)",
  defaultText: "on for the 'disk' backend, off for 'heap'",
};

/** `--buffer-debloat`, shared with `weir crash-test`. */
export const BUFFER_DEBLOAT_OPTION: OptionSpec = {
  kind: "flag",
  name: "buffer-debloat",
  description:
    "each task sizes the batches sent to it so that the records in flight towards it take about --buffer-debloat-target to process, " +
    "as Flink's taskmanager.network.memory.buffer-debloat.enabled does; keeps checkpoints under back-pressure quick and small (e.g. --buffer-debloat --unaligned)",
  defaultText: "the job's setting, else off",
};

/** `--buffer-debloat-target`, shared with `weir crash-test`. */
export const BUFFER_DEBLOAT_TARGET_OPTION: OptionSpec = {
  kind: "value",
  name: "buffer-debloat-target",
  placeholder: "duration",
  parse: durationIn(1),
  description: "with --buffer-debloat: how long the records in flight towards a task should take it to process (e.g. --buffer-debloat-target 200ms)",
  defaultText: `the job's setting, else ${formatDuration(defaults.bufferDebloatTargetMs)}`,
};

/** The options of `weir run`, which commands that build a job as `weir run` would accept too. */
export const RUN_OPTIONS: readonly OptionSpec[] = [
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
    description: "run every subtask on the calling thread instead of on worker threads; a signal then cancels cleanly only while user code is not stuck",
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
  BUFFER_DEBLOAT_OPTION,
  BUFFER_DEBLOAT_TARGET_OPTION,
  {
    kind: "flag",
    name: "object-reuse",
    description:
      "hand records between operators without copying them, for speed; the job must then never change a record it received or emitted, nor a state value it emitted (a job's own getConfig().disableObjectReuse() wins)",
    defaultText: "off: every operator gets records of its own",
  },
  STATE_BACKEND_OPTION,
  INCREMENTAL_OPTION,
  {
    kind: "value",
    name: "state-dir",
    placeholder: "dir",
    parse: nonEmpty("a directory path"),
    description: "where the 'disk' state backend makes its working directories, removed when their tasks end",
    defaultText: "the system's temporary directory",
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
    description: "print neither progress, completed checkpoints, the final summary nor the address of the control API (weir list shows it); errors, failed checkpoints, restarts and cancellation are still reported",
  },
  HELP_OPTION,
  ...CHECKPOINT_OPTIONS,
  ...REST_OPTIONS,
];

interface RunSettings {
  readonly job: string;
  readonly quiet: boolean;
  readonly options: RunOptions;
  readonly rest: RestServerOptions;
}

type SettingsOutcome = { readonly ok: true; readonly settings: RunSettings } | { readonly ok: false; readonly problem: string };

function settingsFrom(args: ParsedArgs): SettingsOutcome {
  const [job, ...extra] = args.positionals;
  if (job === undefined) return { ok: false, problem: "missing the job file, as in 'weir run examples/word-count.ts'" };
  if (extra.length > 0) {
    return { ok: false, problem: `unexpected argument '${extra[0]}': arguments for the job go after '--', as in 'weir run ${job} -- ${extra.join(" ")}'` };
  }
  const o = args.options;
  if (o.get("single-thread") === true && o.has("workers")) return { ok: false, problem: "options --single-thread and --workers cannot be used together" };
  const rest = restSettings(o, process.env);
  if (!rest.ok) return rest;
  return { ok: true, settings: { job, rest: rest.settings, quiet: o.get("quiet") === true, options: runOptionsOf(args) } };
}

function stateBackendName(text: string): ValueParse<StateBackendName> {
  try {
    return { ok: true, value: checkStateBackendName(text) };
  } catch (e) {
    return { ok: false, reason: (e as Error).message.replace(/^unknown state backend '[^']*'; ?/, "names no state backend: ") };
  }
}

/** The RunOptions that arguments parsed by RUN_OPTIONS stand for (callbacks aside). */
export function runOptionsOf(args: ParsedArgs): RunOptions {
  const o = args.options;
  const number = (name: string) => o.get(name) as number | undefined;
  return {
    runtime: o.get("single-thread") === true ? "single-thread" : "threads",
    parallelism: number("parallelism"),
    maxParallelism: number("max-parallelism"),
    maxWorkers: number("workers"),
    bufferSize: number("buffer-size"),
    bufferTimeoutMs: number("buffer-timeout"),
    bufferDebloat: o.get("buffer-debloat") === true ? true : undefined,
    bufferDebloatTargetMs: number("buffer-debloat-target"),
    objectReuse: o.get("object-reuse") === true ? true : undefined,
    stateBackend: o.get("state-backend") as StateBackendName | undefined,
    localStateDirectory: o.get("state-dir") as string | undefined,
    incrementalCheckpoints: o.get("incremental") === true ? true : undefined,
    progressIntervalMs: number("progress-interval") ?? DEFAULT_PROGRESS_INTERVAL_MS,
    args: args.passthrough,
    ...checkpointRunOptions(o),
  };
}

/**
 * The control API of the job, up before the job starts: the job is attached and registered once
 * its id is known, unregistered and closed when it ends.
 */
class ControlPlane {
  control: JobControl | undefined;
  private unregister: Promise<(() => Promise<void>) | undefined> = Promise.resolve(undefined);

  constructor(
    private readonly server: RestServer,
    private readonly jobName: string,
  ) {}

  /** Resolves once the job is registered (or registering failed, which is reported and not fatal). */
  async attach(control: JobControl, io: CliIo): Promise<void> {
    this.control = control;
    this.server.attach(control);
    const entry = { jobId: control.jobId, name: this.jobName, address: this.server.address, pid: process.pid, startTime: control.startTime };
    this.unregister = registerJob(registryDir(), entry).catch((e: unknown) => {
      io.stderr.write(`the job could not register itself for 'weir list' (${e instanceof Error ? e.message : String(e)}); its control API is still at ${this.server.address}\n`);
      return undefined;
    });
    await this.unregister;
  }

  /** A savepoint's requester learns its outcome by asking: the API stays up until it did, for at most a few seconds. */
  async close(): Promise<void> {
    await (await this.unregister)?.().catch(() => undefined);
    for (let waited = 0; (this.control?.unreadSavepoints ?? 0) > 0 && waited < UNREAD_SAVEPOINT_WAIT_MS; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.server.close();
  }
}

async function execute({ job, quiet, options, rest }: RunSettings, io: CliIo): Promise<number> {
  // Signals are heard from the start: one that comes while the control API starts cancels the job.
  const cancellation = new SignalCancellation(io);
  // On worker threads, user code never holds the thread that handles signals.
  const watchdog = options.runtime === "single-thread" ? io.watchStalls?.(cancellation) : undefined;
  const stdoutClosed = new StdoutClosedWatch();
  const reporter = new RunReporter(io.stderr, job, options.runtime, quiet);
  let plane: ControlPlane | undefined;
  try {
    const server = await RestServer.start(rest);
    const control = (plane = new ControlPlane(server, job));
    const result = await runJob(job, {
      ...options,
      ...reporter.callbacks,
      // The address follows the line that says the job started (the API answers from before).
      onStarted: () => {
        reporter.callbacks.onStarted?.();
        if (!quiet) io.stderr.write(`control API at ${server.address}${server.fellBack ? " (port 8081 is taken)" : ""}\n`);
      },
      onControl: (c) => control.attach(c, io),
      signal: AbortSignal.any([cancellation.signal, stdoutClosed.signal]),
    });
    reporter.finished(result);
    return ExitCode.OK;
  } catch (error) {
    const outcome = classifyError(error, {
      started: reporter.started,
      signal: cancellation.received,
      stdoutClosed: stdoutClosed.closed,
      cancelRequested: plane?.control?.cancelRequested === true,
    });
    reporter.ended(outcome);
    return exitCodeOf(outcome);
  } finally {
    await plane?.close();
    watchdog?.dispose();
    stdoutClosed.dispose();
    cancellation.dispose();
  }
}

export const runCommand: Command = {
  name: "run",
  usage: "weir run <job.ts> [options] [-- job args]",
  summary: "run a job module until its input ends, or until Ctrl-C; with checkpoints, resume it after a crash",
  description: [
    "Runs a job: a module whose default export is defineJob((env, args) => { ... }), written in TypeScript or JavaScript. " +
      "Everything after '--' is handed to the job as its arguments (args.number('events'), args.string('input'), ...); " +
      "a named argument the job does not read refuses the job, so a misspelt one is not silently ignored. " +
      "The job file imports Weir from its own project: install it there with 'npm install weir'.",
    "A job with bounded sources exits when its input is exhausted; Ctrl-C (SIGINT) or SIGTERM cancels any job cleanly, " +
      "and a second one, a second or more later, ends the process at once, even while user code is blocked. " +
      "With --single-thread, user code runs on the thread that handles signals: once it has held that thread for 2 seconds " +
      "(an endless loop), the first signal ends the process at once, without cancelling cleanly. " +
      "Standard output belongs to the job's print sinks; progress, the summary and errors go to standard error. " +
      "When the reader of standard output goes away (as with '| head'), the job is stopped quietly.",
    "With --checkpoint-interval (or checkpointing enabled by the job), the job takes checkpoints under --checkpoint-dir and " +
      "restarts from the latest one when a task fails; each checkpoint and restart is reported on standard error. " +
      "After a crash or kill -9, run the same command with --from latest to resume; 'weir checkpoints' lists what is on disk. " +
      "The checkpoint and restart options override what the job sets in code.",
    "While it runs, the job serves a control API on 127.0.0.1 (--rest-port, default 8081; a free port when that is taken, " +
      "as printed at the start) with Flink's REST paths, and registers itself where 'weir list', 'weir savepoint', 'weir stop' " +
      "and 'weir cancel' find it; see docs/rest.md. Resume a job stopped with 'weir stop' with --from <savepoint dir>.",
  ],
  options: RUN_OPTIONS,
  notes: [
    {
      title: "Exit codes",
      lines: [
        "0    the job finished",
        "1    the job failed, or was refused (a wrong job, or a checkpoint it cannot restore); see the error code",
        "2    the command line is wrong",
        "130  the job was cancelled by SIGINT (Ctrl-C)",
        "141  the job was stopped because the reader of its standard output went away",
        "143  the job was cancelled by SIGTERM",
      ],
    },
  ],
  examples: [
    { command: "weir run examples/nexmark-hot-bidders.ts", note: "2,000,000 Nexmark events on worker threads" },
    { command: "weir run examples/nexmark-hot-bidders.ts -p 2 -- --events 0", note: "unbounded: runs until Ctrl-C" },
    { command: "weir run examples/word-count.ts --single-thread -- --input README.md", note: "count the words of a file" },
    {
      command: "weir run examples/exactly-once.ts --checkpoint-interval 1s --checkpoint-dir /tmp/chk -- --events 1000000 --rate 20000 --out /tmp/out",
      note: "checkpoint every second; after a crash or kill -9, add --from latest to resume",
    },
    {
      command: "weir run examples/exactly-once.ts --checkpoint-interval 1s --checkpoint-dir /tmp/chk --from latest -- --events 1000000 --rate 20000 --out /tmp/out",
      note: "resume from the newest checkpoint of the job under /tmp/chk",
    },
    { command: "weir run jobs/fraud.ts --checkpoint-interval 5s --restart-strategy fixed-delay:attempts=3,delay=1s", note: "restart at most three times" },
    { command: "weir run jobs/fraud.ts --checkpoint-interval 5s --rest-port 9091", note: "serve the control API on port 9091; 'weir list' finds it" },
    {
      command: "export WEIR_REST_TOKEN=$(openssl rand -hex 16); weir run jobs/fraud.ts --rest-bind 0.0.0.0",
      note: "reachable from other machines, with a token every request must carry",
    },
  ],
  run: async (args, io) => {
    const outcome = settingsFrom(args);
    return outcome.ok ? execute(outcome.settings, io) : usageError(io, "run", outcome.problem);
  },
};
