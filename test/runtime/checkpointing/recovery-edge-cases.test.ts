/**
 * Edge cases of the job master's checkpointing, each once a defect: a trailing checkpoint after
 * the final one, an injected clock ahead of the wall clock, a trigger while a restarted attempt
 * deploys, and a restart after resuming from an older checkpoint.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import {
  defineJob,
  discardingSink,
  elementsSource,
  generatorSource,
  JobCancelledError,
  KeyedProcessFunction,
  ManualClock,
  runJob,
  ValueStateDescriptor,
  type AttemptEvent,
  type CheckpointStats,
  type RuntimeContext,
  type ValueState,
} from "../../../src/index.ts";
import { checkpointIds, tempDir } from "./checkpointing-helpers.ts";

describe("job master checkpointing edge cases", () => {
  it("a bounded job whose checkpoints all succeed reports no failed checkpoint", async () => {
    // The final checkpoint's completion is one coordinator fact; if the periodic interval has
    // passed by then, the same fact triggers a periodic checkpoint, which the ending job never
    // acknowledges and which is then aborted ("job-stopping") and reported as failed.
    const clock = new ManualClock(0);
    const job = defineJob((env) => {
      env
        .fromSource(elementsSource([1, 2, 3]), "numbers")
        .uid("numbers")
        .sinkTo({ createWriter: () => ({ write: () => {}, snapshotState: () => void clock.advance(1_000) }) })
        .uid("sink");
    });
    const reported: CheckpointStats[] = [];
    const result = await runJob(job, { runtime: "single-thread", clock, checkpointing: { intervalMs: 100, dir: tempDir("repro-trailing") }, onCheckpoint: (s) => reported.push(s) });
    assert.deepEqual(
      reported.map((s) => `${s.id} ${s.status}${s.failure === undefined ? "" : ` (${s.failure.kind})`}`),
      ["1 completed"],
    );
    assert.equal(result.info.checkpoints!.counts.failed, 0);
  });

  it("checkpoints complete when the injected clock is ahead of the wall clock", async () => {
    // The metadata's triggeredAt comes from the injected clock, its completedAt from Date.now();
    // when completedAt < triggeredAt the metadata is refused and every checkpoint fails.
    const job = defineJob((env) => {
      env.fromSource(elementsSource([1, 2, 3]), "numbers").uid("numbers").keyBy((n) => n).reduce((a, b) => a + b).uid("sum").sinkTo({ createWriter: () => ({ write: () => {} }) });
    });
    const result = await runJob(job, {
      runtime: "single-thread",
      clock: new ManualClock(Date.now() + 86_400_000),
      checkpointing: { intervalMs: 1_000, dir: tempDir("repro-clock") },
      restartStrategy: "none",
    });
    assert.equal(result.info.checkpoints!.counts.completed, 1);
  });

  it("a restart after resuming from an older checkpoint restores that checkpoint, not a newer one of the abandoned run", async () => {
    // On a failure the master restores `storage.latest()`: the newest checkpoint on disk, here one
    // the user chose not to resume from (it belongs to the history the resume abandoned).
    let failOnce = false;
    class CountPerKey extends KeyedProcessFunction<number, number, never> {
      private count!: ValueState<number>;
      override open(context: RuntimeContext): void {
        this.count = context.getState(new ValueStateDescriptor<number>("count"));
      }
      processElement(n: number): void {
        if (failOnce && n === 2_999) {
          failOnce = false;
          throw new Error("fails once");
        }
        this.count.update((this.count.value() ?? 0) + 1);
      }
    }
    const job = defineJob((env, args) => {
      env
        .fromSource(generatorSource({ count: 3_000, eventsPerSecond: args.number("rate"), generate: (i) => i }), "numbers")
        .uid("numbers")
        .keyBy((n) => n % 10)
        .process(new CountPerKey())
        .uid("count")
        .sinkTo(discardingSink());
    });
    const dir = tempDir("repro-older");
    const controller = new AbortController();
    await assert.rejects(
      runJob(job, {
        runtime: "single-thread",
        args: ["--rate", "2000"],
        checkpointing: { intervalMs: 40, retained: 3, onCancel: "retain", dir },
        signal: controller.signal,
        onCheckpoint: (s) => {
          if (s.status === "completed" && s.id >= 3) controller.abort();
        },
      }),
      JobCancelledError,
    );
    const jobId = readdirSync(dir)[0]!;
    const ids = checkpointIds(dir, jobId);
    assert.ok(ids.length >= 2, `kept ${ids.join(", ")}`);
    const older = ids[0]!;
    failOnce = true;
    const attempts: AttemptEvent[] = [];
    await runJob(job, {
      runtime: "single-thread",
      checkpointing: { intervalMs: 60_000, dir },
      from: join(dir, jobId, `chk-${older}`),
      restartStrategy: "fixed-delay:attempts=2,delay=0",
      onAttempt: (e) => attempts.push(e),
    });
    assert.deepEqual(
      attempts.map((a) => a.restoredCheckpointId),
      [older, older],
    );
  });

  it("a checkpoint triggered while a restarted single-thread attempt is being deployed is not lost", async () => {
    // A task of the failed attempt acknowledges after the attempt was cancelled (its asynchronous
    // snapshot phase outlives the cancellation); the master handles the stale acknowledgement and
    // arms its checkpoint timer for the new attempt, which is still deploying. The timer triggers
    // a checkpoint, LocalAttempt drops it (no deployment yet), and the checkpoint stays pending
    // until it expires, blocking every later one; the expiry then counts as a failure.
    let failed = false;
    class CountPerKey extends KeyedProcessFunction<number, number, never> {
      private count!: ValueState<number>;
      override open(context: RuntimeContext): void {
        this.count = context.getState(new ValueStateDescriptor<number>("count"));
      }
      processElement(n: number): void {
        if (n === 30_000 && !failed) {
          failed = true;
          throw new Error("fails once");
        }
        this.count.update((this.count.value() ?? 0) + 1);
      }
    }
    const job = defineJob(async (env) => {
      // Rebuilding the job after the failure takes a while (as when a job loads reference data).
      if (failed) await new Promise((resolve) => setTimeout(resolve, 300));
      env
        .fromSource(generatorSource({ count: 60_000, eventsPerSecond: 60_000, generate: (i) => i }), "numbers")
        .uid("numbers")
        .keyBy((n) => n % 20_000)
        .process(new CountPerKey())
        .uid("count")
        .sinkTo(discardingSink());
    });
    const reported: CheckpointStats[] = [];
    const result = await runJob(job, {
      runtime: "single-thread",
      checkpointing: { intervalMs: 10, timeoutMs: 5_000, dir: tempDir("repro-lost-trigger") },
      restartStrategy: "fixed-delay:attempts=2,delay=0",
      onCheckpoint: (s) => reported.push(s),
    });
    assert.deepEqual(reported.filter((s) => s.failure?.kind === "expired").map((s) => s.id), [], "no checkpoint expired");
    assert.equal(result.info.restarts, 1);
  });
});
