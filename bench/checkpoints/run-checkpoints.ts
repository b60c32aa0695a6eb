/**
 * The checkpoint benchmarks: overhead (throughput with checkpoints against without), duration
 * against state size and recovery time against state size. Prints a table for each and writes
 * bench/results/checkpoints.json:
 * `{ overhead: { withCheckpoints, withoutCheckpoints, ratio, ... }, duration: [{ keys, p50Ms,
 * p99Ms, syncP50Ms, asyncP50Ms, bytes, ... }], recovery: [{ keys, ms, bytes, ... }],
 * overheadIncremental: { ... as overhead }, incremental: [{ keys, churn, bytesPerCheckpoint,
 * fullBytes, changedEntryBytes, ratioToChanged, duration: { ... as a duration row } }] }`: the
 * last two with incremental checkpoints on (heap backend).
 * A size that cannot be measured still gets its row, with a `note` saying why.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { formatBytes, formatMs, formatRate, table } from "../stats.ts";
import { measureDuration, type DurationRow, type DurationSettings } from "./duration.ts";
import { measureOverhead, type OverheadResult, type OverheadSettings } from "./overhead.ts";
import { measureRecovery, type RecoveryRow, type RecoverySettings } from "./recovery.ts";
import { measureIncremental, type IncrementalRow } from "./incremental.ts";

export interface CheckpointBenchmarkSettings {
  readonly overhead: OverheadSettings;
  /** State sizes (keys) for duration and recovery. */
  readonly keys: readonly number[];
  readonly duration: DurationSettings;
  readonly recovery: RecoverySettings;
  /** Fraction of the keys updated per interval in the incremental runs. */
  readonly churn: number;
}

export interface CheckpointResults {
  readonly overhead: OverheadResult;
  readonly duration: readonly DurationRow[];
  readonly recovery: readonly RecoveryRow[];
  readonly overheadIncremental: OverheadResult;
  readonly incremental: readonly IncrementalRow[];
}

/** Least acceptable ratio of throughput with checkpoints to without; Flink's figures are in DESIGN.md, "Reference points". */
const OVERHEAD_TARGET = 0.97;

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
  console.log(`ratio with/without: ${o.ratio.toFixed(3)} (target >= ${OVERHEAD_TARGET}; Flink: exactly-once costs ~6%)`);
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
  console.log("ratio: bytes per checkpoint / encoded size of the changed entries (target <= 3); targets at 10M keys: p50 <= 300 ms, p99 <= 1 s");
}

function printRecovery(rows: readonly RecoveryRow[], s: RecoverySettings): void {
  console.log(`\nRecovery: failure to first record processed after restore, p=2, fixed-delay restart with delay 0, updates at ${formatRate(s.updatesPerSecond)}\n`);
  console.log(
    table(
      ["keys", "restored bytes", "redeployed", "first record", "all subtasks"],
      rows.map((r) => [keysLabel(r.keys), formatBytes(r.bytes), formatMs(r.redeployedMs), formatMs(r.ms), formatMs(r.allSubtasksMs)]),
    ) + notes(rows),
  );
  console.log("from the failure (the throw) to: redeployed, the new attempt starting; first record, the first record a restored counting subtask processed");
}

export async function runCheckpointBenchmark(settings: CheckpointBenchmarkSettings): Promise<CheckpointResults> {
  const overhead = await measureOverhead(settings.overhead);
  process.stderr.write("  overhead done\n");
  printOverhead(overhead, settings.overhead);
  const overheadIncremental = await measureOverhead({ ...settings.overhead, incrementalCheckpoints: true });
  process.stderr.write("  overhead with incremental checkpoints done\n");
  console.log("\nWith incremental checkpoints (heap backend, changelog):");
  printOverhead(overheadIncremental, settings.overhead);

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

  const recovery: RecoveryRow[] = [];
  for (const keys of settings.keys) {
    recovery.push(await measureRecovery(keys, settings.recovery));
    process.stderr.write(`  recovery with ${keysLabel(keys)} keys done\n`);
  }
  printRecovery(recovery, settings.recovery);

  const results: CheckpointResults = { overhead, duration, recovery, overheadIncremental, incremental };
  mkdirSync(new URL("../results/", import.meta.url), { recursive: true });
  writeFileSync(new URL("../results/checkpoints.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
  console.log("\nwritten: bench/results/checkpoints.json");
  return results;
}
