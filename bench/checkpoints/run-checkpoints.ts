/**
 * The checkpoint benchmarks: overhead (throughput with checkpoints against without), duration
 * against state size and recovery time against state size. Prints a table for each and writes
 * bench/results/checkpoints.json:
 * `{ overhead: { withCheckpoints, withoutCheckpoints, ratio, cpuRatio, cpuMicrosPerEvent, ... }, duration: [{ keys, p50Ms,
 * p99Ms, syncP50Ms, asyncP50Ms, bytes, ... }], recovery: [{ keys, ms, bytes, mbPerSecondPerCore, ... }],
 * localRecovery: [{ keys, ms, restoreMs, ... }], overheadIncremental: { ... as overhead },
 * incremental: [{ keys, churn, bytesPerCheckpoint, fullBytes, changedEntryBytes, ratioToChanged,
 * duration: { ... as a duration row } }] }`. Recovery is measured `recovery.reps` times per
 * size from the checkpoint storage and as often with local recovery, alternating; each row is
 * the repetition with the median rate (`runs` holds every repetition's rate and times). The
 * incremental rows run with incremental checkpoints on (heap backend).
 * backPressure: [{ mode, p50Ms, p99Ms, ... }] holds checkpoint durations with the sink throttled to a
 * tenth of the source rate, aligned and unaligned, each without and with buffer debloating.
 * A size that cannot be measured still gets its row, with a `note` saying why.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { formatBytes, formatMs, formatRate, table } from "../stats.ts";
import { measureDuration, type DurationRow, type DurationSettings } from "./duration.ts";
import { measureOverhead, type OverheadResult, type OverheadSettings, type StartUp } from "./overhead.ts";
import { FAILURE_NOT_BEFORE_MS, measureRecovery, type RecoveryRow, type RecoverySettings } from "./recovery.ts";
import { measureIncremental, type IncrementalRow } from "./incremental.ts";
import { measureBackPressure, type BackPressureRow, type BackPressureSettings } from "./back-pressure.ts";
import { DURATION_TARGETS, durationVerdict } from "./summary.ts";

export interface CheckpointBenchmarkSettings {
  readonly overhead: OverheadSettings;
  /** State sizes (keys) for duration and recovery. */
  readonly keys: readonly number[];
  readonly duration: DurationSettings;
  readonly recovery: RecoverySettings & { readonly reps: number };
  /** The parts to run (default all); parts left out are absent from the results. */
  readonly sections?: readonly CheckpointSection[];
  /** Fraction of the keys updated per interval in the incremental runs. */
  readonly churn: number;
  readonly backPressure: BackPressureSettings;
}

/** The parts of the checkpoint benchmark, each runnable alone (`--checkpoint-sections`). */
export type CheckpointSection = "overhead" | "duration" | "recovery" | "back-pressure";

/** A recovery row of the median repetition, with every repetition's figures. */
export type RecoveryRuns = RecoveryRow & { readonly runs: readonly Pick<RecoveryRow, "ms" | "restoreMs" | "mbPerSecondPerCore" | "mbPerSecondPerThread">[] };

export interface CheckpointResults {
  readonly overhead?: OverheadResult;
  readonly duration?: readonly DurationRow[];
  readonly recovery?: readonly RecoveryRuns[];
  readonly localRecovery?: readonly RecoveryRuns[];
  readonly overheadIncremental?: OverheadResult;
  readonly incremental?: readonly IncrementalRow[];
  readonly backPressure?: readonly BackPressureRow[];
}

/** Target for unaligned checkpoints under back-pressure (issue 10); Flink: 12-45 ms. */
const UNALIGNED_P99_TARGET_MS = 50;

/** Least acceptable ratio of throughput with checkpoints to without; Flink's figures are in DESIGN.md, "Reference points". */
const OVERHEAD_TARGET = 0.98;

const keysLabel = (keys: number): string => keys.toLocaleString("en");
const notes = (rows: readonly { keys: number; note?: string }[]): string =>
  rows
    .filter((r) => r.note !== undefined)
    .map((r) => `\n  note (${keysLabel(r.keys)} keys): ${r.note}`)
    .join("");

function printOverhead(o: OverheadResult, s: OverheadSettings): void {
  console.log(
    `\nCheckpoint overhead: keyed-count, p=2, exactly-once every ${s.intervalMs} ms, ${s.events.toLocaleString("en")} events per run, ${s.reps} repetition(s), medians\n`,
  );
  const range = (runs: readonly number[]): string => `${formatRate(Math.min(...runs))} .. ${formatRate(Math.max(...runs))}`;
  console.log(
    table(
      ["", "events/s", "runs from .. to", "checkpoints/run", "s/run"],
      [
        ["without checkpoints", formatRate(o.withoutCheckpoints), range(o.runs.withoutCheckpoints), "", ""],
        ["with checkpoints", formatRate(o.withCheckpoints), range(o.runs.withCheckpoints), String(o.checkpointsPerRun), o.secondsPerRun.toFixed(1)],
      ],
    ),
  );
  const cpuRange = (runs: readonly number[]): string => `${Math.min(...runs).toFixed(3)} .. ${Math.max(...runs).toFixed(3)}`;
  console.log(
    `CPU per event (the process, all threads): ${o.cpuMicrosPerEvent.withoutCheckpoints.toFixed(3)} µs without (${cpuRange(o.cpuRuns.withoutCheckpoints)}), ` +
      `${o.cpuMicrosPerEvent.withCheckpoints.toFixed(3)} µs with (${cpuRange(o.cpuRuns.withCheckpoints)})`,
  );
  console.log(`ratio with/without, first record to end of input: ${o.ratio.toFixed(3)} by wall clock, ${o.cpuRatio.toFixed(3)} by CPU time (target >= ${OVERHEAD_TARGET}; Flink: exactly-once costs ~6%)`);
  console.log(`ratio with/without, first record to the job's end (its final checkpoint and shut-down included): ${o.wholeRun.ratio.toFixed(3)} by wall clock, ${o.wholeRun.cpuRatio.toFixed(3)} by CPU time`);
  const startUp = (s: StartUp): string => `${formatMs(s.ms)} (${formatMs(s.cpuMs)} of CPU)`;
  console.log(
    `start-up before the first record, not counted above: ${startUp(o.startUp.withoutCheckpoints)} without, ${startUp(o.startUp.withCheckpoints)} with ` +
      "(with checkpoints each worker thread also starts its checkpoint I/O thread)",
  );
}

/** A line saying which of issue 10's duration targets the rows meet. */
function printVerdict(rows: readonly { keys: number; p50Ms: number; p99Ms: number }[]): void {
  const v = durationVerdict(rows);
  if (v === undefined) return;
  const met = (ok: boolean): string => (ok ? "met" : "not met");
  const row = rows.find((r) => r.keys === v.keys)!;
  let line =
    `targets at ${keysLabel(v.keys)} keys: p50 ${formatMs(row.p50Ms)} (<= ${DURATION_TARGETS.p50Ms} ms) ${met(v.p50Met)}, ` +
    `p99 ${formatMs(row.p99Ms)} (<= ${DURATION_TARGETS.p99Ms} ms) ${met(v.p99Met)}`;
  if (v.comparedKeys !== undefined) line += `, p99 / p99 at ${keysLabel(v.comparedKeys)} keys ${v.p99Ratio!.toFixed(2)} (<= ${DURATION_TARGETS.maxP99Ratio}) ${met(v.p99RatioMet!)}`;
  console.log(line);
}

function printDuration(rows: readonly DurationRow[], s: DurationSettings): void {
  console.log(
    `\nCheckpoint duration: keyed state of K keys, p=2, exactly-once every ${s.intervalMs} ms, updates at ${formatRate(s.updatesPerSecond)} after the fill, ` +
      `${s.checkpoints} checkpoints after the fill\n`,
  );
  console.log(
    table(
      ["keys", "checkpoints", "p50", "p99", "sync p50", "async p50", "bytes", "filled after"],
      rows.map((r) => [
        keysLabel(r.keys),
        String(r.checkpoints),
        formatMs(r.p50Ms),
        formatMs(r.p99Ms),
        formatMs(r.syncP50Ms),
        formatMs(r.asyncP50Ms),
        formatBytes(r.bytes),
        formatMs(r.fillMs),
      ]),
    ) + notes(rows),
  );
  console.log("sync/async: slowest task per checkpoint, median over checkpoints; filled after: from the job's start, checkpoints running meanwhile");
  printVerdict(rows);
  console.log("Flink (changelog state backend): p50 0.3 s, p99 1 s; unaligned under back-pressure 12-45 ms");
}

function printIncremental(rows: readonly IncrementalRow[], s: DurationSettings): void {
  console.log(`\nIncremental checkpoints (heap backend, changelog): keyed state of K keys, p=2, every ${s.intervalMs} ms, ${(rows[0]?.churn ?? 0) * 100}% of the keys updated per interval\n`);
  console.log(
    table(
      ["keys", "checkpoints", "p50", "p99", "bytes/checkpoint", "changed entries", "ratio", "full checkpoint"],
      rows.map((r) => [
        keysLabel(r.keys),
        String(r.duration.checkpoints),
        formatMs(r.duration.p50Ms),
        formatMs(r.duration.p99Ms),
        formatBytes(r.bytesPerCheckpoint),
        formatBytes(r.changedEntryBytes),
        r.ratioToChanged.toFixed(2),
        formatBytes(r.fullBytes),
      ]),
    ) + notes(rows.map((r) => r.duration)),
  );
  console.log("ratio: bytes per checkpoint / encoded size of the changed entries (target <= 3)");
  printVerdict(rows.map((r) => ({ keys: r.keys, p50Ms: r.duration.p50Ms, p99Ms: r.duration.p99Ms })));
}

/** Least restored MB per CPU second the restore from the checkpoint storage should reach; see bench/README.md. */
const RESTORE_RATE_TARGET = 50;
/** Most milliseconds local recovery of 10M keys should take. */
const LOCAL_RECOVERY_TARGET_MS = 1000;

const rate = (mbPerSecond: number): string => (Number.isFinite(mbPerSecond) ? `${mbPerSecond.toFixed(1)} MB/s` : "-");
const spread = (runs: readonly number[], format: (v: number) => string): string =>
  runs.length < 2 ? "" : ` (${format(Math.min(...runs))}–${format(Math.max(...runs))})`;

function printRecovery(title: string, rows: readonly RecoveryRuns[], s: RecoverySettings & { reps: number }): void {
  console.log(`\n${title}: failure to first record processed after restore, p=2, fixed-delay restart with delay 0 on the threads booted ahead (the failure comes ≥ ${FAILURE_NOT_BEFORE_MS / 1000} s into the run), updates at ${formatRate(s.updatesPerSecond)}, ${s.reps} repetition(s), median (min–max)\n`);
  console.log(
    table(
      ["keys", "restored bytes", "files local/storage/inline", "redeployed", "restore", "MB/s per core (CPU)", "MB/s per thread (wall)", "first record", "all subtasks"],
      rows.map((r) => [
        keysLabel(r.keys),
        formatBytes(r.bytes),
        `${r.localFiles}/${r.storageFiles}/${r.inlineFiles}`,
        formatMs(r.redeployedMs),
        formatMs(r.restoreMs) + spread(r.runs.map((x) => x.restoreMs), formatMs),
        rate(r.mbPerSecondPerCore) + spread(r.runs.map((x) => x.mbPerSecondPerCore), rate),
        rate(r.mbPerSecondPerThread),
        formatMs(r.ms) + spread(r.runs.map((x) => x.ms), formatMs),
        formatMs(r.allSubtasksMs),
      ]),
    ) + notes(rows),
  );
  console.log(
    "from the failure (the throw) to: redeployed, the new attempt starting; first record, the first record a restored counting subtask processed. " +
      "restore: from the first thread reading state to the last one's tasks holding it; MB/s per core: restored bytes / the process's CPU time over the restore " +
      `(target >= ${RESTORE_RATE_TARGET} from the storage; local recovery of 10M keys: target < ${LOCAL_RECOVERY_TARGET_MS} ms)`,
  );
}

/** Of `reps` measurements, the one with the median rate, with all of them. */
function medianRun(rows: readonly RecoveryRow[]): RecoveryRuns {
  const ordered = [...rows].sort((a, b) => (a.mbPerSecondPerCore || 0) - (b.mbPerSecondPerCore || 0));
  const middle = ordered[Math.floor((ordered.length - 1) / 2)]!;
  return { ...middle, runs: rows.map(({ ms, restoreMs, mbPerSecondPerCore, mbPerSecondPerThread }) => ({ ms, restoreMs, mbPerSecondPerCore, mbPerSecondPerThread })) };
}

function printBackPressure(rows: readonly BackPressureRow[], s: BackPressureSettings): void {
  console.log(
    `\nCheckpoints under back-pressure: source at ${formatRate(s.sourceRate)}, sink throttled to a tenth of it, p=2, buffers of ${s.bufferSize} records, ` +
      `exactly-once every ${s.intervalMs} ms, ${s.reps} alternating runs per mode, ${s.checkpoints} checkpoints each after ${s.warmup} to warm up\n`,
  );
  console.log(
    table(
      ["mode", "checkpoints", "p50", "p99", "run p50s", "in flight (median)"],
      rows.map((r) => [r.mode, String(r.checkpoints), formatMs(r.p50Ms), formatMs(r.p99Ms), r.runP50Ms.map((m) => formatMs(m)).join(" "), formatBytes(r.inFlightBytes)]),
    ) + rows.filter((r) => r.note !== undefined).map((r) => `\n  note (${r.mode}): ${r.note}`).join(""),
  );
  const aligned = rows.find((r) => r.mode === "aligned");
  const unaligned = rows.find((r) => r.mode === "unaligned");
  if (aligned !== undefined && unaligned !== undefined) {
    console.log(`unaligned p99 ${formatMs(unaligned.p99Ms)} (target <= ${UNALIGNED_P99_TARGET_MS} ms); aligned/unaligned p50: ${(aligned.p50Ms / unaligned.p50Ms).toFixed(1)}x; Flink: unaligned 12-45 ms, aligned 1.6-13 s`);
  }
  const debloated = rows.find((r) => r.mode === "unaligned+debloat");
  if (unaligned !== undefined && debloated !== undefined) {
    console.log(`buffer debloating: unaligned in flight ${formatBytes(unaligned.inFlightBytes)} -> ${formatBytes(debloated.inFlightBytes)}, p50 ${formatMs(unaligned.p50Ms)} -> ${formatMs(debloated.p50Ms)}`);
  }
}

export async function runCheckpointBenchmark(settings: CheckpointBenchmarkSettings): Promise<CheckpointResults> {
  const runs = (section: CheckpointSection) => settings.sections === undefined || settings.sections.includes(section);
  let results: CheckpointResults = {};
  if (runs("overhead")) {
    const overhead = await measureOverhead(settings.overhead);
    process.stderr.write("  overhead done\n");
    printOverhead(overhead, settings.overhead);
    const overheadIncremental = await measureOverhead({ ...settings.overhead, incrementalCheckpoints: true });
    process.stderr.write("  overhead with incremental checkpoints done\n");
    console.log("\nWith incremental checkpoints (heap backend, changelog):");
    printOverhead(overheadIncremental, settings.overhead);
    results = { ...results, overhead, overheadIncremental };
  }

  if (runs("duration")) {
    const duration: DurationRow[] = [];
    for (const keys of settings.keys) {
      duration.push(await measureDuration(keys, settings.duration));
      process.stderr.write(`  duration with ${keysLabel(keys)} keys done\n`);
    }
    printDuration(duration, settings.duration);
    const incremental: IncrementalRow[] = [];
    for (const row of duration) {
      incremental.push(await measureIncremental(row.keys, settings.churn, row.bytes, settings.duration));
      process.stderr.write(`  incremental with ${keysLabel(row.keys)} keys done\n`);
    }
    printIncremental(incremental, settings.duration);
    results = { ...results, duration, incremental };
  }

  if (runs("recovery")) {
    const recovery: RecoveryRuns[] = [];
    const localRecovery: RecoveryRuns[] = [];
    for (const keys of settings.keys) {
      const fromStorage: RecoveryRow[] = [];
      const fromLocal: RecoveryRow[] = [];
      for (let rep = 0; rep < settings.recovery.reps; rep++) {
        fromStorage.push(await measureRecovery(keys, settings.recovery));
        fromLocal.push(await measureRecovery(keys, settings.recovery, true));
      }
      recovery.push(medianRun(fromStorage));
      localRecovery.push(medianRun(fromLocal));
      process.stderr.write(`  recovery with ${keysLabel(keys)} keys done\n`);
    }
    printRecovery("Recovery from the checkpoint storage", recovery, settings.recovery);
    printRecovery("Local recovery", localRecovery, settings.recovery);
    results = { ...results, recovery, localRecovery };
  }

  if (runs("back-pressure")) {
    const backPressure = await measureBackPressure(settings.backPressure);
    printBackPressure(backPressure, settings.backPressure);
    results = { ...results, backPressure };
  }

  mkdirSync(new URL("../results/", import.meta.url), { recursive: true });
  writeFileSync(new URL("../results/checkpoints.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
  console.log("\nwritten: bench/results/checkpoints.json");
  return results;
}
