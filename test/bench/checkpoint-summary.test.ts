import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { completedSince, durationVerdict, recoveryTimes, restoreRate, summarizeDurations } from "../../bench/checkpoints/summary.ts";
import { formatBytes, formatMs, percentile } from "../../bench/stats.ts";
import type { CheckpointStats } from "../../src/index.ts";

type Task = { sync: number; async: number };

function checkpoint(id: number, triggerTime: number, durationMs: number, tasks: readonly Task[], status: CheckpointStats["status"] = "completed"): CheckpointStats {
  return {
    id,
    status,
    cause: "periodic",
    triggerTime,
    endTime: triggerTime + durationMs,
    durationMs,
    bytes: id * 100,
    acknowledgedTasks: tasks.length,
    totalTasks: tasks.length,
    tasks: tasks.map((t, i) => ({
      taskId: `1:${i}`,
      ackTime: triggerTime + durationMs,
      endToEndMs: durationMs,
      syncDurationMs: t.sync,
      asyncDurationMs: t.async,
      alignmentDurationMs: 0,
      bytes: 50,
    })),
    failure: undefined,
  } as unknown as CheckpointStats;
}

describe("checkpoint benchmark summary", () => {
  it("counts only completed checkpoints triggered at or after the fill, oldest first", () => {
    const stats = [
      checkpoint(3, 3000, 10, []),
      checkpoint(1, 1000, 10, []),
      checkpoint(2, 2000, 10, [], "failed"),
      checkpoint(4, 4000, 10, []),
    ];
    assert.deepEqual(
      completedSince(stats, 2000).map((s) => s.id),
      [3, 4],
    );
  });

  it("takes the slowest task per checkpoint before the median over checkpoints", () => {
    const summary = summarizeDurations([
      checkpoint(1, 0, 100, [{ sync: 1, async: 10 }, { sync: 5, async: 30 }]),
      checkpoint(2, 0, 300, [{ sync: 2, async: 50 }, { sync: 0, async: 20 }]),
      checkpoint(3, 0, 200, [{ sync: 9, async: 40 }, { sync: 3, async: 90 }]),
    ]);
    assert.deepEqual(summary, { checkpoints: 3, p50Ms: 200, p99Ms: 300, syncP50Ms: 5, asyncP50Ms: 50, bytes: 200 });
  });

  it("summarizes no checkpoints as not measured", () => {
    const summary = summarizeDurations([]);
    assert.equal(summary.checkpoints, 0);
    assert.ok(Number.isNaN(summary.p50Ms));
    assert.equal(formatMs(summary.p50Ms), "-");
  });

  it("measures recovery to the first and to the last restored subtask", () => {
    assert.deepEqual(recoveryTimes(1000, [1800.4, 1500.6]), { firstMs: 501, allMs: 800 });
    assert.ok(Number.isNaN(recoveryTimes(1000, []).firstMs));
  });
});

describe("benchmark formatting", () => {
  it("uses nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 99), 99);
    assert.equal(percentile([7, 1, 3], 99), 7);
  });

  it("prints sizes and times in readable units", () => {
    assert.equal(formatBytes(5_870_588), "5.9 MB");
    assert.equal(formatBytes(34), "34 B");
    assert.equal(formatMs(1477.2), "1477 ms");
    assert.equal(formatMs(36_400), "36.4 s");
  });

  it("rates a restore by the restored bytes over the process's CPU time from the first thread's start to the last one's end", () => {
    const file = (source: "local" | "storage" | "inline", bytes: number) => ({ operatorId: "count", subtask: 0, bytes, source });
    const rate = restoreRate([
      { worker: 0, checkpointId: 4, files: [file("local", 30e6)], startedAt: 1000, endedAt: 1600, processCpuStartMicros: 5e6, processCpuEndMicros: 5.8e6 },
      { worker: 1, checkpointId: 4, files: [file("storage", 20e6 - 50), file("inline", 50)], startedAt: 1100, endedAt: 1500, processCpuStartMicros: 5.1e6, processCpuEndMicros: 5.7e6 },
    ]);
    assert.deepEqual(rate, { bytes: 50e6, localFiles: 1, storageFiles: 1, inlineFiles: 1, restoreMs: 600, cpuMs: 800, mbPerSecondPerCore: 62.5, mbPerSecondPerThread: 50e6 / 1e6 / 1.2 });
    assert.equal(restoreRate([]), undefined);
  });

  it("judges the row of the most keys against the duration targets, its p99 against that of a tenth of the keys", () => {
    const rows = [
      { keys: 10_000_000, p50Ms: 262, p99Ms: 339 },
      { keys: 1_000_000, p50Ms: 34, p99Ms: 99 },
    ];
    assert.deepEqual(durationVerdict(rows), { keys: 10_000_000, p50Met: true, p99Met: true, comparedKeys: 1_000_000, p99Ratio: 339 / 99, p99RatioMet: false });
    assert.deepEqual(durationVerdict([{ keys: 10_000_000, p50Ms: 301, p99Ms: 1000 }, { keys: 1_000_000, p50Ms: 300, p99Ms: 500 }]), {
      keys: 10_000_000,
      p50Met: false,
      p99Met: true,
      comparedKeys: 1_000_000,
      p99Ratio: 2,
      p99RatioMet: true,
    });
    assert.deepEqual(durationVerdict([{ keys: 100_000, p50Ms: 10, p99Ms: 20 }, { keys: 1_000_000, p50Ms: 400, p99Ms: 900 }]), { keys: 1_000_000, p50Met: false, p99Met: true, comparedKeys: 100_000, p99Ratio: 45, p99RatioMet: false });
    assert.deepEqual(durationVerdict([{ keys: 3_000_000, p50Ms: 10, p99Ms: 20 }, { keys: 1_000_000, p50Ms: 1, p99Ms: 2 }]), { keys: 3_000_000, p50Met: true, p99Met: true });
    assert.equal(durationVerdict([]), undefined);
  });
});
