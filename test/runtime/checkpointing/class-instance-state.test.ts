/**
 * Records and keyed state that are instances of a user's class (`WordWithCount`), in a job at
 * parallelism 2 on threads: they cross threads through a keyBy, are kept in ValueState, are
 * written by checkpoints and restored after a failure, as structuredClone copies them (plain
 * objects of their fields). Within one thread they keep their class through a chain and in state.
 * A state value that no checkpoint can write (it holds a function) fails
 * the job once the checkpoint failures exceed those tolerated, with the path of the function.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  defineJob,
  KeyedProcessFunction,
  runJob,
  ValueStateDescriptor,
  WeirError,
  type AttemptEvent,
  type CheckpointStats,
  type Collector,
  type KeyedContext,
  type RuntimeContext,
  type RunOptions,
  type ValueState,
} from "../../../src/index.ts";
import { committedLines, countRunDirs, type CountRunDirs } from "./checkpointing-helpers.ts";

const WORD_COUNTS = new URL("../../fixtures/jobs/rt-word-counts.ts", import.meta.url);

function runWordCounts(dirs: CountRunDirs, args: readonly string[], options: Omit<RunOptions, "runtime" | "args">) {
  return runJob(WORD_COUNTS, {
    runtime: "threads",
    parallelism: 2,
    ...options,
    checkpointing: { dir: dirs.checkpoints, intervalMs: 30, ...options.checkpointing },
    args: ["--out", dirs.out, ...args],
  });
}

/** `w<k>,1` … `w<k>,n` for each of `keys` words over `events` words, sorted. */
function expectedCounts(events: number, keys: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < events; i++) lines.push(`w${i % keys},${Math.floor(i / keys) + 1}`);
  return lines.sort();
}

describe("class instances in records and keyed state", () => {
  it("records of a class go through a keyBy into ValueState across threads (p=2), are checkpointed and restored after a failure, and the counts are exact", async () => {
    const dirs = countRunDirs("class-state");
    const marker = join(dirs.root, "failed-once");
    const attempts: AttemptEvent[] = [];
    const result = await runWordCounts(dirs, ["--events", "2400", "--keys", "6", "--rate", "2400", "--fail-marker", marker], {
      restartStrategy: "fixed-delay:attempts=3,delay=0",
      onAttempt: (e) => attempts.push(e),
    });
    assert.ok(existsSync(marker), "the failure was injected");
    assert.equal(result.info.restarts, 1);
    assert.ok(attempts[1]?.restoredCheckpointId !== undefined, "the second attempt restored the state from a checkpoint");
    assert.deepEqual(committedLines(dirs.out), expectedCounts(2400, 6));
  });

  it("a state value holding a function fails the job after the tolerated checkpoint failures, naming the state, key and path", async () => {
    const dirs = countRunDirs("class-state-refused");
    const reported: CheckpointStats[] = [];
    await assert.rejects(
      runWordCounts(dirs, ["--events", "100000", "--keys", "6", "--rate", "2000", "--keep-handler"], {
        checkpointing: { tolerableFailures: 2 },
        restartStrategy: "none",
        onCheckpoint: (stats) => reported.push(stats),
      }),
      (e: unknown) => {
        assert.ok(e instanceof WeirError, String(e));
        assert.equal(e.code, "WEIR_ERR_CHECKPOINT_FAILURES");
        assert.match(e.message, /3 checkpoint failure\(s\) in a row, more than the 2 tolerated/);
        assert.match(e.message, /value state 'counts' under key "w\d".* holds at value\.onChange a function/);
        return true;
      },
    );
    // A checkpoint taken before the first word reached the function completes; every later one is declined.
    const failed = reported.filter((s) => s.status === "failed");
    assert.equal(failed.length, 3);
    assert.ok(reported.slice(-3).every((s) => s.status === "failed" && s.failure?.kind === "declined"), reported.map((s) => `${s.id} ${s.status}`).join(", "));
  });

  it("within one thread, records and state values of a class keep their prototype, so their methods work", async () => {
    class Visit {
      constructor(
        public page: string,
        public times: number,
      ) {}
      bump(by: number): this {
        this.times += by;
        return this;
      }
    }
    class KeepLast extends KeyedProcessFunction<string, Visit, string> {
      private last!: ValueState<Visit>;
      override open(context: RuntimeContext): void {
        this.last = context.getState(new ValueStateDescriptor<Visit>("last"));
      }
      processElement(visit: Visit, _ctx: KeyedContext<string>, out: Collector<string>): void {
        const last = this.last.value();
        out.collect(`${visit.page} ${last instanceof Visit ? last.bump(visit.times).times : "none"}`);
        this.last.update(last ?? visit);
      }
    }
    const job = defineJob((env) => {
      env
        .fromElements(new Visit("a", 1), new Visit("a", 2), new Visit("b", 5), new Visit("a", 3))
        .map((v) => v.bump(10))
        .keyBy((v) => v.page)
        .process(new KeepLast())
        .collect("visits");
    });
    const result = await runJob(job, { runtime: "single-thread", parallelism: 1 });
    assert.deepEqual(result.collected("visits"), ["a none", "a 23", "b none", "a 36"]);
  });
});
