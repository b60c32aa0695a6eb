/**
 * `weir crash-test <job.ts> [options] [-- job args]`: the crash-test kit on the command line (see
 * src/testing/crash-test/crash-test.ts). Progress and the report go to standard error; the exit
 * code is 0 when every run committed the reference's output, 1 otherwise.
 */
import type { StateBackendName } from "../state/state-backends.ts";
import { BUFFER_DEBLOAT_OPTION, BUFFER_DEBLOAT_TARGET_OPTION, INCREMENTAL_OPTION, STATE_BACKEND_OPTION } from "./run-command.ts";
import { integerIn, durationIn, oneOf, type OptionSpec, type ParsedArgs, type ValueParse } from "./args.ts";
import { HELP_OPTION, type Command } from "./command.ts";
import { ExitCode } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import { usageError } from "./usage-error.ts";
import { crashTest, type CrashTestOptions } from "../testing/crash-test/crash-test.ts";
import { parseOutputKey } from "../testing/crash-test/compare-outputs.ts";
import { FAULT_KINDS, parseFaultKinds } from "../testing/crash-test/fault-plan.ts";

// Both parsers check the text and keep it, so that the replay command can repeat it.
function faultList(text: string): ValueParse<string> {
  try {
    parseFaultKinds(text);
    return { ok: true, value: text };
  } catch (e) {
    return { ok: false, reason: `must be a comma-separated list of ${FAULT_KINDS.join(", ")} (${(e as Error).message})` };
  }
}

function outputKey(text: string): ValueParse<string> {
  try {
    parseOutputKey(text);
    return { ok: true, value: text };
  } catch {
    return { ok: false, reason: "must be csv:<n> (the n-th comma-separated field of a line, from 0) or field:<name> (a field of a record or JSON line)" };
  }
}

const OPTIONS: readonly OptionSpec[] = [
  { kind: "value", name: "runs", placeholder: "n", parse: integerIn(1), description: "faulted runs after the two reference runs", defaultText: "10" },
  { kind: "value", name: "seed", placeholder: "s", parse: integerIn(0), description: "seed of the first faulted run; run i has seed s + i, and --seed <its seed> --runs 1 replays it", defaultText: "1" },
  { kind: "value", name: "faults", placeholder: "list", parse: faultList, description: `the faults to draw from: ${FAULT_KINDS.join(", ")}`, defaultText: "all" },
  {
    kind: "value",
    name: "key",
    placeholder: "spec",
    parse: outputKey,
    description: "the key of an output record, so that exactly-once sinks are compared in per-key order too: csv:<n> or field:<name>",
    defaultText: "compared as multisets only",
  },
  { kind: "value", name: "parallelism", short: "p", placeholder: "n", parse: integerIn(1), description: "default parallelism of the job's operators", defaultText: "the number of CPU cores" },
  { kind: "flag", name: "single-thread", description: "run every subtask on one thread", defaultText: "worker threads" },
  { kind: "flag", name: "local-recovery", description: "run with local recovery: restarts and resumes read the tasks' local state copies first", defaultText: "off" },
  { kind: "value", name: "buffer-size", placeholder: "n", parse: integerIn(1), description: "records per batch sent between tasks" },
  BUFFER_DEBLOAT_OPTION,
  BUFFER_DEBLOAT_TARGET_OPTION,
  STATE_BACKEND_OPTION,
  INCREMENTAL_OPTION,
  {
    kind: "value",
    name: "checkpoint-interval",
    placeholder: "duration",
    parse: durationIn(1),
    description: "checkpoint interval of every run",
    defaultText: "drawn per run from 30 to 200 ms",
  },
  {
    kind: "value",
    name: "run-timeout",
    placeholder: "duration",
    parse: durationIn(1),
    description: "how long one faulted run may take; a run still going then is stopped and reported as stalled, with where it stood",
    defaultText: "10 times the slower reference run, at least 30 s",
  },
  { kind: "value", name: "checkpoint-mode", placeholder: "mode", parse: oneOf(["exactly-once", "at-least-once"] as const), description: "overrides the job's checkpoint mode", defaultText: "the job's" },
  { kind: "flag", name: "unaligned", description: "every run takes unaligned exactly-once checkpoints (with --aligned-checkpoint-timeout, aligned at first); no rescale faults are drawn, as such checkpoints restore only at their own parallelism", defaultText: "the job's" },
  {
    kind: "value",
    name: "aligned-checkpoint-timeout",
    placeholder: "duration",
    parse: durationIn(0),
    description: "with --unaligned: how long a checkpoint stays aligned before it switches to unaligned",
    defaultText: "0",
  },
  { kind: "value", name: "work-dir", placeholder: "dir", parse: (text) => ({ ok: true, value: text }), description: "where the runs' directories go; a failed run's directory is kept", defaultText: "a new temporary directory" },
  HELP_OPTION,
];

/** The command line that replays the run with `seed`: this one, with --seed and --runs 1. */
function replayCommand(argv: ParsedArgs, job: string, seed: number): string {
  const flags: string[] = [];
  for (const [name, value] of argv.options) {
    if (name === "seed" || name === "runs" || name === "help") continue;
    flags.push(value === true ? `--${name}` : `--${name} ${String(value)}`);
  }
  const rest = argv.passthrough.length > 0 ? ` -- ${argv.passthrough.join(" ")}` : "";
  return `npx weir crash-test ${job} --seed ${seed} --runs 1${flags.length > 0 ? " " + flags.join(" ") : ""}${rest}`;
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const [job, ...extra] = args.positionals;
  if (job === undefined) return usageError(io, "crash-test", "missing the job file, as in 'weir crash-test examples/exactly-once.ts -- --out {run}/out'");
  if (extra.length > 0) return usageError(io, "crash-test", `unexpected argument '${extra[0]}': arguments for the job go after '--'`);
  const o = args.options;
  const get = <T>(name: string) => o.get(name) as T | undefined;
  const faults = get<string>("faults");
  const key = get<string>("key");
  const options: CrashTestOptions = {
    args: args.passthrough,
    runtime: o.get("single-thread") === true ? "single-thread" : "threads",
    runs: get<number>("runs"),
    seed: get<number>("seed"),
    faults: faults === undefined ? undefined : parseFaultKinds(faults),
    key: key === undefined ? undefined : parseOutputKey(key),
    parallelism: get<number>("parallelism"),
    bufferSize: get<number>("buffer-size"),
    bufferDebloat: o.get("buffer-debloat") === true ? (get<number>("buffer-debloat-target") ?? true) : undefined,
    stateBackend: get<StateBackendName>("state-backend"),
    ...(o.get("local-recovery") === true ? { localRecovery: true } : {}),
    incrementalCheckpoints: o.get("incremental") === true ? true : undefined,
    checkpointIntervalMs: get<number>("checkpoint-interval"),
    runTimeoutMs: get<number>("run-timeout"),
    mode: get<"exactly-once" | "at-least-once">("checkpoint-mode"),
    unalignedTimeoutMs: o.get("unaligned") === true ? (get<number>("aligned-checkpoint-timeout") ?? 0) : undefined,
    workDir: get<string>("work-dir"),
    onProgress: (line) => io.stderr.write(line + "\n"),
    replayCommand: (seed) => replayCommand(args, job, seed),
  };
  io.stderr.write(`crash test of ${job}: 2 reference runs, then ${options.runs ?? 10} faulted runs\n`);
  let report;
  try {
    report = await crashTest(job, options);
  } catch (e) {
    io.stderr.write(`crash test could not run: ${e instanceof Error ? e.message : String(e)}\n`);
    return ExitCode.JOB_FAILED;
  }
  for (const sink of report.sinks) io.stderr.write(`sink '${sink.id}': ${sink.check}${sink.records === undefined ? "" : `, ${sink.records} records in the reference`}\n`);
  if (report.referenceProblem !== undefined) {
    io.stderr.write(`FAIL: ${report.referenceProblem}\n`);
    return ExitCode.JOB_FAILED;
  }
  const failed = report.runs.filter((r) => !r.ok);
  const fired = report.runs.filter((r) => r.faultsFired > 0).length;
  io.stderr.write(
    failed.length === 0
      ? `PASS: ${report.runs.length} faulted runs (faults fired in ${fired}) committed what the reference run committed\n`
      : `FAIL: ${failed.length} of ${report.runs.length} faulted runs differ from the reference; first: seed ${failed[0]!.seed}\n  replay: ${failed[0]!.replay}\n`,
  );
  return failed.length === 0 ? ExitCode.OK : ExitCode.JOB_FAILED;
}

export const crashTestCommand: Command = {
  name: "crash-test",
  usage: "weir crash-test <job.ts> [--runs N] [--seed S] [--faults list] [options] [-- job args]",
  summary: "run a job under seeded faults and kill -9, and check that its sinks commit what a run without faults commits",
  description: [
    "Runs the job twice without faults to learn what each sink commits (and says where, if the two runs differ: the job is not deterministic), " +
      "then --runs times, each under a seeded plan of faults: exceptions in user functions at random records, failures in the synchronous " +
      "and asynchronous snapshot phases (a declined checkpoint), failures between pre-commit and commit, lost acknowledgements, and kill -9 " +
      "of the process running the job followed by a resume with --from latest.",
    "Each run gets a directory of its own: write '{run}' in the job's arguments where it goes (for example '--out {run}/out' after the '--'). " +
      "What every sink committed is compared with the reference run: exactly-once sinks as multisets (and in per-key order with --key), " +
      "at-least-once sinks (and every sink when the job checkpoints at-least-once) for nothing lost. Sinks that cannot read back " +
      "what they committed (print, writeAsText, custom sinks without 'committed') are listed as not compared.",
  ],
  options: OPTIONS,
  examples: [
    { command: "weir crash-test examples/exactly-once.ts --runs 5 --key csv:0 -- --events 20000 --rate 20000 --out {run}/out", note: "five faulted runs of the demonstration" },
    { command: "weir crash-test examples/exactly-once.ts --seed 7 --runs 1 --faults kill -- --events 20000 --rate 20000 --out {run}/out", note: "replay the run with seed 7" },
  ],
  notes: [
    {
      title: "Exit codes",
      lines: ["0  every faulted run committed what the reference run committed", "1  a run differs, a run did not complete, or the reference runs failed or differ", "2  wrong options"],
    },
  ],
  run,
};
