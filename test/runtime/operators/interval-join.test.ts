/**
 * The interval join operator driven by hand, as a task drives it: records in with their
 * timestamps, watermarks advanced by the test, keyed state and timers snapshotted and restored.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { JobArgs } from "../../../src/api/job-args.ts";
import { ManualClock, OutputTag, ProcessJoinFunction, WeirError, type Collector, type ProcessJoinContext } from "../../../src/index.ts";
import type { ProcessJoinFunctionLike } from "../../../src/api/process-join-function.ts";
import { keyGroupRangeForSubtask } from "../../../src/core/key-groups.ts";
import { IntervalJoinOperator, type IntervalJoinBounds } from "../../../src/runtime/operators/interval-join.ts";
import { OperatorFailure } from "../../../src/runtime/operators/user-function.ts";
import { KeyedServices } from "../../../src/runtime/keyed-services.ts";
import { RecordTimestamp } from "../../../src/runtime/record-timestamp.ts";
import { StreamingRuntimeContext } from "../../../src/runtime/runtime-context.ts";
import { SideOutputs } from "../../../src/runtime/side-outputs.ts";
import type { TimerEntry } from "../../../src/state/internal-timer-service.ts";
import { createKeyedStateBackend } from "../../../src/state/state-backends.ts";
import { writeAll } from "../../state/keyed-state-snapshot-conformance.ts";

interface Event {
  readonly key: string;
  readonly id: string;
  tags: string[];
}

const LATE_LEFT = new OutputTag<Event>("late-left");
const LATE_RIGHT = new OutputTag<Event>("late-right");
const MAX_PARALLELISM = 128;
const RANGE = keyGroupRangeForSubtask(0, 1, MAX_PARALLELISM);

/** Says which pair it was called for, with the timestamps its context gave. */
class DescribePair extends ProcessJoinFunction<Event, Event, string> {
  processElement(left: Event, right: Event, ctx: ProcessJoinContext, out: Collector<string>): void {
    out.collect(`${left.id}+${right.id} (${ctx.getLeftTimestamp()},${ctx.getRightTimestamp()})→${ctx.getTimestamp()}`);
  }
}

interface Checkpoint {
  readonly keyed: Uint8Array;
  readonly timers: TimerEntry[];
}

async function harness(bounds: IntervalJoinBounds, fn: ProcessJoinFunctionLike<Event, Event, string> = new DescribePair(), restored?: Checkpoint, objectReuse = false) {
  const backend = createKeyedStateBackend("heap", { keyGroupRange: RANGE, maxParallelism: MAX_PARALLELISM });
  const keyed = new KeyedServices(backend, [(e) => (e as Event).key, (e) => (e as Event).key]);
  if (restored !== undefined) {
    backend.restore([restored.keyed]);
    keyed.timers.restore(restored.timers, RANGE, MAX_PARALLELISM);
  }
  const time = new RecordTimestamp();
  /** Results with the timestamp they left with. */
  const out: string[] = [];
  const watermarks: number[] = [];
  const late: string[] = [];
  const lateOutput = (side: string) => ({ collect: (e: unknown) => void late.push(`${side} ${(e as Event).id}@${time.current}`) });
  const operator = new IntervalJoinOperator<string>(fn as ProcessJoinFunctionLike<unknown, unknown, string>, bounds);
  await operator.open(
    {
      runtime: new StreamingRuntimeContext("join", 0, 1, MAX_PARALLELISM, new JobArgs(), keyed),
      keyed,
      clock: new ManualClock(0),
      client: { send: () => {} },
      operatorId: "join",
      checkpointing: true,
      restored: undefined,
      sideOutputs: new SideOutputs("join", new Map([[LATE_LEFT.id, lateOutput("left")], [LATE_RIGHT.id, lateOutput("right")]])),
      requestStep: () => {},
      recordTimestamp: time,
      objectReuse,
    },
    { collect: (r) => void out.push(`${String(r)} @${time.current}`), emitWatermark: (w) => void watermarks.push(w) },
  );
  const send = (inputIndex: 0 | 1, key: string, id: string, timestamp: number | null): void => {
    time.current = timestamp;
    operator.processElement({ key, id, tags: [] } satisfies Event, inputIndex);
  };
  return {
    out,
    late,
    watermarks,
    left: (key: string, id: string, timestamp: number | null) => send(0, key, id, timestamp),
    right: (key: string, id: string, timestamp: number | null) => send(1, key, id, timestamp),
    watermark: (w: number) => operator.processWatermark(w),
    /** Buffered (key, timestamp) entries of both sides, and pending timers. */
    buffered: () => backend.numKeys("_interval-join-left") + backend.numKeys("_interval-join-right"),
    timers: () => keyed.timers.size(),
    checkpoint: (): Checkpoint => ({ keyed: writeAll(backend.snapshot()), timers: keyed.timers.snapshot() }),
  };
}

describe("IntervalJoinOperator", () => {
  it("joins a left record with the right records of its key whose timestamps lie within the bounds, both bounds included", async () => {
    const h = await harness({ lowerBound: -2, upperBound: 3 });
    for (const t of [7, 8, 10, 13, 14]) h.right("k", `r${t}`, t);
    h.right("other", "r10-other-key", 10);
    h.left("k", "l10", 10);
    assert.deepEqual(h.out, ["l10+r8 (10,8)→10 @10", "l10+r10 (10,10)→10 @10", "l10+r13 (10,13)→13 @13"]);
  });

  it("joins a right record with the buffered left records it falls within the bounds of, whichever side came first", async () => {
    const h = await harness({ lowerBound: -2, upperBound: 3 });
    for (const t of [6, 7, 10, 12, 13]) h.left("k", `l${t}`, t);
    h.right("k", "r10", 10);
    // A left record at t joins r10 when t − 2 ≤ 10 ≤ t + 3, that is 7 ≤ t ≤ 12.
    assert.deepEqual(h.out, ["l7+r10 (7,10)→10 @10", "l10+r10 (10,10)→10 @10", "l12+r10 (12,10)→12 @12"]);
  });

  it("joins with bounds that are both negative: only right records before the left one", async () => {
    const h = await harness({ lowerBound: -5, upperBound: -1 });
    for (const t of [4, 5, 9, 10, 11]) h.right("k", `r${t}`, t);
    h.left("k", "l10", 10);
    assert.deepEqual(h.out, ["l10+r5 (10,5)→10 @10", "l10+r9 (10,9)→10 @10"]);
  });

  it("joins a pair a bound apart whichever side arrives first, also at timestamps that are not whole milliseconds", async () => {
    // 1.1 − 0.1 is 1, but 0.1 + 1 ≥ 1.1 and 1.1 − 1 ≤ 0.1 do not both hold in floating point.
    for (const bounds of [
      { lowerBound: 0, upperBound: 1 },
      { lowerBound: -1, upperBound: 0 },
    ]) {
      const [leftAt, rightAt] = bounds.upperBound === 1 ? [0.1, 1.1] : [1.1, 0.1];
      const leftFirst = await harness(bounds);
      leftFirst.left("k", "l", leftAt);
      leftFirst.right("k", "r", rightAt);
      const rightFirst = await harness(bounds);
      rightFirst.right("k", "r", rightAt);
      rightFirst.left("k", "l", leftAt);
      const expected = [`l+r (${leftAt},${rightAt})→1.1 @1.1`];
      assert.deepEqual(leftFirst.out, expected, `left first, between(${bounds.lowerBound}, ${bounds.upperBound})`);
      assert.deepEqual(rightFirst.out, expected, `right first, between(${bounds.lowerBound}, ${bounds.upperBound})`);
    }
  });

  it("leaves out exactly the pairs on an exclusive bound, with bounds and timestamps that are not whole milliseconds", async () => {
    for (const [exclusive, expected] of [
      [{ upperBoundExclusive: true }, ["l+r0", "l+r0.25"]],
      [{ lowerBoundExclusive: true }, ["l+r0.25", "l+r0.5"]],
      [{ lowerBoundExclusive: true, upperBoundExclusive: true }, ["l+r0.25"]],
    ] as const) {
      const h = await harness({ lowerBound: 0, upperBound: 0.5, ...exclusive }, (left, right, _ctx, out) => out.collect(`${left.id}+${right.id}`));
      h.right("k", "r0", 10);
      h.left("k", "l", 10);
      h.right("k", "r0.25", 10.25);
      h.right("k", "r0.5", 10.5);
      h.right("k", "r0.75", 10.75);
      assert.deepEqual(h.out.map((s) => s.replace(/ @.*$/, "")), expected, JSON.stringify(exclusive));
    }
  });

  it("joins records with equal timestamps on one side with each of them, and calls a closure as the join function", async () => {
    const h = await harness({ lowerBound: 0, upperBound: 0 }, (left, right, ctx, out) => out.collect(`${left.id}+${right.id}@${ctx.getTimestamp()}`));
    h.left("k", "a", 5);
    h.left("k", "b", 5);
    h.right("k", "x", 5);
    h.right("k", "y", 6);
    assert.deepEqual(h.out, ["a+x@5 @5", "b+x@5 @5"]);
  });

  it("sends a record behind the watermark to its side's late-data output, and drops it when that side has none", async () => {
    const withTags = await harness({ lowerBound: -10, upperBound: 10, leftLateDataTag: LATE_LEFT as OutputTag<unknown>, rightLateDataTag: LATE_RIGHT as OutputTag<unknown> });
    withTags.left("k", "l100", 100);
    withTags.watermark(100);
    withTags.left("k", "l99", 99);
    withTags.right("k", "r95", 95);
    withTags.right("k", "r100", 100); // at the watermark: not late
    assert.deepEqual(withTags.late, ["left l99@99", "right r95@95"]);
    assert.deepEqual(withTags.out, ["l100+r100 (100,100)→100 @100"]);

    const withoutTags = await harness({ lowerBound: -10, upperBound: 10 });
    withoutTags.left("k", "l100", 100);
    withoutTags.watermark(100);
    withoutTags.right("k", "r95", 95);
    assert.deepEqual(withoutTags.out, []);
    assert.deepEqual(withoutTags.late, []);
  });

  it("removes buffered records once the watermark shows nothing can join them any more, and forwards every watermark", async () => {
    const h = await harness({ lowerBound: -2, upperBound: 3 });
    h.left("a", "l10", 10);
    h.right("a", "r10", 10);
    h.left("b", "l20", 20);
    assert.equal(h.buffered(), 3);
    // l10 waits for right records up to 13, r10 for left records up to 12; a record at the
    // watermark is not late, so each stays while the watermark is at that time.
    h.watermark(12);
    assert.equal(h.buffered(), 3, "a left record at 12 may still come");
    h.left("a", "l12", 12);
    h.watermark(12.5);
    assert.equal(h.buffered(), 2, "r10 is gone: key a has no right records");
    h.watermark(13);
    h.right("a", "r13", 13); // still joins l10
    h.watermark(1_000);
    assert.equal(h.buffered(), 0);
    assert.equal(h.timers(), 0);
    assert.deepEqual(h.watermarks, [12, 12.5, 13, 1_000]);
    assert.deepEqual(h.out, ["l10+r10 (10,10)→10 @10", "l12+r10 (12,10)→12 @12", "l10+r13 (10,13)→13 @13", "l12+r13 (12,13)→13 @13"]);
  });

  it("removes records buffered at timestamps that are not whole milliseconds", async () => {
    const h = await harness({ lowerBound: -0.2, upperBound: 0.2 });
    h.left("k", "l", 0.1); // 0.1 + 0.2 − 0.2 is not 0.1 in floating point
    h.right("k", "r", 0.3);
    assert.equal(h.buffered(), 2);
    h.watermark(1);
    assert.equal(h.buffered(), 0);
    assert.equal(h.timers(), 0);
  });

  it("after a checkpoint and a restore, produces what a run without the restore produces", async () => {
    type Step = ["left" | "right", string, string, number] | ["watermark", number];
    const steps: Step[] = [];
    for (let i = 0; i < 60; i++) {
      // Out of order by up to 4 ms; the watermark trails the largest timestamp by 5 ms.
      const t = i + ((i * 7) % 5);
      steps.push([i % 3 === 0 ? "right" : "left", `k${i % 2}`, `e${i}`, t]);
      if (i % 6 === 5) steps.push(["watermark", i - 5]);
    }
    const play = (h: Awaited<ReturnType<typeof harness>>, part: Step[]) => {
      for (const s of part) {
        if (s[0] === "watermark") h.watermark(s[1]);
        else h[s[0]](s[1], s[2], s[3]);
      }
    };
    const bounds = { lowerBound: -3, upperBound: 4 };
    const reference = await harness(bounds);
    play(reference, steps);
    reference.watermark(Number.MAX_SAFE_INTEGER);

    const cut = 37;
    const before = await harness(bounds);
    play(before, steps.slice(0, cut));
    const checkpoint = before.checkpoint();
    const committed = before.out.length;
    play(before, steps.slice(cut, cut + 5)); // lost in the failure
    const after = await harness(bounds, new DescribePair(), checkpoint);
    play(after, steps.slice(cut));
    after.watermark(Number.MAX_SAFE_INTEGER);

    assert.ok(reference.out.length > 40, `the run joins enough pairs to tell (${reference.out.length})`);
    assert.deepEqual([...before.out.slice(0, committed), ...after.out].sort(), [...reference.out].sort());
    assert.equal(after.buffered(), 0);
  });

  it("hands the function copies: changing a joined record in place changes nothing buffered for later pairs", async () => {
    const h = await harness({ lowerBound: -10, upperBound: 10 }, (left, right, _ctx, out) => {
      out.collect(`${left.id}[${left.tags.join()}]+${right.id}[${right.tags.join()}]`);
      left.tags.push("seen");
      right.tags.push("seen");
      (left as { id: string }).id = "changed";
    });
    h.left("k", "l1", 1);
    h.right("k", "r1", 1);
    h.right("k", "r2", 2);
    h.left("k", "l2", 2);
    assert.deepEqual(h.out.map((s) => s.replace(/ @\d+$/, "")), ["l1[]+r1[]", "l1[]+r2[]", "l2[]+r1[]", "l2[]+r2[]"]);
  });

  it("with object reuse on, hands the function the buffered records themselves (the job promises not to change them)", async () => {
    const seen: Event[] = [];
    const h = await harness({ lowerBound: 0, upperBound: 10 }, (left, _right, _ctx, out) => {
      seen.push(left);
      out.collect(left.id);
    }, undefined, true);
    h.left("k", "l1", 1);
    h.right("k", "r1", 1);
    h.right("k", "r2", 2);
    assert.equal(seen.length, 2);
    assert.equal(seen[0], seen[1]);
  });

  it("refuses a record without a timestamp with WEIR_ERR_MISSING_TIMESTAMP", async () => {
    const h = await harness({ lowerBound: 0, upperBound: 1 });
    assert.throws(() => h.right("k", "r", null), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_MISSING_TIMESTAMP" && /interval join 'join'.*right record/.test(e.message));
  });

  it("reports a join function that throws as a failure of its operator, with the thrown value as the cause", async () => {
    const h = await harness({ lowerBound: 0, upperBound: 1 }, () => {
      throw "no pairs today";
    });
    h.left("k", "l", 1);
    assert.throws(() => h.right("k", "r", 1), (e: unknown) => e instanceof OperatorFailure && e.cause === "no pairs today" && /operator 'join' failed/.test(e.message));
  });
});

