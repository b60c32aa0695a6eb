/**
 * Running the job once for the crash-test kit, in a directory of its own: in this process (the
 * reference runs and faults that restart the job inside one run), or as `weir run` child
 * processes killed with SIGKILL and resumed with `--from latest` (kill faults), or from the newest
 * checkpoint at another parallelism (rescale faults).
 *
 * Every run gets a fresh directory, `<run dir>`: checkpoints go to `<run dir>/checkpoints`, fault
 * markers sit beside them, and `{run}` in the job's arguments is replaced by it, so that the
 * job's output of one run never meets another's.
 */
import type { StateBackendName } from "../../state/state-backends.ts";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { listCheckpoints, type CheckpointRow } from "../../checkpoint/storage/list-checkpoints.ts";
import { runJob } from "../../runtime/run-job.ts";
import type { JobResult } from "../../runtime/job-result.ts";
import type { RunOptions, RuntimeMode } from "../../runtime/run-options.ts";
import { armFaults, disarmFaults, FAULTS_VARIABLE, faultsEnvironment, type FaultOptions, type FaultSpec } from "../fault-injection.ts";
import type { FaultPlan } from "./fault-plan.ts";
import { lastFiredFault, statusWrittenTo, type StallReport } from "./run-stall.ts";
import { describeJobStatus, type JobStatusReader } from "../../runtime/job-status.ts";

/** How every run of one crash test runs the job. */
export interface RunSettings {
  readonly job: string;
  readonly runtime: RuntimeMode;
  readonly parallelism: number | undefined;
  /** Overrides the job's checkpoint mode. */
  readonly mode: "exactly-once" | "at-least-once" | undefined;
  /** Unaligned exactly-once checkpoints, with this alignment timeout (0: unaligned at once). */
  readonly unaligned?: { readonly alignedCheckpointTimeoutMs: number } | undefined;
  readonly bufferSize: number | undefined;
  /** Buffer debloating on, towards this target (the job's own target when undefined); the job's setting when absent. */
  readonly bufferDebloat?: { readonly targetMs: number | undefined } | undefined;
  readonly stateBackend: StateBackendName | undefined;
  /** Local recovery on, with the copies in the run's directory (`<run>/local`). */
  readonly localRecovery?: boolean;
  /** Incremental checkpoints on (the job's own choice wins); the backend's default when undefined. */
  readonly incrementalCheckpoints: boolean | undefined;
  /** The job's arguments, with `{run}` where the run's directory goes. */
  readonly args: readonly string[];
}

export interface RunOutcome {
  /** The run completed (after any restarts and resumes). */
  readonly ok: boolean;
  readonly error: string | undefined;
  readonly result: JobResult | undefined;
  /** Faults of the plan that fired. */
  readonly fired: number;
  /** Restarts inside the run, plus resumes after kills. */
  readonly recoveries: number;
  /** Set when the run took longer than its timeout and was stopped. */
  readonly stall?: StallReport;
}

/** How long a job that is asked to stop after a stall gets to end before the run gives up waiting for it. */
const CANCEL_GRACE_MS = 10_000;
/** Where the job's process of a killed run writes its status (see FaultOptions.statusFile). */
const STATUS_FILE = "job-status.json";

/** Resolves to `value` after `ms`; the timer is cleared once `settled` settles, so it keeps nothing alive. */
function after<T>(ms: number, value: T, settled: Promise<unknown>): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(value), ms);
    void settled.finally(() => clearTimeout(timer));
  });
}

export const PLACEHOLDER = "{run}";
const RESTARTS = "fixed-delay:attempts=20,delay=0";
const WEIR_WITH_FAULTS = fileURLToPath(new URL("./weir-with-faults.mjs", import.meta.url));

export function runArgs(settings: RunSettings, dir: string): string[] {
  return settings.args.map((a) => a.split(PLACEHOLDER).join(dir));
}

function faultSpecs(plan: FaultPlan | undefined, dir: string): FaultSpec[] {
  return (plan?.faults ?? []).map((f) => ({ point: f.point, at: f.at, marker: join(dir, f.marker), kill: f.kill, ...(f.after === undefined ? {} : { after: join(dir, f.after) }) }));
}

/** The plan's slow systems, for the fault hooks. */
function faultOptions(plan: FaultPlan | undefined): FaultOptions {
  if (plan === undefined) return {};
  return {
    ...(plan.snapshotStepDelayMs > 0 ? { snapshotStepDelayMs: plan.snapshotStepDelayMs } : {}),
    ...(plan.restoredSourceDelayMs > 0 ? { restoredSourceDelayMs: plan.restoredSourceDelayMs } : {}),
  };
}

function firedCount(specs: readonly FaultSpec[]): number {
  return specs.filter((s) => existsSync(s.marker)).length;
}

function message(e: unknown): string {
  if (e instanceof Error) return `${(e as { code?: string }).code ?? e.name}: ${e.message}`;
  return String(e);
}

/** How a run in this process runs the job: `settings`, checkpointing into `dir`, under `plan`'s checkpoint timeout. */
export function inProcessRunOptions(settings: RunSettings, dir: string, plan: FaultPlan | undefined, intervalMs: number): RunOptions {
  return {
    runtime: settings.runtime,
    ...(settings.parallelism === undefined ? {} : { parallelism: settings.parallelism }),
    ...(settings.bufferSize === undefined ? {} : { bufferSize: settings.bufferSize }),
    ...(settings.bufferDebloat === undefined ? {} : { bufferDebloat: true }),
    ...(settings.bufferDebloat?.targetMs === undefined ? {} : { bufferDebloatTargetMs: settings.bufferDebloat.targetMs }),
    ...(settings.stateBackend === undefined ? {} : { stateBackend: settings.stateBackend }),
    ...(settings.incrementalCheckpoints === true ? { incrementalCheckpoints: true } : {}),
    args: runArgs(settings, dir),
    checkpointing: {
      intervalMs,
      dir: join(dir, "checkpoints"),
      timeoutMs: plan?.checkpointTimeoutMs ?? 60_000,
      tolerableFailures: plan?.tolerableCheckpointFailures ?? 0,
      ...(settings.mode === undefined ? {} : { mode: settings.mode }),
      ...(settings.localRecovery === true ? { localRecovery: true, localRecoveryDir: join(dir, "local") } : {}),
      ...(settings.unaligned === undefined ? {} : { unaligned: true, alignedCheckpointTimeoutMs: settings.unaligned.alignedCheckpointTimeoutMs }),
    },
    restartStrategy: RESTARTS,
  };
}

/**
 * One run in this process, under `plan`'s faults (none for a reference run). With `timeoutMs`, a
 * run that has not ended by then is cancelled (which ends its worker threads) and reported as
 * stalled, with the job's status at that moment.
 */
export async function runInProcess(settings: RunSettings, dir: string, plan: FaultPlan | undefined, intervalMs: number, timeoutMs?: number): Promise<RunOutcome> {
  const specs = faultSpecs(plan, dir);
  armFaults(specs, faultOptions(plan));
  const startedAt = Date.now();
  const cancel = new AbortController();
  let status: JobStatusReader | undefined;
  const job = runJob(settings.job, {
      ...inProcessRunOptions(settings, dir, plan, intervalMs),
      signal: cancel.signal,
      observe: (reader) => (status = reader),
    }).then(
      (result): RunOutcome => ({ ok: true, error: undefined, result, fired: firedCount(specs), recoveries: result.info.restarts }),
      (e: unknown): RunOutcome => ({ ok: false, error: message(e), result: undefined, fired: firedCount(specs), recoveries: status?.().attempt ?? 0 }),
    );
  try {
    if (timeoutMs === undefined) return await job;
    const outcome = await Promise.race([job, after(timeoutMs, undefined, job)]);
    if (outcome !== undefined) return outcome;
    const now = status?.();
    const lines = now === undefined ? ["the job had not started its first attempt"] : describeJobStatus(now);
    cancel.abort();
    const ended = await Promise.race([job.then(() => true), after(CANCEL_GRACE_MS, false, job)]);
    const stall: StallReport = {
      timeoutMs,
      status: lines,
      lastFault: lastFiredFault(plan, dir, startedAt),
      stopped: ended ? "its job was cancelled and its threads ended" : `its job was cancelled but had not ended ${CANCEL_GRACE_MS / 1000} s later`,
    };
    return { ok: false, error: "the run stalled", result: undefined, fired: firedCount(specs), recoveries: now?.attempt ?? 0, stall };
  } finally {
    disarmFaults();
  }
}

/**
 * The newest complete checkpoint under `dir`, across the job ids there (a rescaled resume is another
 * job graph, so it gets another id): latest completion, then highest id. Undefined when none completed.
 */
async function newestCheckpoint(dir: string): Promise<string | undefined> {
  if (!existsSync(dir)) return undefined;
  let newest: CheckpointRow | undefined;
  for (const row of await listCheckpoints(dir)) {
    if (row.status !== "complete") continue;
    if (newest === undefined || row.time > newest.time || (row.time === newest.time && row.checkpointId > newest.checkpointId)) newest = row;
  }
  return newest?.path;
}

/** Where a process of a killed run resumes from, and at which parallelism when it changes. */
export interface Resume {
  /** "latest", or a checkpoint path. */
  readonly from: string;
  readonly parallelism?: number;
}

/** The `weir run` command line of one process of a killed run (for the child, and for reports). */
export function weirRunArgs(settings: RunSettings, dir: string, plan: FaultPlan, resume: Resume | undefined): string[] {
  const parallelism = resume?.parallelism ?? settings.parallelism;
  return [
    "run",
    settings.job,
    "--quiet",
    ...(settings.runtime === "single-thread" ? ["--single-thread"] : []),
    ...(parallelism === undefined ? [] : ["-p", String(parallelism)]),
    ...(settings.bufferSize === undefined ? [] : ["--buffer-size", String(settings.bufferSize)]),
    ...(settings.bufferDebloat === undefined ? [] : ["--buffer-debloat"]),
    ...(settings.bufferDebloat?.targetMs === undefined ? [] : ["--buffer-debloat-target", String(settings.bufferDebloat.targetMs)]),
    ...(settings.stateBackend === undefined ? [] : ["--state-backend", settings.stateBackend]),
    ...(settings.incrementalCheckpoints === true ? ["--incremental"] : []),
    ...(settings.mode === undefined ? [] : ["--checkpoint-mode", settings.mode]),
    ...(settings.localRecovery === true ? ["--local-recovery", "--local-recovery-dir", join(dir, "local")] : []),
    ...(settings.unaligned === undefined ? [] : ["--unaligned", "--aligned-checkpoint-timeout", String(settings.unaligned.alignedCheckpointTimeoutMs)]),
    "--checkpoint-interval",
    String(plan.checkpointIntervalMs),
    "--checkpoint-timeout",
    String(plan.checkpointTimeoutMs),
    "--checkpoint-dir",
    join(dir, "checkpoints"),
    "--restart-strategy",
    RESTARTS,
    ...(resume === undefined ? [] : ["--from", resume.from]),
    "--",
    ...runArgs(settings, dir),
  ];
}

/** Runs `weir run` with `args` as a child process; one still running at `deadline` (epoch milliseconds) is killed with SIGKILL and reported as stalled. */
function runChild(args: readonly string[], env: NodeJS.ProcessEnv, deadline: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stalled: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WEIR_WITH_FAULTS, ...args], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let stalled = false;
    const timer = setTimeout(
      () => {
        stalled = true;
        child.kill("SIGKILL");
      },
      Math.max(0, deadline - Date.now()),
    );
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, stalled });
    });
  });
}

function describeResume(resume: Resume | undefined): string {
  if (resume === undefined) return "started from scratch";
  return `resumed with --from ${resume.from}${resume.parallelism === undefined ? "" : ` at parallelism ${resume.parallelism}`}`;
}

/** What weir run said, without stack frames, which would crowd out the message and its code. */
function lastLines(stderr: string): string {
  return stderr.trim().split("\n").filter((line) => !/^\s+at /.test(line)).slice(-8).join("\n");
}

/**
 * Where process `attempt` of a killed run resumes: nowhere before the first checkpoint completed
 * (it starts again from scratch); with `--from latest`; or, under a rescale plan, from the newest
 * checkpoint at the plan's next parallelism (`latest` only finds checkpoints of the same job graph).
 */
async function resumeOf(plan: FaultPlan, checkpoints: string, attempt: number): Promise<Resume | undefined> {
  const newest = await newestCheckpoint(checkpoints);
  if (newest === undefined) return undefined;
  const parallelisms = plan.resumeParallelisms;
  if (parallelisms === undefined || parallelisms.length === 0 || attempt === 0) return { from: "latest" };
  return { from: newest, parallelism: parallelisms[Math.min(attempt, parallelisms.length) - 1]! };
}

/**
 * A run under kill faults: `weir run` as a child process, which the plan's faults kill with
 * SIGKILL; each time, it is resumed (see `resumeOf`), until a process finishes.
 */
export async function runKilled(settings: RunSettings, dir: string, plan: FaultPlan, timeoutMs?: number): Promise<RunOutcome> {
  const specs = faultSpecs(plan, dir);
  const statusFile = join(dir, STATUS_FILE);
  const env = { ...process.env, [FAULTS_VARIABLE]: faultsEnvironment(specs, { ...faultOptions(plan), statusFile }) };
  const startedAt = Date.now();
  const deadline = timeoutMs === undefined ? Infinity : startedAt + timeoutMs;
  let resumes = 0;
  for (let attempt = 0; attempt <= specs.length + 1; attempt++) {
    const resume = await resumeOf(plan, join(dir, "checkpoints"), attempt);
    if (attempt > 0) resumes++;
    const outcome = await runChild(weirRunArgs(settings, dir, plan, resume), env, deadline);
    if (outcome.stalled) {
      const stall: StallReport = {
        timeoutMs: timeoutMs!,
        status: [`in process ${attempt + 1} of the run (${describeResume(resume)})`, ...statusWrittenTo(statusFile, Date.now())],
        lastFault: lastFiredFault(plan, dir, startedAt),
        stopped: `its process was killed (SIGKILL)${outcome.stderr.trim() === "" ? "" : `; it said:\n${lastLines(outcome.stderr)}`}`,
      };
      return { ok: false, error: "the run stalled", result: undefined, fired: firedCount(specs), recoveries: resumes, stall };
    }
    if (outcome.signal === "SIGKILL") continue;
    if (outcome.code === 0) return { ok: true, error: undefined, result: undefined, fired: firedCount(specs), recoveries: resumes };
    return { ok: false, error: `weir run exited with ${outcome.code ?? outcome.signal}:\n${lastLines(outcome.stderr)}`, result: undefined, fired: firedCount(specs), recoveries: resumes };
  }
  return { ok: false, error: "the job was killed more often than its plan has kills", result: undefined, fired: firedCount(specs), recoveries: resumes };
}
