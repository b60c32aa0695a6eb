/**
 * What aborted checkpoints leave behind, and what a checkpoint holds of state an operator keeps
 * changing after its snapshot. Both run on the single-thread runtime with a manual clock that a
 * chained map advances with every record. Where checkpoints must expire while their state is
 * being written, fault hooks make the storage slow (a pause after each key group the asynchronous
 * phase writes): records flow meanwhile, time passes, and a short checkpoint timeout expires them.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  defineJob,
  generatorSource,
  KeyedProcessFunction,
  ManualClock,
  runJob,
  ValueStateDescriptor,
  type CheckpointStats,
  type Collector,
  type KeyedContext,
  type RuntimeContext,
  type ValueState,
} from "../../../src/index.ts";
import { FileCheckpointStorage } from "../../../src/checkpoint/storage/file-checkpoint-storage.ts";
import { decodeOperatorSnapshot } from "../../../src/runtime/operator-snapshot.ts";
import { installFaultHooks } from "../../../src/runtime/fault-hooks.ts";
import { tempDir } from "./checkpointing-helpers.ts";

class CountPerKey extends KeyedProcessFunction<number, number, number> {
  private count!: ValueState<number>;
  override open(context: RuntimeContext): void {
    this.count = context.getState(new ValueStateDescriptor<number>("count"));
  }
  processElement(n: number, _ctx: KeyedContext<number>, out: Collector<number>): void {
    this.count.update((this.count.value() ?? 0) + 1);
    out.collect(n);
  }
}

/** A sink that keeps one object of what it wrote, changes it in place for every record, and returns that object from each snapshot. */
class TallySink {
  /** Per checkpoint id: how many records the sink had written when its snapshot was taken. */
  readonly atSnapshot = new Map<number, number>();
  sink() {
    const atSnapshot = this.atSnapshot;
    return {
      createWriter: () => {
        const tally = { written: 0 };
        return {
          write: () => void tally.written++,
          snapshotState(checkpointId: number) {
            atSnapshot.set(checkpointId, tally.written);
            return tally;
          },
        };
      },
    };
  }
}

function keyedJob(clock: ManualClock, keys: number, events: number, sink: TallySink) {
  return defineJob((env) => {
    env
      .fromSource(generatorSource({ count: events, generate: (i) => i }), "numbers")
      .uid("numbers")
      .map((n) => {
        clock.advance(1);
        return n;
      })
      .keyBy((n) => n % keys)
      .process(new CountPerKey())
      .uid("count")
      .sinkTo(sink.sink())
      .uid("tally");
  });
}

describe("aborted checkpoints", () => {
  it("leave no checkpoint directory without _metadata behind once the job ended", async () => {
    const clock = new ManualClock(0);
    const dir = tempDir("aborted-orphans");
    const reported: CheckpointStats[] = [];
    installFaultHooks({ pass: () => false, snapshotStepDelayMs: 1 });
    const result = await runJob(keyedJob(clock, 20_000, 400_000, new TallySink()), {
      runtime: "single-thread",
      parallelism: 1,
      // Few key groups: a snapshot's write is a few slow steps, so many are written and expire.
      maxParallelism: 8,
      clock,
      checkpointing: { intervalMs: 500, timeoutMs: 50, tolerableFailures: 1_000_000, retained: 1_000, dir },
      onCheckpoint: (s) => reported.push(s),
    }).finally(() => installFaultHooks(undefined));
    const expired = reported.filter((s) => s.failure?.kind === "expired").length;
    assert.ok(expired >= 3, `checkpoints expired while their state was written (${expired})`);
    const jobDir = join(dir, result.info.jobId);
    const orphans = readdirSync(jobDir).filter((name) => /^chk-\d+$/.test(name) && !existsSync(join(jobDir, name, "_metadata")));
    assert.deepEqual(orphans, []);
    const completed = reported.filter((s) => s.status === "completed").map((s) => `chk-${s.id}`);
    assert.deepEqual(readdirSync(jobDir).filter((name) => name.startsWith("chk-")).sort(), completed.sort());
  });
});

describe("operator state in a checkpoint", () => {
  it("is what snapshotState returned at the snapshot, not what the operator changed in that object afterwards", async () => {
    const clock = new ManualClock(0);
    const dir = tempDir("captured-state");
    const tally = new TallySink();
    const completed: number[] = [];
    const result = await runJob(keyedJob(clock, 20_000, 100_000, tally), {
      runtime: "single-thread",
      parallelism: 1,
      clock,
      checkpointing: { intervalMs: 1_000, retained: 1_000, dir },
      onCheckpoint: (s) => void (s.status === "completed" && completed.push(s.id)),
    });
    assert.ok(completed.length >= 2, `checkpoints completed: ${completed.join(", ")}`);
    const storage = new FileCheckpointStorage({ jobId: result.info.jobId, root: dir });
    const stored: [number, unknown][] = [];
    const expected: [number, unknown][] = [];
    for (const id of completed) {
      const metadata = await storage.readMetadata(id as never);
      const handle = metadata.operators.find((o) => o.operatorId === "tally")!.subtasks[0]!.state[0]!;
      stored.push([id, decodeOperatorSnapshot(await storage.readState(handle), "tally").state]);
      expected.push([id, { written: tally.atSnapshot.get(id) }]);
    }
    assert.deepEqual(stored, expected);
  });
});
