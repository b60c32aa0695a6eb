/**
 * The window operator, run by hand (window-harness.ts) with real keyed state, timers and
 * checkpoints: what fires when, with which contents and timestamps, what lateness does, how
 * sessions merge, what evictors and triggers change, that nothing is left once a window is over,
 * and that a checkpoint taken at any point and restored gives the output of a run without it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ManualClock } from "../../../src/core/clock.ts";
import { OutputTag } from "../../../src/api/output-tag.ts";
import type { Collector } from "../../../src/api/functions.ts";
import { ValueStateDescriptor, type AggregateFunction } from "../../../src/state/descriptors.ts";
import type { WindowOperatorSpec } from "../../../src/runtime/operators/window-operator.ts";
import type { WindowContents } from "../../../src/runtime/operators/window-contents.ts";
import {
  ContinuousEventTimeTrigger,
  CountEvictor,
  EventTimeTrigger,
  CountTrigger,
  EventTimeSessionWindows,
  GlobalWindow,
  ProcessWindowFunction,
  PurgingTrigger,
  SlidingEventTimeWindows,
  TimeEvictor,
  TimeWindow,
  Trigger,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  countWindow,
  iterableProcessWindowFunction,
  passThroughWindowFunction,
  singleValueProcessWindowFunction,
  type Evictor,
  type ProcessWindowFunctionContext,
  type OnMergeContext,
  type TriggerContext,
  type TriggerResult,
  type Window,
  type WindowAssigner,
  type WindowSpec,
} from "../../../src/windowing/index.ts";
import { WindowHarness } from "./window-harness.ts";

interface Ev {
  k: string;
  v: number;
}

const key = (e: Ev): string => e.k;

/** Says which window fired for which key, and what it held: "a [0,10) 1,2". */
class Show<W extends Window> extends ProcessWindowFunction<Ev, string, string, W> {
  process(k: string, ctx: ProcessWindowFunctionContext<W>, elements: Iterable<Ev>, out: Collector<string>): void {
    const w = ctx.window();
    const where = w instanceof TimeWindow ? `[${w.start},${w.end})` : String(w);
    out.collect(`${k} ${where} ${[...elements].map((e) => e.v).join(",")}`);
  }
}

interface Options<W extends Window> {
  trigger?: Trigger<Ev, W>;
  evictor?: Evictor<Ev, W>;
  lateness?: number;
  lateTag?: OutputTag<Ev>;
}

/** A window operator that keeps all elements and shows each firing. */
function showing<W extends Window>(assigner: WindowAssigner<Ev, W> | WindowSpec<Ev, W>, options: Options<W> = {}): WindowOperatorSpec<Ev, string, string, W> {
  const windowSpec = "assigner" in assigner ? assigner : { assigner, trigger: assigner.getDefaultTrigger(), evictor: undefined };
  return {
    assigner: windowSpec.assigner,
    trigger: options.trigger ?? windowSpec.trigger,
    evictor: options.evictor ?? windowSpec.evictor,
    allowedLateness: options.lateness ?? 0,
    lateDataOutputTag: options.lateTag,
    contents: { kind: "list" },
    windowFunction: iterableProcessWindowFunction(new Show<W>()) as WindowOperatorSpec<Ev, string, string, W>["windowFunction"],
  };
}

/** A window operator that pre-aggregates with `contents` and emits the result as it is. */
function folding<W extends Window>(assigner: WindowAssigner<Ev, W> | WindowSpec<Ev, W>, contents: WindowContents<Ev>, options: Options<W> = {}): WindowOperatorSpec<Ev, unknown, string, W> {
  return { ...showing(assigner, options), contents, windowFunction: passThroughWindowFunction() } as WindowOperatorSpec<Ev, unknown, string, W>;
}

const ev = (k: string, v: number): Ev => ({ k, v });

/** Decides as EventTimeTrigger does, through the trigger context: a trigger the operator cannot tell is the event-time one. */
class EventTimeDecisions extends Trigger<Ev, TimeWindow> {
  private readonly inner = EventTimeTrigger.create();
  onElement(element: Ev, timestamp: number | undefined, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    return this.inner.onElement(element, timestamp, window, ctx);
  }
  onEventTime(time: number, window: TimeWindow): TriggerResult {
    return this.inner.onEventTime(time, window);
  }
  onProcessingTime(): TriggerResult {
    return this.inner.onProcessingTime();
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    this.inner.onMerge(window, ctx);
  }
  clear(window: TimeWindow, ctx: TriggerContext): void {
    this.inner.clear(window, ctx);
  }
}
const open = <OUT, W extends Window>(spec: WindowOperatorSpec<Ev, OUT, string, W>, clock?: ManualClock) => WindowHarness.open(spec, key, { clock });

interface Counted extends Ev {
  n: number;
}

/** Sums into the first element it is given, which it keeps as the accumulator and changes in place. */
const keepingSum: AggregateFunction<Ev, Counted | null, Counted> = {
  createAccumulator: () => null,
  add: (value, acc) => {
    if (acc === null) return Object.assign(value, { n: 1 });
    acc.n++;
    acc.v += value.v;
    return acc;
  },
  getResult: (acc) => ({ ...acc! }),
  merge: (a, b) => (a === null ? b : b === null ? a : { k: a.k, v: a.v + b.v, n: a.n + b.n }),
};

const sumInPlace = (a: Ev, b: Ev): Ev => {
  a.v += b.v;
  return a;
};

describe("the window operator in event time", () => {
  it("fires a tumbling window once the watermark reaches its end, with out-of-order elements, emitting at the window's max timestamp", async () => {
    const h = await open(showing(TumblingEventTimeWindows.of(10)));
    h.element(ev("a", 3), 3).element(ev("a", 12), 12).element(ev("a", 1), 1).element(ev("b", 5), 5);
    h.watermark(8);
    assert.deepEqual(h.output, []);
    h.watermark(9);
    assert.deepEqual([...h.output].sort(), [
      ["a [0,10) 3,1", 9],
      ["b [0,10) 5", 9],
    ]);
    h.output.length = 0;
    h.watermark(19);
    assert.deepEqual(h.output, [["a [10,20) 12", 19]]);
    assert.deepEqual(h.watermarks, [8, 9, 19], "watermarks go on downstream after the windows they fire");
  });

  it("fires a window that held contents before a restore once at its end, whatever it takes after the restore", async () => {
    const before = await open(showing(SlidingEventTimeWindows.of(10, 5)));
    before.element(ev("a", 3), 3).element(ev("a", 7), 7).element(ev("b", 6), 6);
    const h = await WindowHarness.open(showing(SlidingEventTimeWindows.of(10, 5)), key, { restoreFrom: before.checkpoint() });
    h.element(ev("a", 8), 8).element(ev("b", 2), 2).element(ev("a", 12), 12);
    h.watermark(9);
    assert.deepEqual([...h.output].sort(), [
      ["a [-5,5) 3", 4],
      ["a [0,10) 3,7,8", 9],
      ["b [-5,5) 2", 4],
      ["b [0,10) 6,2", 9],
    ]);
    h.output.length = 0;
    h.watermark(30);
    assert.deepEqual([...h.output].sort(), [
      ["a [10,20) 12", 19],
      ["a [5,15) 7,8,12", 14],
      ["b [5,15) 6", 14],
    ]);
    assert.equal(h.timers(), 0);
    assert.equal(h.entries("_window-contents"), 0);
  });

  it("aligns tumbling windows to the offset, for negative timestamps too", async () => {
    const h = await open(showing(TumblingEventTimeWindows.of(10, 3)));
    h.element(ev("a", 2), 2).element(ev("a", 3), 3).element(ev("a", -8), -8);
    h.watermark(100);
    assert.deepEqual(h.take().sort(), ["a [-17,-7) -8", "a [-7,3) 2", "a [3,13) 3"]);
  });

  it("puts an element in size / slide sliding windows, each fired at its own end", async () => {
    const h = await open(showing(SlidingEventTimeWindows.of(10, 5)));
    h.element(ev("a", 7), 7).element(ev("a", 12), 12);
    h.watermark(9);
    assert.deepEqual(h.take(), ["a [0,10) 7"]);
    h.watermark(14);
    assert.deepEqual(h.take(), ["a [5,15) 7,12"]);
    h.watermark(19);
    assert.deepEqual(h.take(), ["a [10,20) 12"]);
  });

  it("merges session windows closer than the gap, merges their contents, and fires the merged window once at its end", async () => {
    const h = await open(showing(EventTimeSessionWindows.withGap(5)));
    h.element(ev("a", 1), 1).element(ev("a", 20), 20).element(ev("b", 2), 2).element(ev("a", 4), 4);
    // [1,6) and [4,9) merge; the timer of [1,6) must not fire it.
    h.watermark(6);
    assert.deepEqual(h.take(), ["b [2,7) 2"]);
    h.element(ev("a", 12), 12); // [12,17) bridges [4,9)? no: 9 < 12, a session of its own
    h.element(ev("a", 8), 8); //    [8,13) touches [1,9) and [12,17): all three merge into [1,17)
    h.watermark(16);
    assert.deepEqual(h.take(), ["a [1,17) 1,4,12,8"]);
    h.watermark(30);
    assert.deepEqual(h.take(), ["a [20,25) 20"]);
    assert.equal(h.entries("_window-merging-windows"), 0, "no window is left in flight");
    assert.equal(h.entries("_window-contents"), 0);
    assert.equal(h.timers(), 0);
  });

  it("merges the accumulators of merged sessions with the aggregate function's merge", async () => {
    const count: AggregateFunction<Ev, number, number> = { createAccumulator: () => 0, add: (_e, n) => n + 1, getResult: (n) => n, merge: (a, b) => a + b };
    const h = await open(folding(EventTimeSessionWindows.withGap(5), { kind: "aggregate", aggregate: count as AggregateFunction<Ev, unknown, unknown> }));
    h.element(ev("a", 1), 1).element(ev("a", 2), 2).element(ev("a", 10), 10).element(ev("a", 11), 11).element(ev("a", 6), 6);
    h.watermark(100);
    assert.deepEqual(h.take(), [5]);
  });

  it("fires a window again for each late element within the allowed lateness, then drops its state and sends later elements to the late side output", async () => {
    const lateTag = new OutputTag<Ev>("late");
    const h = await open(showing(TumblingEventTimeWindows.of(10), { lateness: 5, lateTag }));
    h.element(ev("a", 1), 1).element(ev("a", 2), 2);
    h.watermark(9);
    assert.deepEqual(h.take(), ["a [0,10) 1,2"]);
    h.element(ev("a", 3), 3); // late, but within the lateness: fires at once, with everything
    assert.deepEqual(h.output, [["a [0,10) 1,2,3", 9]]);
    h.output.length = 0;
    h.watermark(14); // the window's cleanup time: 9 + 5
    assert.equal(h.entries("_window-contents"), 0);
    h.element(ev("a", 4), 4);
    assert.deepEqual(h.output, []);
    assert.deepEqual(h.late, [[ev("a", 4), 4]], "a late element keeps its own timestamp");
    assert.equal(h.timers(), 0);
  });

  it("counts the late elements it drops when no late-data side output is set", async () => {
    const h = await open(showing(TumblingEventTimeWindows.of(10)));
    h.watermark(20);
    h.element(ev("a", 5), 5).element(ev("a", 19), 19).element(ev("a", 21), 21);
    assert.equal(h.operator.getLateRecordsDropped(), 2, "the windows of 5 and 19 ended at or before the watermark");
    h.watermark(29);
    assert.deepEqual(h.take(), ["a [20,30) 21"]);
  });

  it("takes an element late for one sliding window into the others, and does not count it late", async () => {
    const lateTag = new OutputTag<Ev>("late");
    const h = await open(showing(SlidingEventTimeWindows.of(10, 5), { lateTag }));
    h.watermark(9);
    h.element(ev("a", 7), 7); // [0,10) is over, [5,15) is not
    assert.deepEqual(h.late, []);
    h.watermark(14);
    assert.deepEqual(h.take(), ["a [5,15) 7"]);
  });

  it("fires early with a continuous trigger, every interval of event time, and at the end", async () => {
    const h = await open(showing(TumblingEventTimeWindows.of(10), { trigger: ContinuousEventTimeTrigger.of(4) }));
    h.element(ev("a", 1), 1);
    h.watermark(3);
    assert.deepEqual(h.take(), []);
    h.watermark(4);
    assert.deepEqual(h.take(), ["a [0,10) 1"]);
    h.element(ev("a", 5), 5);
    h.watermark(9); // the interval's fire at 8, then the window's end at 9
    assert.deepEqual(h.take(), ["a [0,10) 1,5", "a [0,10) 1,5"]);
    assert.equal(h.timers(), 0);
  });

  it("refuses an element without a timestamp, naming the assigner", async () => {
    const h = await open(showing(TumblingEventTimeWindows.of(10)));
    assert.throws(() => h.element(ev("a", 1)), (e: Error & { cause?: { code?: string } }) => e.cause?.code === "WEIR_ERR_MISSING_TIMESTAMP" && /TumblingEventTimeWindows/.test(e.message));
  });
});

describe("the window operator in processing time", () => {
  it("fires a window when the clock passes its end, emitting at the window's max timestamp", async () => {
    const clock = new ManualClock(1_003);
    const h = await open(showing(TumblingProcessingTimeWindows.of(10)), clock);
    h.element(ev("a", 1)).element(ev("b", 2));
    h.processingTime(1_008);
    assert.deepEqual(h.output, []);
    h.processingTime(1_009);
    assert.deepEqual([...h.output].sort(), [
      ["a [1000,1010) 1", 1_009],
      ["b [1000,1010) 2", 1_009],
    ]);
    h.output.length = 0;
    h.processingTime(1_010).element(ev("a", 3));
    h.processingTime(1_019);
    assert.deepEqual(h.take(), ["a [1010,1020) 3"]);
    assert.equal(h.timers(), 0);
    assert.equal(h.entries("_window-contents"), 0);
  });
});

describe("count windows, triggers and evictors", () => {
  it("fires a tumbling count window every n elements of a key, each firing with n new elements", async () => {
    const h = await open(showing(countWindow<Ev>(2)));
    for (const v of [1, 2, 3]) h.element(ev("a", v));
    h.element(ev("b", 9)).element(ev("a", 4));
    assert.deepEqual(h.take(), ["a GlobalWindow 1,2", "a GlobalWindow 3,4"]);
    assert.equal(h.output.length, 0);
  });

  it("fires a sliding count window every slide elements over the last size elements", async () => {
    const h = await open(showing(countWindow<Ev>(3, 2)));
    for (const v of [1, 2, 3, 4, 5, 6]) h.element(ev("a", v));
    assert.deepEqual(h.take(), ["a GlobalWindow 1,2", "a GlobalWindow 2,3,4", "a GlobalWindow 4,5,6"]);
  });

  it("emits what a global window fires with the largest timestamp, as Flink does", async () => {
    const h = await open(showing(countWindow<Ev>(1)));
    h.element(ev("a", 1), 5);
    assert.deepEqual(h.output, [["a GlobalWindow 1", GlobalWindow.get().maxTimestamp()]]);
  });

  it("keeps the contents after a FIRE and drops them with FIRE_AND_PURGE", async () => {
    const keep = await open(showing(TumblingEventTimeWindows.of(100), { trigger: CountTrigger.of(2) }));
    const purge = await open(showing(TumblingEventTimeWindows.of(100), { trigger: PurgingTrigger.of(CountTrigger.of(2)) }));
    for (const h of [keep, purge]) for (const v of [1, 2, 3, 4]) h.element(ev("a", v), v);
    assert.deepEqual(keep.take(), ["a [0,100) 1,2", "a [0,100) 1,2,3,4"]);
    assert.deepEqual(purge.take(), ["a [0,100) 1,2", "a [0,100) 3,4"]);
  });

  it("evicts before the function (count evictor) and keeps only what is left", async () => {
    const h = await open(showing(TumblingEventTimeWindows.of(100), { trigger: CountTrigger.of(2), evictor: CountEvictor.of(3) }));
    for (const v of [1, 2, 3, 4, 5, 6]) h.element(ev("a", v), v);
    assert.deepEqual(h.take(), ["a [0,100) 1,2", "a [0,100) 2,3,4", "a [0,100) 4,5,6"]);
  });

  it("evicts by the elements' timestamps (time evictor), after the function when asked to", async () => {
    const before = await open(showing(TumblingEventTimeWindows.of(100), { evictor: TimeEvictor.of(10) }));
    const after = await open(showing(TumblingEventTimeWindows.of(100), { trigger: CountTrigger.of(3), evictor: TimeEvictor.of(10, true) }));
    for (const h of [before, after]) for (const t of [1, 5, 12, 20, 21, 40]) h.element(ev("a", t), t);
    before.watermark(99);
    assert.deepEqual(before.take(), ["a [0,100) 40"]);
    // After: the first firing sees 1,5,12 and leaves 5,12; the second sees 5,12,20,21,40.
    assert.deepEqual(after.take(), ["a [0,100) 1,5,12", "a [0,100) 5,12,20,21,40"]);
  });

  it("reduces the elements an evictor left when the window fires", async () => {
    const h = await open(folding(TumblingEventTimeWindows.of(100), { kind: "reduce", reduce: (a, b) => ({ k: a.k, v: a.v + b.v }) }, { evictor: CountEvictor.of(2) }));
    for (const v of [1, 2, 3]) h.element(ev("a", v), v);
    h.watermark(99);
    assert.deepEqual(h.take(), [ev("a", 5)]);
  });
});

describe("window state", () => {
  it("gives each sliding window its own accumulator when the reduce function changes it in place", async () => {
    const h = await open(folding(SlidingEventTimeWindows.of(10, 5), { kind: "reduce", reduce: sumInPlace }));
    h.element(ev("a", 1), 6).element(ev("a", 10), 7).element(ev("a", 100), 11);
    h.watermark(100);
    assert.deepEqual(h.take(), [ev("a", 11), ev("a", 111), ev("a", 100)]);
  });

  it("gives each sliding window its own element when the aggregate function keeps its input as the accumulator and changes it", async () => {
    const h = await open(folding(SlidingEventTimeWindows.of(10, 5), { kind: "aggregate", aggregate: keepingSum as AggregateFunction<Ev, unknown, unknown> }));
    h.element(ev("a", 1), 6).element(ev("a", 10), 7).element(ev("a", 100), 11);
    h.watermark(100);
    assert.deepEqual(h.take(), [{ k: "a", v: 11, n: 2 }, { k: "a", v: 111, n: 3 }, { k: "a", v: 100, n: 1 }]);
  });

  it("keeps the elements of a sliding count window as they came when the reduce function changes its accumulator in place", async () => {
    const h = await open(folding(countWindow<Ev>(3, 1), { kind: "reduce", reduce: sumInPlace }));
    for (const v of [1, 10, 100, 1000, 10000]) h.element(ev("a", v));
    assert.deepEqual(h.take(), [1, 11, 111, 1110, 11100].map((v) => ev("a", v)));
  });

  it("keeps an evicting window's elements as they came when the reduce function changes either argument in place", async () => {
    const intoSecond = (a: Ev, b: Ev): Ev => {
      b.v += a.v;
      return b;
    };
    for (const reduce of [sumInPlace, intoSecond]) {
      const h = await open(folding(TumblingEventTimeWindows.of(100), { kind: "reduce", reduce }, { trigger: CountTrigger.of(1), evictor: CountEvictor.of(3) }));
      for (const v of [1, 10, 100, 1000, 10000]) h.element(ev("a", v), v % 97);
      assert.deepEqual(h.take(), [1, 11, 111, 1110, 11100].map((v) => ev("a", v)), reduce.name);
    }
  });

  it("keeps an evicting window's elements as they came when the aggregate function keeps its input as the accumulator and changes it", async () => {
    const h = await open(folding(countWindow<Ev>(3, 1), { kind: "aggregate", aggregate: keepingSum as AggregateFunction<Ev, unknown, unknown> }));
    for (const v of [1, 10, 100, 1000, 10000]) h.element(ev("a", v));
    assert.deepEqual(
      h.take().map((e) => [(e as Counted).v, (e as Counted).n]),
      [
        [1, 1],
        [11, 2],
        [111, 3],
        [1110, 3],
        [11100, 3],
      ],
    );
  });

  it("refuses per-window state with merging (session) windows, as Flink does", async () => {
    const state = new ValueStateDescriptor<number>("n");
    class PerWindow extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
      process(_k: string, ctx: ProcessWindowFunctionContext<TimeWindow>, _elements: Iterable<Ev>, out: Collector<string>): void {
        ctx.windowState().getState(state).update(1);
        out.collect("fired");
      }
    }
    const h = await open({ ...showing(EventTimeSessionWindows.withGap(5)), windowFunction: iterableProcessWindowFunction(new PerWindow()) as never });
    h.element(ev("a", 1), 1);
    assert.throws(
      () => h.watermark(100),
      (e: Error & { cause?: { code?: string; message?: string } }) => e.cause?.code === "WEIR_ERR_INVALID_WINDOW" && /Per-window state is not allowed when using merging windows/.test(e.cause.message ?? ""),
    );
  });

  it("keeps per-window state until the function's clear() removes it with the window, and global state across windows", async () => {
    const fired = new ValueStateDescriptor<number>("fired");
    class CountFirings extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
      process(k: string, ctx: ProcessWindowFunctionContext<TimeWindow>, _elements: Iterable<Ev>, out: Collector<string>): void {
        const inWindow = ctx.windowState().getState(fired);
        const inKey = ctx.globalState().getState(fired);
        inWindow.update((inWindow.value() ?? 0) + 1);
        inKey.update((inKey.value() ?? 0) + 1);
        out.collect(`${k} [${ctx.window().start}) firing ${inWindow.value()} of the window, ${inKey.value()} of the key`);
      }
      override clear(ctx: ProcessWindowFunctionContext<TimeWindow>): void {
        ctx.windowState().getState(fired).clear();
      }
    }
    const h = await open({ ...showing(TumblingEventTimeWindows.of(10), { lateness: 10 }), windowFunction: iterableProcessWindowFunction(new CountFirings()) as never });
    h.element(ev("a", 1), 1).watermark(9).element(ev("a", 2), 2).element(ev("a", 11), 11).watermark(19);
    assert.deepEqual(h.take(), ["a [0) firing 1 of the window, 1 of the key", "a [0) firing 2 of the window, 2 of the key", "a [10) firing 1 of the window, 3 of the key"]);
    h.watermark(100);
    assert.equal(h.entries("_window-state:fired"), 0, "every window's state was cleared");
    assert.equal(h.entries("fired"), 1, "the key's state stays");
    assert.equal(h.entries("_window-contents"), 0);
    assert.equal(h.timers(), 0);
  });

  it("clears a count trigger's state with its window", async () => {
    const h = await open(showing(TumblingEventTimeWindows.of(10), { trigger: CountTrigger.of(5) }));
    h.element(ev("a", 1), 1).element(ev("b", 2), 2);
    assert.equal(h.entries("_trigger-state:count"), 2);
    h.watermark(9);
    assert.equal(h.entries("_trigger-state:count"), 0);
    assert.equal(h.entries("_window-contents"), 0);
  });
});

describe("the window operator across a checkpoint", () => {
  type Step = ["element", Ev, number] | ["watermark", number] | ["time", number];
  const script: Step[] = [
    ["element", ev("a", 1), 1],
    ["time", 5],
    ["element", ev("b", 1), 3],
    ["element", ev("a", 2), 12],
    ["watermark", 4],
    ["element", ev("a", 3), 6], // merges a's sessions [1,6) and [6,11) ... and [12,17) with gap 5: [1,17)
    ["element", ev("b", 2), 30],
    ["time", 50],
    ["watermark", 16],
    ["element", ev("a", 4), 14], // late for the merged session that fired, within lateness: fires again
    ["element", ev("c", 1), 40],
    ["watermark", 29],
    ["element", ev("a", 5), 2], // too late: side output
    ["watermark", 100],
  ];

  async function run(spec: () => WindowOperatorSpec<Ev, unknown, string, Window>, checkpointAt: number | undefined): Promise<unknown[]> {
    const clock = new ManualClock(0);
    let h = await WindowHarness.open(spec(), key, { clock });
    const out: unknown[] = [];
    let watermark: number | undefined;
    const collect = () => {
      out.push(...h.output.splice(0), ...h.late.splice(0).map(([e, t]) => ["late", e, t]));
    };
    for (const [i, step] of script.entries()) {
      if (i === checkpointAt) {
        collect();
        const checkpoint = h.checkpoint();
        // Everything after the checkpoint is lost with the failed operator; a new one restores it.
        h = await WindowHarness.open(spec(), key, { clock, restoreFrom: checkpoint });
        // Watermarks are not checkpointed: the replayed input brings the last one again before its next element.
        if (watermark !== undefined) h.watermark(watermark);
        h.watermarks.length = 0;
      }
      if (step[0] === "element") h.element(step[1], step[2]);
      else if (step[0] === "watermark") h.watermark((watermark = step[1]));
      else h.processingTime(step[1]);
      collect();
    }
    return out;
  }

  const lateTag = new OutputTag<Ev>("late");
  const specs: [string, () => WindowOperatorSpec<Ev, unknown, string, Window>][] = [
    ["merged sessions with allowed lateness", () => showing(EventTimeSessionWindows.withGap(5), { lateness: 5, lateTag }) as never],
    ["sliding windows with a count trigger's state", () => showing(SlidingEventTimeWindows.of(10, 5), { trigger: CountTrigger.of(2), lateness: 3, lateTag }) as never],
    ["sessions pre-aggregated by an in-place reduce", () => folding(EventTimeSessionWindows.withGap(5), { kind: "reduce", reduce: sumInPlace }, { lateness: 5, lateTag }) as never],
    ["an evicting window", () => showing(TumblingEventTimeWindows.of(20), { evictor: CountEvictor.of(2), trigger: CountTrigger.of(2), lateTag }) as never],
    ["processing-time windows", () => showing(TumblingProcessingTimeWindows.of(10)) as never],
  ];

  for (const [name, spec] of specs) {
    it(`restored at any step, gives the output of a run without the checkpoint (${name})`, async () => {
      const expected = await run(spec, undefined);
      assert.ok(expected.length > 0);
      for (let at = 0; at < script.length; at++) {
        assert.deepEqual(await run(spec, at), expected, `checkpoint before step ${at}`);
      }
    });
  }

  it("restored at another parallelism, each subtask takes over the windows of its keys, merged sessions included", async () => {
    const spec = () => showing(EventTimeSessionWindows.withGap(5), { lateness: 5, lateTag }) as WindowOperatorSpec<Ev, unknown, string, Window>;
    const keys = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const before = await WindowHarness.open(spec(), key);
    for (const [i, k] of keys.entries()) before.element(ev(k, i), 1).element(ev(k, 10 + i), 7).element(ev(k, 20 + i), 4); // [1,6) + [7,12) merged by [4,9)
    before.watermark(3);
    const checkpoint = before.checkpoint();
    const expected = [...before.watermark(100).take()].sort();
    const parts = await Promise.all([0, 1, 2].map((index) => WindowHarness.open(spec(), key, { restoreFrom: checkpoint, subtask: [index, 3] })));
    assert.ok(parts.every((part) => keys.some((k) => part.holds(ev(k, 0)))), "every subtask holds some key");
    const after = parts.flatMap((part) => part.watermark(100).take());
    assert.equal(expected.length, keys.length);
    assert.deepEqual(after.sort(), expected);
  });

  it("decides with the default event-time trigger exactly as through any trigger making its decisions: firings, late elements and timers", async () => {
    type Step = { element: [k: string, t: number] } | { watermark: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      { arbitrary: fc.record({ element: fc.tuple(fc.constantFrom("a", "b", "c"), fc.integer({ min: 0, max: 60 })) }), weight: 4 },
      { arbitrary: fc.record({ watermark: fc.integer({ min: 0, max: 70 }) }), weight: 1 },
    );
    const assigners = [TumblingEventTimeWindows.of(10), SlidingEventTimeWindows.of(10, 5), SlidingEventTimeWindows.of(10, 3)];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...assigners), fc.constantFrom(0, 7), fc.boolean(), fc.array(step, { maxLength: 40 }), async (assigner, lateness, aggregate, steps) => {
        const lateTag = new OutputTag<Ev>("late");
        const run = async (trigger: Trigger<Ev, TimeWindow> | undefined) => {
          const options = { trigger, lateness, lateTag };
          const h = await open(aggregate ? folding(assigner, { kind: "reduce", reduce: sumInPlace }, options) : showing(assigner, options));
          const seen: unknown[] = [];
          let watermark = -1;
          for (const [i, s] of steps.entries()) {
            if ("element" in s) h.element(ev(s.element[0], i), s.element[1]);
            else h.watermark((watermark = Math.max(watermark, s.watermark)));
            seen.push([h.take(), h.late.splice(0), h.timers()]);
          }
          h.watermark(100);
          seen.push([h.take(), h.timers(), h.entries("_window-contents")]);
          return seen;
        };
        assert.deepEqual(await run(undefined), await run(new EventTimeDecisions()));
      }),
      { numRuns: 150 },
    );
  });
});

describe("sliding windows with a merging aggregate kept as panes", () => {
  type Step = { element: [k: string, t: number] } | { watermark: number } | { checkpoint: true };
  const step: fc.Arbitrary<Step> = fc.oneof(
    { arbitrary: fc.record({ element: fc.tuple(fc.constantFrom("a", "b", "c"), fc.integer({ min: 0, max: 60 })) }), weight: 6 },
    { arbitrary: fc.record({ watermark: fc.integer({ min: 0, max: 70 }) }), weight: 2 },
    { arbitrary: fc.record({ checkpoint: fc.constant(true as const) }), weight: 1 },
  );
  /** Changes the accumulator, and merge its first argument, in place (the pane path must give merge copies). */
  const summing: AggregateFunction<Ev, { v: number; n: number }, { v: number; n: number }> = {
    createAccumulator: () => ({ v: 0, n: 0 }),
    add: (e, acc) => {
      acc.v += e.v;
      acc.n++;
      return acc;
    },
    getResult: (acc) => acc,
    merge: (a, b) => {
      a.v += b.v;
      a.n += b.n;
      return a;
    },
  };
  /** Shows each firing; when spoiling, changes what it was given afterwards, as user code may. */
  class ShowResult extends ProcessWindowFunction<{ v: number; n: number }, string, string, TimeWindow> {
    constructor(private readonly spoiling = false) {
      super();
    }
    process(k: string, ctx: ProcessWindowFunctionContext<TimeWindow>, results: Iterable<{ v: number; n: number }>, out: Collector<string>): void {
      for (const r of results) {
        out.collect(`${k} [${ctx.window().start},${ctx.window().end}) ${r.v}/${r.n}`);
        if (this.spoiling) r.v = -1000;
      }
    }
  }
  const aggregating = (assigner: SlidingEventTimeWindows, options: Options<TimeWindow>, contents: WindowContents<Ev>, spoiling = false): WindowOperatorSpec<Ev, unknown, string, Window> =>
    ({ ...showing(assigner, options), contents, windowFunction: singleValueProcessWindowFunction(new ShowResult(spoiling)) }) as never;

  /** Each step's output per key (in order) and late elements; a checkpoint step restores a new operator, of the per-window kind until `switchAt`. */
  async function run(spec: (perWindow: boolean) => WindowOperatorSpec<Ev, unknown, string, Window>, steps: readonly Step[], perWindowUntil: number): Promise<unknown[]> {
    let h = await open(spec(perWindowUntil > 0));
    const seen: unknown[] = [];
    let watermark: number | undefined;
    const collect = () => {
      const byKey: Record<string, unknown[]> = {};
      for (const [record, timestamp] of h.output.splice(0)) (byKey[String(record).split(" ")[0]!] ??= []).push([record, timestamp]);
      seen.push([byKey, h.late.splice(0)]);
    };
    for (const [i, s] of steps.entries()) {
      if ("checkpoint" in s) {
        const checkpoint = h.checkpoint();
        h = await WindowHarness.open(spec(i < perWindowUntil), key, { restoreFrom: checkpoint });
        if (watermark !== undefined) h.watermark(watermark);
      } else if ("element" in s) h.element(ev(s.element[0], i), s.element[1]);
      else h.watermark((watermark = Math.max(watermark ?? -1, s.watermark)));
      collect();
    }
    h.watermark(100);
    collect();
    seen.push(h.timers());
    return seen;
  }

  it("give the output, late elements included, of one accumulator per window, across checkpoints of either kind", async () => {
    const assigners = [SlidingEventTimeWindows.of(10, 5), SlidingEventTimeWindows.of(12, 8), SlidingEventTimeWindows.of(10, 5, 2), SlidingEventTimeWindows.of(6, 6)];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...assigners), fc.constantFrom(0, 4, 7), fc.array(step, { maxLength: 40 }), fc.nat(40), async (assigner, lateness, steps, switchAt) => {
        const lateTag = new OutputTag<Ev>("late");
        const spec = (perWindow: boolean) => aggregating(assigner, { lateness, lateTag, trigger: perWindow ? new EventTimeDecisions() : undefined }, { kind: "aggregate", aggregate: summing as never });
        const expected = await run(spec, steps, steps.length + 1);
        assert.deepEqual(await run(spec, steps, 0), expected, "panes throughout");
        assert.deepEqual(await run(spec, steps, switchAt), expected, `per-window until the first checkpoint from step ${switchAt}`);
      }),
      { numRuns: 200 },
    );
  });

  it("keep what merge, the window function or an accumulator kept by the window function change from reaching any other window", async () => {
    const h = await open(aggregating(SlidingEventTimeWindows.of(10, 5), { lateness: 20 }, { kind: "aggregate", aggregate: summing as never }, true));
    h.element(ev("a", 1), 3).element(ev("a", 10), 7).element(ev("a", 100), 12);
    h.watermark(9).watermark(14).element(ev("a", 1000), 8).watermark(100);
    // One accumulator per window would show the -1000 the function left in [0,10) when it fires again; panes are merged anew.
    assert.deepEqual(h.take(), ["a [-5,5) 1/1", "a [0,10) 11/2", "a [5,15) 110/2", "a [5,15) 1110/3", "a [0,10) 1011/3", "a [10,20) 100/1"]);
  });

  it("add each element once, without a copy, and leave no state nor timer once the windows are over", async () => {
    const kept: Ev[] = [];
    const keeping: AggregateFunction<Ev, Ev[], number> = {
      createAccumulator: () => [],
      add: (e, acc) => {
        kept.push(e);
        acc.push(e);
        return acc;
      },
      getResult: (acc) => acc.length,
      merge: (a, b) => [...a, ...b],
    };
    const h = await open(folding(SlidingEventTimeWindows.of(10, 5), { kind: "aggregate", aggregate: keeping as never }, { lateness: 3 }));
    h.element(ev("a", 1), 7).element(ev("a", 2), 8).element(ev("b", 3), 12);
    assert.equal(kept.length, 3, "one add per element, where one accumulator per window adds it to both its windows");
    assert.equal(h.entries("_window-panes:5@0"), 2);
    h.watermark(9); // [0,10) fires, kept 3 ms more for late elements
    assert.deepEqual(h.take(), [2]);
    h.element(ev("a", 4), 6); // late within lateness: [0,10) fires again, [5,15) takes it too
    assert.deepEqual(h.take(), [3]);
    h.watermark(100);
    // Windows of several keys ending at one time fire in no order the two paths share.
    assert.deepEqual(h.take().sort(), [1, 1, 3]);
    assert.equal(h.entries("_window-panes:5@0"), 0);
    assert.equal(h.timers(), 0);
  });

  it("are not used for aggregate functions without merge, other triggers, evictors or panes that would not pay", async () => {
    const { merge: _, ...withoutMerge } = summing;
    const cases: WindowOperatorSpec<Ev, unknown, string, Window>[] = [
      aggregating(SlidingEventTimeWindows.of(10, 5), {}, { kind: "aggregate", aggregate: withoutMerge as never }),
      aggregating(SlidingEventTimeWindows.of(10, 5), { trigger: CountTrigger.of(1) as never }, { kind: "aggregate", aggregate: summing as never }),
      aggregating(SlidingEventTimeWindows.of(10, 5), { evictor: CountEvictor.of(5) as never }, { kind: "aggregate", aggregate: summing as never }),
      aggregating(SlidingEventTimeWindows.of(10, 3), {}, { kind: "aggregate", aggregate: summing as never }),
      folding(SlidingEventTimeWindows.of(10, 5), { kind: "reduce", reduce: sumInPlace }) as never,
    ];
    for (const spec of cases) {
      const h = await open(spec);
      h.element(ev("a", 1), 7);
      assert.ok(h.entries("_window-contents") >= 2, `${String(spec.assigner)} ${spec.contents.kind}`);
    }
  });

  it("refuse a checkpoint with panes restored into a window that keeps one state per window, or into panes of another layout", async () => {
    const panes = await open(aggregating(SlidingEventTimeWindows.of(10, 5), {}, { kind: "aggregate", aggregate: summing as never }));
    panes.element(ev("a", 1), 7);
    const checkpoint = panes.checkpoint();
    const into = (spec: WindowOperatorSpec<Ev, unknown, string, Window>) => WindowHarness.open(spec, key, { restoreFrom: checkpoint });
    await assert.rejects(into(aggregating(SlidingEventTimeWindows.of(10, 5), { trigger: new EventTimeDecisions() }, { kind: "aggregate", aggregate: summing as never })), {
      code: "WEIR_ERR_CHECKPOINT_MISMATCH",
      message: /holds the panes of sliding windows.*keeps one state per window/,
    });
    await assert.rejects(into(aggregating(SlidingEventTimeWindows.of(10, 2), {}, { kind: "aggregate", aggregate: summing as never })), {
      code: "WEIR_ERR_CHECKPOINT_MISMATCH",
      message: /panes of another layout \(state '_window-panes:5@0', this window's is '_window-panes:2@0'\)/,
    });
  });
});
