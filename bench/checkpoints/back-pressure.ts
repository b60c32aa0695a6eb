/**
 * Checkpoints under back-pressure: the throttled-sink job (jobs/throttled-sink.ts: a source at
 * `sourceRate`, a sink at a tenth of it) on worker threads at parallelism 2, once with aligned and
 * once with unaligned exactly-once checkpoints, alternating, `reps` times each. Per run the first
 * `warmup` completed checkpoints are left out (the channels fill meanwhile); each mode also runs
 * with buffer debloating (`+debloat`, target 1 s). The checkpoint
 * durations of all runs of a mode are pooled for p50 and p99, and each run's own p50 shows the
 * spread.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JobCancelledError, runJob, type CheckpointStats } from "../../src/index.ts";
import { median, percentile } from "../stats.ts";

const JOB = new URL("../jobs/throttled-sink.ts", import.meta.url);

export interface BackPressureSettings {
  readonly sourceRate: number;
  readonly reps: number;
  /** Completed checkpoints measured per run, after the warm-up ones. */
  readonly checkpoints: number;
  readonly warmup: number;
  readonly intervalMs: number;
  /** Records per batch between tasks (1024 is the default); with unaligned checkpoints a task takes a barrier within a few milliseconds of a batch. */
  readonly bufferSize: number;
  readonly timeoutMs: number;
}

export type BackPressureMode = "aligned" | "unaligned" | "aligned+debloat" | "unaligned+debloat";

const MODES: readonly BackPressureMode[] = ["aligned", "unaligned", "aligned+debloat", "unaligned+debloat"];

export interface BackPressureRow {
  readonly mode: BackPressureMode;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Each run's median, in run order. */
  readonly runP50Ms: readonly number[];
  readonly checkpoints: number;
  /** Median bytes of records in flight stored per checkpoint (0 when aligned). */
  readonly inFlightBytes: number;
  readonly note?: string;
}

async function runOnce(mode: BackPressureMode, s: BackPressureSettings): Promise<{ measured: CheckpointStats[]; problem: string | undefined }> {
  const dir = mkdtempSync(join(tmpdir(), "weir-bench-bp-"));
  const abort = new AbortController();
  const completed: CheckpointStats[] = [];
  let failed = 0;
  let problem: string | undefined;
  const timeout = setTimeout(() => {
    problem = `stopped after ${s.timeoutMs} ms with ${Math.max(0, completed.length - s.warmup)} of ${s.checkpoints} checkpoints`;
    abort.abort();
  }, s.timeoutMs);
  try {
    await runJob(JOB, {
      runtime: "threads",
      parallelism: 2,
      bufferSize: s.bufferSize,
      ...(mode.endsWith("+debloat") ? { bufferDebloat: true } : {}),
      args: ["--rate", String(s.sourceRate), "--sink-rate", String(s.sourceRate / 10)],
      checkpointing: { intervalMs: s.intervalMs, mode: "exactly-once", dir, ...(mode.startsWith("unaligned") ? { unaligned: true } : {}) },
      signal: abort.signal,
      onCheckpoint: (stats) => {
        // The checkpoint in progress when the run is stopped fails; it is not counted.
        if (abort.signal.aborted) return;
        if (stats.status !== "completed") failed++;
        else completed.push(stats);
        if (completed.length >= s.warmup + s.checkpoints) abort.abort();
      },
    });
    problem = "the unbounded job finished by itself";
  } catch (e) {
    if (!(e instanceof JobCancelledError && abort.signal.aborted)) problem = e instanceof Error ? e.message : String(e);
  } finally {
    clearTimeout(timeout);
    rmSync(dir, { recursive: true, force: true });
  }
  if (failed > 0) problem = `${problem === undefined ? "" : problem + "; "}${failed} checkpoint(s) failed`;
  return { measured: completed.slice(s.warmup), problem };
}

export async function measureBackPressure(s: BackPressureSettings): Promise<BackPressureRow[]> {
  const runs = Object.fromEntries(MODES.map((m) => [m, []])) as unknown as Record<BackPressureMode, CheckpointStats[][]>;
  const problems = Object.fromEntries(MODES.map((m) => [m, []])) as unknown as Record<BackPressureMode, string[]>;
  for (let rep = 0; rep < s.reps; rep++) {
    for (const mode of rep % 2 === 0 ? MODES : [...MODES].reverse()) {
      const { measured, problem } = await runOnce(mode, s);
      runs[mode].push(measured);
      if (problem !== undefined) problems[mode].push(problem);
      process.stderr.write(`  back-pressure ${mode} run ${rep + 1} done\n`);
    }
  }
  return MODES.map((mode) => {
    const all = runs[mode].flat();
    const durations = all.map((c) => c.durationMs!);
    const row: BackPressureRow = {
      mode,
      p50Ms: percentile(durations, 50),
      p99Ms: percentile(durations, 99),
      runP50Ms: runs[mode].map((r) => median(r.map((c) => c.durationMs!))),
      checkpoints: all.length,
      inFlightBytes: median(all.map((c) => c.tasks.reduce((sum, t) => sum + (t.inFlightBytes ?? 0), 0))),
    };
    return problems[mode].length === 0 ? row : { ...row, note: problems[mode].join("; ") };
  });
}
