/**
 * The job master through the real runtime: which checkpoint each attempt restores (a resumed
 * checkpoint in another directory, a checkpoint copied elsewhere, the highest id as "latest"), and
 * the refusal to start from scratch over a completed checkpoint of the same job graph.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  defineJob,
  discardingSink,
  generatorSource,
  JobCancelledError,
  KeyedProcessFunction,
  ManualClock,
  runJob,
  ValueStateDescriptor,
  WeirError,
  type AttemptEvent,
  type RuntimeContext,
  type ValueState,
} from "../../../src/index.ts";
import { expectedLines } from "../../fixtures/jobs/ck-count.ts";
import { checkpointIds, committedLines, countRunDirs, runCount, tempDir, type CountRunDirs } from "../checkpointing/checkpointing-helpers.ts";

const sorted = (lines: readonly string[]): string[] => [...lines].sort();

/** Enough input, at 3000 events/s, that a loaded machine completes two checkpoints well before it ends. */
const CANCELLED_RUN_EVENTS = 20_000;

/** Runs the count job until its second checkpoint completes, then cancels it, keeping its checkpoints; resolves to the job id. */
async function cancelledRun(dirs: CountRunDirs, events: number): Promise<string> {
  const controller = new AbortController();
  let jobId = "";
  await assert.rejects(
    runCount(dirs, "single-thread", ["--events", String(events), "--rate", "3000"], {
      checkpointing: { intervalMs: 40, onCancel: "retain", retained: 3 },
      signal: controller.signal,
      onAttempt: (e) => void (jobId = e.jobId),
      onCheckpoint: (s) => {
        if (s.status === "completed" && s.id >= 2) controller.abort();
      },
    }),
    JobCancelledError,
  );
  return jobId;
}

describe("the checkpoint each attempt restores", () => {
  it("a task failure before the first new checkpoint restarts from the resumed checkpoint in another directory", async () => {
    const dirs = countRunDirs("jm-other-dir");
    const events = CANCELLED_RUN_EVENTS;
    const jobId = await cancelledRun(dirs, events);
    const newest = checkpointIds(dirs.checkpoints, jobId).at(-1)!;
    const resumed = join(dirs.checkpoints, jobId, `chk-${newest}`);
    const elsewhere = join(dirs.root, "new-checkpoints");
    const attempts: AttemptEvent[] = [];
    await runCount(
      { ...dirs, checkpoints: elsewhere },
      "single-thread",
      ["--events", String(events), "--fail-at", String(events - 5), "--fail-marker", join(dirs.root, "failed")],
      { checkpointing: { intervalMs: 60_000 }, from: resumed, restartStrategy: "fixed-delay:attempts=2,delay=0", onAttempt: (e) => attempts.push(e) },
    );
    assert.ok(existsSync(join(dirs.root, "failed")), "the failure was injected");
    assert.deepEqual(
      attempts.map((a) => [a.restoredCheckpointId, dirname(a.restoredFrom!)]),
      [
        [newest, resumed],
        [newest, resumed],
      ],
    );
    assert.deepEqual(committedLines(dirs.out), sorted(expectedLines(events, 10)));
  });

  it("a checkpoint directory copied elsewhere restores from the copy after the original is deleted", async () => {
    const dirs = countRunDirs("jm-copied");
    const events = CANCELLED_RUN_EVENTS;
    const jobId = await cancelledRun(dirs, events);
    const newest = checkpointIds(dirs.checkpoints, jobId).at(-1)!;
    const copy = join(dirs.root, "moved", `chk-${newest}`);
    cpSync(join(dirs.checkpoints, jobId, `chk-${newest}`), copy, { recursive: true });
    rmSync(dirs.checkpoints, { recursive: true });
    const attempts: AttemptEvent[] = [];
    await runCount({ ...dirs, checkpoints: join(dirs.root, "new-checkpoints") }, "single-thread", ["--events", String(events)], {
      checkpointing: { intervalMs: 60_000 },
      from: copy,
      onAttempt: (e) => attempts.push(e),
    });
    assert.deepEqual(attempts.map((a) => a.restoredCheckpointId), [newest]);
    assert.deepEqual(committedLines(dirs.out), sorted(expectedLines(events, 10)));
  });

  it("latest is the highest checkpoint id of the job, even when a later run's clock stamped it earlier", async () => {
    class Count extends KeyedProcessFunction<number, number, never> {
      private count!: ValueState<number>;
      override open(context: RuntimeContext): void {
        this.count = context.getState(new ValueStateDescriptor<number>("count"));
      }
      processElement(): void {
        this.count.update((this.count.value() ?? 0) + 1);
      }
    }
    const job = (clock: ManualClock) =>
      defineJob((env) => {
        env
          .fromSource(generatorSource({ count: 100_000_000, generate: (i) => i }), "numbers")
          .uid("numbers")
          .map((n) => {
            clock.advance(1);
            return n;
          })
          .keyBy((n) => n % 10)
          .process(new Count())
          .uid("count")
          .sinkTo(discardingSink());
      });
    const dir = tempDir("jm-latest");
    const runUntil = async (clock: ManualClock, from: string | undefined, completed: (id: number) => boolean): Promise<AttemptEvent[]> => {
      const controller = new AbortController();
      const attempts: AttemptEvent[] = [];
      await assert.rejects(
        runJob(job(clock), {
          runtime: "single-thread",
          clock,
          checkpointing: { intervalMs: 1_000, retained: 10, onCancel: "retain", dir },
          ...(from === undefined ? {} : { from }),
          signal: controller.signal,
          onAttempt: (e) => {
            attempts.push(e);
            if (from === "latest") controller.abort();
          },
          onCheckpoint: (s) => {
            if (s.status === "completed" && completed(s.id)) controller.abort();
          },
        }),
        JobCancelledError,
      );
      return attempts;
    };
    const day = 86_400_000;
    const [first] = await runUntil(new ManualClock(Date.now() + 10 * day), undefined, (id) => id >= 2);
    const jobDir = join(dir, first!.jobId);
    const before = checkpointIds(dir, first!.jobId);
    // The same job resumed on a machine whose clock is days behind: its checkpoints get higher ids, earlier times.
    await runUntil(new ManualClock(Date.now()), join(jobDir, `chk-${before.at(-1)}`), (id) => id > before.at(-1)!);
    const highest = checkpointIds(dir, first!.jobId).at(-1)!;
    assert.ok(highest > before.at(-1)!);
    const [resumed] = await runUntil(new ManualClock(Date.now()), "latest", () => false);
    assert.equal(resumed!.restoredCheckpointId, highest);
    assert.deepEqual(readdirSync(dir), [first!.jobId]);
  });
});

describe("starting a job from scratch", () => {
  it("is refused when a completed checkpoint of the same job graph is in the checkpoint directory, saying how to resume or start fresh", async () => {
    const dirs = countRunDirs("jm-fresh");
    await runCount(dirs, "single-thread", ["--events", "200"], { checkpointing: { intervalMs: 60_000 } });
    const committed = committedLines(dirs.out);
    const touched = join(dirs.root, "touched");
    await assert.rejects(runCount(dirs, "single-thread", ["--events", "200", "--touch", touched], { checkpointing: { intervalMs: 60_000 } }), (e: unknown) => {
      assert.ok(e instanceof WeirError, String(e));
      assert.equal(e.code, "WEIR_ERR_RESUMABLE_CHECKPOINT");
      assert.match(e.message, /--from latest/);
      assert.match(e.message, /--fresh/);
      return true;
    });
    assert.equal(existsSync(touched), false, "the refused job did not run");
    assert.deepEqual(committedLines(dirs.out), committed, "nothing was committed twice");
  });

  it("goes ahead with fresh, or when the checkpoints there belong to another job graph", async () => {
    const dirs = countRunDirs("jm-fresh-ok");
    await runCount(dirs, "single-thread", ["--events", "100"], { checkpointing: { intervalMs: 60_000 } });
    const fresh = await runCount({ ...dirs, out: join(dirs.root, "out-2") }, "single-thread", ["--events", "100"], { checkpointing: { intervalMs: 60_000 }, fresh: true });
    assert.equal(fresh.info.restarts, 0);
    const changed = await runCount({ ...dirs, out: join(dirs.root, "out-3") }, "single-thread", ["--events", "100", "--count-uid", "another-uid"], {
      checkpointing: { intervalMs: 60_000 },
    });
    assert.notEqual(changed.info.jobId, fresh.info.jobId);
    assert.deepEqual(committedLines(join(dirs.root, "out-3")), sorted(expectedLines(100, 10)));
  });
});
