/**
 * The crash-test kit: runs a job twice without faults to learn what each sink commits (and that
 * it commits the same both times), then N times under seeded fault plans, and compares what each
 * sink committed in every faulted run with the reference.
 *
 * Sinks compared: those that can read back what they committed (`Sink.committed`): exactly-once
 * sinks as multisets, and in per-key order when a key function is given; at-least-once sinks (or
 * any sink when the job checkpoints in at-least-once mode) for nothing lost. Sinks without
 * read-back give no guarantee across failures and are listed as not compared.
 *
 * What is not guaranteed: a pass means these runs committed the reference's output, not that
 * every schedule of failures does; more runs and other seeds explore more.
 */
import type { StateBackendName } from "../../state/state-backends.ts";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildJob } from "../../api/define-job.ts";
import { jobModuleUrl, loadJobModule } from "../../api/job-module.ts";
import type { RuntimeMode } from "../../runtime/run-options.ts";
import { compareOutputs, type ComparisonRule, type OutputDifference, type OutputKey } from "./compare-outputs.ts";
import { describePlan, faultKindsFor, faultPlan, killsProcess, type FaultKind, type FaultPlan } from "./fault-plan.ts";
import { jobSinks, readCommitted, type JobSink } from "./job-sinks.ts";
import { PLACEHOLDER, runArgs, runInProcess, runKilled, type RunOutcome, type RunSettings } from "./job-runs.ts";
import { defaultRunTimeoutMs, describeStall, type StallReport } from "./run-stall.ts";

export interface CrashTestOptions {
  /** Faulted runs (default 10). */
  readonly runs?: number;
  /** Seed of the first faulted run; run i has seed `seed + i` (default 1). */
  readonly seed?: number;
  /** Faults to draw from (default all of FAULT_KINDS; with `unalignedTimeoutMs`, all but "rescale", see faultKindsFor). */
  readonly faults?: readonly FaultKind[];
  /** The job's arguments; `{run}` is replaced by a directory of each run's own. */
  readonly args?: readonly string[];
  readonly runtime?: RuntimeMode;
  readonly parallelism?: number;
  readonly bufferSize?: number;
  /**
   * Every run with buffer debloating (`true`: towards the job's own target; a number: towards this
   * many milliseconds); the job's own setting otherwise.
   */
  readonly bufferDebloat?: boolean | number;
  /** The keyed state backend of every run (the job's own choice wins). */
  readonly stateBackend?: StateBackendName;
  /** Incremental checkpoints in every run (the job's own choice wins). */
  readonly incrementalCheckpoints?: boolean;
  /** Overrides the job's checkpoint mode. */
  readonly mode?: "exactly-once" | "at-least-once";
  /** Every run with local recovery (restarts and resumes read the tasks' local state copies first). */
  readonly localRecovery?: boolean;
  /**
   * Every run takes unaligned exactly-once checkpoints, switching from aligned after this many
   * milliseconds (0: unaligned at once); the job's own setting otherwise.
   */
  readonly unalignedTimeoutMs?: number;
  /** A fixed checkpoint interval; by default each faulted run draws one from 30 to 200 ms. */
  readonly checkpointIntervalMs?: number;
  /**
   * How long one faulted run may take before it is stopped and reported as stalled (see
   * run-stall.ts). Default: ten times the slower reference run's wall-clock time, at least 30 s.
   * Reference runs are bounded too: the first by FIRST_REFERENCE_TIMEOUT_MS (nothing is known of
   * the job's time before it), the second by the default scaled from the first.
   */
  readonly runTimeoutMs?: number;
  /** The key of an output record, for per-key order in exactly-once sinks. */
  readonly key?: OutputKey;
  /** Where run directories go (default: a new directory under the system's temp dir). */
  readonly workDir?: string;
  /** Called with what each sink committed in the first reference run (to check it against what the job should commit). */
  readonly onReference?: (sinkId: string, records: readonly unknown[]) => void;
  /** Called with a line for each reference and faulted run as it ends. */
  readonly onProgress?: (line: string) => void;
  /** The command that replays the run with `seed` (default: a `crashTest` call). */
  readonly replayCommand?: (seed: number) => string;
}

export interface SinkCheck {
  readonly id: string;
  readonly name: string;
  /** How its output is compared, or why it is not. */
  readonly check: ComparisonRule | "not compared: the sink gives no guarantee across failures";
  /** Records it committed in the reference run. */
  readonly records: number | undefined;
}

export interface SinkDifference extends OutputDifference {
  readonly sink: string;
}

export interface RunReport {
  readonly seed: number;
  readonly plan: string;
  readonly ok: boolean;
  readonly faultsFired: number;
  readonly recoveries: number;
  /** Why the run failed: the job did not complete, or a sink committed something else. */
  readonly error: string | undefined;
  readonly difference: SinkDifference | undefined;
  readonly replay: string;
  /** The run's directory, kept when the run failed. */
  readonly dir: string | undefined;
  /** Where the run stood when it was stopped for taking longer than its timeout. */
  readonly stall: StallReport | undefined;
}

export interface CrashTestReport {
  readonly ok: boolean;
  /** Set when the reference runs could not be used (they failed, or differ: the job is not deterministic). */
  readonly referenceProblem: string | undefined;
  readonly sinks: readonly SinkCheck[];
  readonly runs: readonly RunReport[];
}

const REFERENCE_INTERVAL_MS = 100;
/** The bound of the first reference run, a run without faults of a job whose time is not known yet. */
export const FIRST_REFERENCE_TIMEOUT_MS = 5 * 60_000;

function ruleOf(sink: JobSink, mode: "exactly-once" | "at-least-once"): ComparisonRule | undefined {
  if (sink.committed === undefined) return undefined;
  return sink.committed.guarantee === "exactly-once" && mode === "exactly-once" ? "exactly-once" : "at-least-once";
}

function firstDifference(
  sinks: readonly JobSink[],
  rules: ReadonlyMap<string, ComparisonRule>,
  expected: ReadonlyMap<string, readonly unknown[] | undefined>,
  got: ReadonlyMap<string, readonly unknown[] | undefined>,
  key: OutputKey | undefined,
): SinkDifference | undefined {
  for (const sink of sinks) {
    const rule = rules.get(sink.id);
    const want = expected.get(sink.id);
    const have = got.get(sink.id);
    if (rule === undefined || want === undefined || have === undefined) continue;
    const d = compareOutputs(want, have, rule, key);
    if (d !== undefined) return { sink: sink.id, ...d };
  }
  return undefined;
}

export function describeDifference(d: SinkDifference): string {
  return `sink '${d.sink}'${d.key === undefined ? "" : `, key ${d.key}`}: expected ${d.expected}, got ${d.got}`;
}

/** Runs the crash test of the job module at `job` (a path or file URL); see the module comment. */
export async function crashTest(job: string | URL, options: CrashTestOptions = {}): Promise<CrashTestReport> {
  const jobPath = typeof job === "string" ? resolve(job) : job.href;
  const settings: RunSettings = {
    job: jobPath,
    runtime: options.runtime ?? "threads",
    parallelism: options.parallelism,
    mode: options.mode,
    unaligned: options.unalignedTimeoutMs === undefined ? undefined : { alignedCheckpointTimeoutMs: options.unalignedTimeoutMs },
    bufferSize: options.bufferSize,
    bufferDebloat: options.bufferDebloat === undefined || options.bufferDebloat === false ? undefined : { targetMs: options.bufferDebloat === true ? undefined : options.bufferDebloat },
    stateBackend: options.stateBackend,
    ...(options.localRecovery === true ? { localRecovery: true } : {}),
    incrementalCheckpoints: options.incrementalCheckpoints,
    args: options.args ?? [],
  };
  const progress = options.onProgress ?? (() => {});
  const replay = options.replayCommand ?? ((seed: number) => `crashTest(${JSON.stringify(String(job))}, { ...options, seed: ${seed}, runs: 1 })`);
  const kinds = faultKindsFor(options.faults, settings.unaligned !== undefined);
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), "weir-crash-test-"));
  mkdirSync(workDir, { recursive: true });
  const definition = await loadJobModule(jobModuleUrl(jobPath), String(job));
  const config = settings.parallelism === undefined ? {} : { parallelism: settings.parallelism };
  const built = await buildJob(definition, config, settings.args);
  const mode = settings.mode ?? built.env.getCheckpointing()?.mode ?? "exactly-once";
  const sinksIn = (dir: string) => jobSinks(definition, config, runArgs(settings, dir));

  const sourceNodes = new Set(built.graph.nodes.filter((n) => n.kind === "source").map((n) => n.id as number));

  // Reference runs.
  const references: Map<string, readonly unknown[] | undefined>[] = [];
  let sinks: JobSink[] = [];
  let recordsDelivered = 0;
  let referenceMs = 0;
  for (const n of [1, 2]) {
    const dir = join(workDir, `reference-${n}`);
    mkdirSync(dir, { recursive: true });
    const timeoutMs = n === 1 ? FIRST_REFERENCE_TIMEOUT_MS : defaultRunTimeoutMs(referenceMs);
    const started = performance.now();
    const outcome = await runInProcess(settings, dir, undefined, options.checkpointIntervalMs ?? REFERENCE_INTERVAL_MS, timeoutMs);
    referenceMs = Math.max(referenceMs, performance.now() - started);
    if (!outcome.ok) {
      const why = outcome.stall === undefined ? outcome.error : describeStall(outcome.stall).join("\n  ");
      return { ok: false, referenceProblem: `reference run ${n} failed: ${why}${referenceFailureHint(why)}`, sinks: [], runs: [] };
    }
    sinks = await sinksIn(dir);
    references.push(await readCommitted(sinks, (id) => outcome.result!.collected(id)));
    // Records handed to operators (the "user" fault point), not those sources read.
    recordsDelivered = outcome.result!.operators.filter((o) => !sourceNodes.has(o.nodeId)).reduce((sum, o) => sum + o.recordsIn, 0);
    const total = [...references[n - 1]!.values()].reduce((s, r) => s + (r?.length ?? 0), 0);
    progress(`reference run ${n}: completed, ${total} records committed by ${sinks.filter((s) => s.committed !== undefined).length} comparable sink(s)`);
    rmSync(dir, { recursive: true, force: true });
  }
  const rules = new Map<string, ComparisonRule>();
  for (const sink of sinks) {
    const rule = ruleOf(sink, mode);
    if (rule !== undefined) rules.set(sink.id, rule);
  }
  const sinkChecks: SinkCheck[] = sinks.map((s) => ({
    id: s.id,
    name: s.name,
    check: rules.get(s.id) ?? "not compared: the sink gives no guarantee across failures",
    records: references[0]!.get(s.id)?.length,
  }));
  for (const [id, records] of references[0]!) if (records !== undefined) options.onReference?.(id, records);
  const exactly = new Map([...rules.keys()].map((id) => [id, "exactly-once" as const]));
  const drift = firstDifference(sinks, exactly, references[0]!, references[1]!, options.key);
  if (drift !== undefined) {
    const problem = `the job is not deterministic: two runs without faults committed different output; ${describeDifference(drift)}`;
    return { ok: false, referenceProblem: problem, sinks: sinkChecks, runs: [] };
  }
  if (rules.size === 0) {
    return { ok: false, referenceProblem: "no sink of the job can read back what it committed, so there is nothing to compare", sinks: sinkChecks, runs: [] };
  }

  // Faulted runs.
  const threads = settings.runtime === "single-thread" ? 1 : Math.max(1, settings.parallelism ?? 2);
  const facts = { recordsPerThread: Math.max(1, Math.floor(recordsDelivered / threads)), checkpointIntervalMs: options.checkpointIntervalMs };
  const runs: RunReport[] = [];
  const count = options.runs ?? 10;
  const runTimeoutMs = options.runTimeoutMs ?? defaultRunTimeoutMs(referenceMs);
  const first = options.seed ?? 1;
  for (let i = 0; i < count; i++) {
    const seed = first + i;
    const plan: FaultPlan = faultPlan(seed, kinds, facts);
    const dir = join(workDir, `run-${seed}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const outcome: RunOutcome =
      killsProcess(plan.kind) ? await runKilled(settings, dir, plan, runTimeoutMs) : await runInProcess(settings, dir, plan, plan.checkpointIntervalMs, runTimeoutMs);
    let difference: SinkDifference | undefined;
    if (outcome.ok) {
      const got = await readCommitted(await sinksIn(dir), (id) => outcome.result?.collected(id));
      difference = firstDifference(sinks, rules, references[0]!, got, options.key);
    }
    const ok = outcome.ok && difference === undefined;
    const report: RunReport = {
      seed,
      plan: describePlan(plan),
      ok,
      faultsFired: outcome.fired,
      recoveries: outcome.recoveries,
      error: outcome.error,
      difference,
      replay: replay(seed),
      dir: ok ? undefined : dir,
      stall: outcome.stall,
    };
    runs.push(report);
    progress(describeRun(report, i + 1, count));
    if (ok) rmSync(dir, { recursive: true, force: true });
  }
  if (options.workDir === undefined && runs.every((r) => r.ok)) rmSync(workDir, { recursive: true, force: true });
  return { ok: runs.every((r) => r.ok), referenceProblem: undefined, sinks: sinkChecks, runs };
}

/** One line per run (two more for a failure: what went wrong, and how to replay it). */
export function describeRun(r: RunReport, n: number, of: number): string {
  const fired = r.faultsFired === 0 ? "the fault did not fire" : `${r.faultsFired === 1 ? "fault fired" : `${r.faultsFired} faults fired`}, ${r.recoveries} ${r.recoveries === 1 ? "recovery" : "recoveries"}`;
  const head = `run ${n}/${of}, seed ${r.seed}: ${r.plan}: ${r.ok ? "pass" : "FAIL"} (${fired})`;
  if (r.ok) return head;
  const why =
    r.difference !== undefined
      ? describeDifference(r.difference)
      : r.stall !== undefined
        ? describeStall(r.stall).join("\n  ")
        : `the job did not complete: ${r.error ?? "unknown"}`;
  return `${head}\n  ${why}\n  replay: ${r.replay}${r.dir === undefined ? "" : `\n  its files: ${r.dir}`}`;
}

/**
 * Advice for a reference run's failure, after its message: a sink that finds committed output of
 * another run where it writes means the job writes every run to the same place (its default
 * output, or a path without `{run}`).
 */
export function referenceFailureHint(error: string | undefined): string {
  if (error === undefined || !error.includes("WEIR_ERR_SINK_OUTPUT_EXISTS")) return "";
  return `\n  every run of the crash test needs an output of its own: give the job an output path with ${PLACEHOLDER} in it, which each run replaces by a directory of its own (for example '-- --out ${PLACEHOLDER}/out')`;
}
