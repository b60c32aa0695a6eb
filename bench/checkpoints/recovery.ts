/**
 * Recovery time against state size: the keyed-state job fills its state; once a checkpoint
 * triggered after the fill completed, the benchmark creates the job's failure marker, the job
 * throws once (recording the time), restarts at once (fixed delay 0) from its latest checkpoint,
 * and each restored counting subtask records when it processed its first record. Times are
 * wall-clock milliseconds written by the job's threads. The failure comes no earlier than
 * STANDBY_AFTER_MS plus STANDBY_BOOT_ALLOWANCE_MS after the job started, so that the restart runs
 * on the threads a job that has run a while keeps booted ahead (see standby-workers.ts), as
 * Flink's restarts run on task managers already up; the time to boot threads is start-up's. The restoring threads report how long
 * reading and loading the state took and the process's CPU time meanwhile (restoreRate). With
 * `local`, the job runs with local recovery, and the restart reads the tasks' local copies.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KEYED_STATE_PARALLELISM, runKeyedStateJob } from "./keyed-state-run.ts";
import { recoveryTimes, restoreRate } from "./summary.ts";
import type { StateRestoreReport } from "../../src/runtime/state-restore-report.ts";
import { STANDBY_AFTER_MS } from "../../src/runtime/threads/standby-workers.ts";

/** Time for the threads booted ahead to load the runtime and the job (from sources, on a busy machine). */
const STANDBY_BOOT_ALLOWANCE_MS = 5000;
/** The failure comes no earlier than this after the job started. */
export const FAILURE_NOT_BEFORE_MS = STANDBY_AFTER_MS + STANDBY_BOOT_ALLOWANCE_MS;

export interface RecoverySettings {
  readonly intervalMs: number;
  readonly updatesPerSecond: number;
  readonly timeoutMs: number;
}

export interface RecoveryRow {
  readonly keys: number;
  /** From the failure to the first record processed by a restored subtask. */
  readonly ms: number;
  /** From the failure until every restored counting subtask processed a record. */
  readonly allSubtasksMs: number;
  /** From the failure until the job master started deploying the new attempt. */
  readonly redeployedMs: number;
  /** Size of the checkpoint restored. */
  readonly bytes: number;
  readonly restoredCheckpoint: number | undefined;
  /** From the first restoring thread starting to read state to the last one's tasks holding it. */
  readonly restoreMs: number;
  /** Restored MB per CPU second of the process while the threads restored (see bench/README.md). */
  readonly mbPerSecondPerCore: number;
  /** The same rate by wall clock: restored MB per second of the restore per restoring thread. */
  readonly mbPerSecondPerThread: number;
  /** State files the restart read from local copies and from the checkpoint storage, and states kept inside _metadata. */
  readonly localFiles: number;
  readonly storageFiles: number;
  readonly inlineFiles: number;
  readonly note?: string;
}

const recoveredFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.startsWith("recovered-at-"));
const readTime = (path: string): number => Number(readFileSync(path, "utf8"));

export async function measureRecovery(keys: number, settings: RecoverySettings, local = false): Promise<RecoveryRow> {
  const dir = mkdtempSync(join(tmpdir(), "weir-bench-recovery-"));
  const reports: StateRestoreReport[] = [];
  let marked = false;
  let restoredCheckpoint: number | undefined;
  let redeployedAt = Number.NaN;
  const startedAt = Date.now();
  try {
    const run = await runKeyedStateJob({
      keys,
      updatesPerSecond: settings.updatesPerSecond,
      intervalMs: settings.intervalMs,
      timeoutMs: settings.timeoutMs,
      recoveryDir: dir,
      ...(local ? { localRecoveryDir: join(dir, "local") } : {}),
      onStateRestored: (report) => reports.push(report),
      restartStrategy: { kind: "fixed-delay", attempts: 1, delayMs: 0 },
      onCheckpoint: (stats, view) => {
        if (marked || stats.status !== "completed" || view.filledAt === undefined || stats.triggerTime < view.filledAt) return;
        if (Date.now() - startedAt < FAILURE_NOT_BEFORE_MS) return;
        marked = true;
        writeFileSync(join(dir, "fail"), "");
      },
      onAttempt: (event) => {
        if (event.attempt === 0) return;
        redeployedAt = performance.timeOrigin + performance.now();
        restoredCheckpoint = event.restoredCheckpointId;
      },
      done: () => marked && recoveredFiles(dir).length >= KEYED_STATE_PARALLELISM,
    });
    const recovered = recoveredFiles(dir).map((f) => readTime(join(dir, f)));
    const failedAt = marked && readdirSync(dir).includes("failed-at") ? readTime(join(dir, "failed-at")) : Number.NaN;
    const times = recoveryTimes(failedAt, recovered);
    const restored = run.checkpoints.find((s) => s.id === restoredCheckpoint);
    const rate = restoreRate(reports);
    const problems: string[] = [];
    if (run.error !== undefined) problems.push(`the job failed: ${run.error.message}`);
    if (run.timedOut) {
      const at = `${((run.endedAt - run.startedAt) / 1000).toFixed(0)} s`;
      if (run.filledAt === undefined) problems.push(`stopped after ${at}: the state never held all ${keys} keys`);
      else if (!marked) problems.push(`stopped after ${at}: no checkpoint completed after the fill`);
      else if (Number.isNaN(failedAt)) problems.push(`stopped after ${at}: the job did not fail on the marker`);
      else problems.push(`stopped after ${at}: ${recovered.length} of ${KEYED_STATE_PARALLELISM} subtasks processed a record after the restart`);
    }
    if (marked && restoredCheckpoint === undefined && !Number.isNaN(failedAt)) problems.push("the restarted job restored no checkpoint");
    const row: RecoveryRow = {
      keys,
      ms: times.firstMs,
      allSubtasksMs: times.allMs,
      redeployedMs: Math.round(redeployedAt - failedAt),
      bytes: restored?.bytes ?? Number.NaN,
      restoredCheckpoint,
      restoreMs: rate?.restoreMs ?? Number.NaN,
      mbPerSecondPerCore: rate?.mbPerSecondPerCore ?? Number.NaN,
      mbPerSecondPerThread: rate?.mbPerSecondPerThread ?? Number.NaN,
      localFiles: rate?.localFiles ?? 0,
      storageFiles: rate?.storageFiles ?? 0,
      inlineFiles: rate?.inlineFiles ?? 0,
    };
    return problems.length === 0 ? row : { ...row, note: problems.join("; ") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
