/**
 * What checkpoints cost in throughput: the throughput benchmark's keyed count (Nexmark bids
 * counted per auction) at parallelism 2 on threads, with exactly-once checkpoints at an interval
 * into a temp dir, against the same job without checkpoints. Repetitions alternate the order
 * (without, with, with, without, ...) so drifting load on the machine touches both alike; medians
 * are compared. Besides the wall-clock rate, each run's CPU time (the whole process, every worker
 * thread) per event is measured: on a loaded machine, where the rate follows what other processes
 * leave, the CPU time says what checkpoints cost. Both count from the moment records start to flow
 * to the end of input at the sink (the time and the process's CPU time its subtasks report, as in
 * the throughput benchmark): the rate at which the job processes records. The start-up before it
 * (booting the worker threads and, with checkpoints, their checkpoint I/O threads) and what comes
 * after it (with checkpoints, the final checkpoint; the job's shut-down) are one-time costs of a
 * bounded run: the start-up is reported separately, and the whole run, to the job's end, as a
 * second ratio beside the first.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runJob } from "../../src/index.ts";
import { median } from "../stats.ts";
import { END_OF_INPUT } from "../jobs/nexmark.ts";
import { processCpuMs, type EndOfInputReport } from "../jobs/end-of-input-sink.ts";

const JOB = new URL("../jobs/nexmark.ts", import.meta.url);
const PARALLELISM = 2;

export interface OverheadSettings {
  /** Events per run. */
  readonly events: number;
  readonly reps: number;
  readonly intervalMs: number;
  /** Incremental checkpoints on or off; the backend's default when absent. */
  readonly incrementalCheckpoints?: boolean;
}

export interface OverheadResult {
  /** Median events/s with checkpoints. */
  readonly withCheckpoints: number;
  readonly withoutCheckpoints: number;
  /** withCheckpoints / withoutCheckpoints. */
  readonly ratio: number;
  /** Median completed checkpoints per run with checkpoints (the final one included). */
  readonly checkpointsPerRun: number;
  /** Median seconds per run with checkpoints. */
  readonly secondsPerRun: number;
  /** Events/s of every run, in the order run, to show how noisy the medians are. */
  readonly runs: { readonly withCheckpoints: readonly number[]; readonly withoutCheckpoints: readonly number[] };
  /** Median CPU microseconds of the process per event, with and without checkpoints. */
  readonly cpuMicrosPerEvent: { readonly withCheckpoints: number; readonly withoutCheckpoints: number };
  /** CPU per event without checkpoints / with them: the throughput ratio CPU time predicts. */
  readonly cpuRatio: number;
  /** CPU microseconds per event of every run, in the order run. */
  readonly cpuRuns: { readonly withCheckpoints: readonly number[]; readonly withoutCheckpoints: readonly number[] };
  /** Median start-up (from the call to the first record) per run: wall-clock and the process's CPU milliseconds. */
  readonly startUp: { readonly withCheckpoints: StartUp; readonly withoutCheckpoints: StartUp };
  /** The same ratios over whole runs: from the first record to the job's end (its final checkpoint and shut-down included). */
  readonly wholeRun: { readonly ratio: number; readonly cpuRatio: number };
}

export interface StartUp {
  readonly ms: number;
  readonly cpuMs: number;
}

interface Measurement {
  /** From the first record to the end of input. */
  readonly eventsPerSecond: number;
  readonly cpuMicrosPerEvent: number;
  /** From the first record to the job's end. */
  readonly wholeRun: { readonly eventsPerSecond: number; readonly cpuMicrosPerEvent: number };
  readonly seconds: number;
  readonly checkpoints: number;
  readonly startUp: StartUp;
}

/** Wall-clock milliseconds, comparable across threads. */
const wallClockMs = (): number => performance.timeOrigin + performance.now();

async function measure(settings: OverheadSettings, checkpoints: boolean): Promise<Measurement> {
  const dir = checkpoints ? mkdtempSync(join(tmpdir(), "weir-bench-chk-")) : undefined;
  let completed = 0;
  const called = wallClockMs();
  const cpuBefore = processCpuMs();
  let started: { readonly at: number; readonly cpuMs: number } | undefined;
  try {
    const result = await runJob(JOB, {
      runtime: "threads",
      parallelism: PARALLELISM,
      args: ["--query", "keyed-count", "--events", String(settings.events)],
      // The same strategy with and without checkpoints (without, the default is none): a run that
      // lasts 10 s boots the threads for a restart in both, not only in the one with checkpoints.
      restartStrategy: { kind: "fixed-delay", attempts: 3, delayMs: 0 },
      onStarted: () => {
        started = { at: wallClockMs(), cpuMs: processCpuMs() };
      },
      ...(settings.incrementalCheckpoints === undefined ? {} : { incrementalCheckpoints: settings.incrementalCheckpoints }),
      ...(dir === undefined
        ? {}
        : {
            checkpointing: { intervalMs: settings.intervalMs, mode: "exactly-once", dir },
            onCheckpoint: (stats) => {
              if (stats.status === "completed") completed++;
            },
          }),
    });
    const ended = { at: wallClockMs(), cpuMs: processCpuMs() };
    if (started === undefined) throw new Error("the job ended without starting");
    const reports = result.collected<EndOfInputReport>(END_OF_INPUT);
    if (reports.length === 0) throw new Error("the job's sink reported no end of input");
    const endOfInput = Math.max(...reports.map((r) => r.endOfInputMs));
    // Process-wide CPU time only grows: the last subtask's report holds the CPU used until the end of input.
    const endOfInputCpuMs = Math.max(...reports.map((r) => r.cpuMs));
    const perEvent = (cpuMs: number): number => (cpuMs * 1000) / settings.events;
    return {
      eventsPerSecond: settings.events / ((endOfInput - started.at) / 1000),
      cpuMicrosPerEvent: perEvent(endOfInputCpuMs - started.cpuMs),
      wholeRun: { eventsPerSecond: settings.events / (result.durationMs / 1000), cpuMicrosPerEvent: perEvent(ended.cpuMs - started.cpuMs) },
      seconds: result.durationMs / 1000,
      checkpoints: completed,
      startUp: { ms: started.at - called, cpuMs: started.cpuMs - cpuBefore },
    };
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

const startUpOf = (runs: readonly Measurement[]): StartUp => ({
  ms: Math.round(median(runs.map((m) => m.startUp.ms))),
  cpuMs: Math.round(median(runs.map((m) => m.startUp.cpuMs))),
});

export async function measureOverhead(settings: OverheadSettings): Promise<OverheadResult> {
  const withRuns: Measurement[] = [];
  const withoutRuns: Measurement[] = [];
  for (let r = 0; r < settings.reps; r++) {
    for (const checkpoints of r % 2 === 0 ? [false, true] : [true, false]) {
      (checkpoints ? withRuns : withoutRuns).push(await measure(settings, checkpoints));
    }
  }
  const withCheckpoints = median(withRuns.map((m) => m.eventsPerSecond));
  const withoutCheckpoints = median(withoutRuns.map((m) => m.eventsPerSecond));
  const cpuWith = median(withRuns.map((m) => m.cpuMicrosPerEvent));
  const cpuWithout = median(withoutRuns.map((m) => m.cpuMicrosPerEvent));
  const cpuOf = (runs: readonly Measurement[]) => runs.map((m) => Number(m.cpuMicrosPerEvent.toFixed(3)));
  return {
    withCheckpoints: Math.round(withCheckpoints),
    withoutCheckpoints: Math.round(withoutCheckpoints),
    ratio: Number((withCheckpoints / withoutCheckpoints).toFixed(3)),
    checkpointsPerRun: median(withRuns.map((m) => m.checkpoints)),
    secondsPerRun: Number(median(withRuns.map((m) => m.seconds)).toFixed(1)),
    runs: { withCheckpoints: withRuns.map((m) => Math.round(m.eventsPerSecond)), withoutCheckpoints: withoutRuns.map((m) => Math.round(m.eventsPerSecond)) },
    cpuMicrosPerEvent: { withCheckpoints: Number(cpuWith.toFixed(3)), withoutCheckpoints: Number(cpuWithout.toFixed(3)) },
    cpuRatio: Number((cpuWithout / cpuWith).toFixed(3)),
    cpuRuns: { withCheckpoints: cpuOf(withRuns), withoutCheckpoints: cpuOf(withoutRuns) },
    startUp: { withCheckpoints: startUpOf(withRuns), withoutCheckpoints: startUpOf(withoutRuns) },
    wholeRun: {
      ratio: Number((median(withRuns.map((m) => m.wholeRun.eventsPerSecond)) / median(withoutRuns.map((m) => m.wholeRun.eventsPerSecond))).toFixed(3)),
      cpuRatio: Number((median(withoutRuns.map((m) => m.wholeRun.cpuMicrosPerEvent)) / median(withRuns.map((m) => m.wholeRun.cpuMicrosPerEvent))).toFixed(3)),
    },
  };
}
