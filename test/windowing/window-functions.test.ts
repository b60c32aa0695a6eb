import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Collector } from "../../src/api/functions.ts";
import { OutputTag } from "../../src/api/output-tag.ts";
import {
  ProcessWindowFunction,
  iterableProcessWindowFunction,
  iterableWindowFunction,
  passThroughWindowFunction,
  singleValueProcessWindowFunction,
  singleValueWindowFunction,
  type ProcessWindowFunctionContext,
} from "../../src/windowing/window-functions.ts";
import type { KeyedStateStore } from "../../src/api/functions.ts";
import { TimeWindow } from "../../src/windowing/windows.ts";

const window = new TimeWindow(0, 1000);
const noState = {} as KeyedStateStore;

function contextFor(sideOutputs: [string, unknown][] = []): ProcessWindowFunctionContext<TimeWindow> {
  return {
    window: () => window,
    currentProcessingTime: () => 5,
    currentWatermark: () => 999,
    windowState: () => noState,
    globalState: () => noState,
    output: (tag, value) => void sideOutputs.push([tag.id, value]),
  };
}

function collector<T>(): Collector<T> & { items: T[] } {
  const items: T[] = [];
  return { items, collect: (v) => void items.push(v) };
}

class CountPerWindow extends ProcessWindowFunction<number, string, string, TimeWindow> {
  cleared = 0;
  process(key: string, context: ProcessWindowFunctionContext<TimeWindow>, elements: Iterable<number>, out: Collector<string>): void {
    const all = [...elements];
    if (all.length === 0) context.output(new OutputTag<string>("empty"), key);
    out.collect(`${key}@${context.window().start}-${context.window().end} wm=${context.currentWatermark()}: ${all.join(",")}`);
  }
  override clear(): void {
    this.cleared++;
  }
}

describe("window function adapters", () => {
  it("a ProcessWindowFunction gets the key, a context of the window and all elements; clear reaches it", () => {
    const fn = new CountPerWindow();
    const internal = iterableProcessWindowFunction(fn);
    const out = collector<string>();
    internal.process("k", window, contextFor(), [1, 2, 3], out);
    internal.clear(window, contextFor());
    assert.deepEqual(out.items, ["k@0-1000 wm=999: 1,2,3"]);
    assert.equal(fn.cleared, 1);
    assert.equal(internal.userFunction, fn);
  });

  it("a pre-aggregated value reaches a ProcessWindowFunction as a one-element iterable", () => {
    const out = collector<string>();
    singleValueProcessWindowFunction(new CountPerWindow()).process("k", window, contextFor(), 42, out);
    assert.deepEqual(out.items, ["k@0-1000 wm=999: 42"]);
  });

  it("side outputs go through the context with their tag", () => {
    const side: [string, unknown][] = [];
    iterableProcessWindowFunction(new CountPerWindow()).process("k", window, contextFor(side), [], collector());
    assert.deepEqual(side, [["empty", "k"]]);
  });

  it("a WindowFunction, as a function or an object with apply, gets the key, the window and the elements", () => {
    const out = collector<string>();
    iterableWindowFunction<number, string, string, TimeWindow>((key, w, input, o) => o.collect(`${key} ${w.end} ${[...input].length}`)).process("a", window, contextFor(), [1, 2], out);
    const object = { apply: (key: string, w: TimeWindow, input: Iterable<number>, o: Collector<string>) => o.collect(`${key} ${w.start} ${[...input].join("+")}`) };
    const wrapped = singleValueWindowFunction(object);
    wrapped.process("b", window, contextFor(), 7, out);
    assert.deepEqual(out.items, ["a 1000 2", "b 0 7"]);
    assert.equal(wrapped.userFunction, object);
  });

  it("without a window function the pre-aggregated value is emitted as it is", () => {
    const out = collector<{ n: number }>();
    passThroughWindowFunction<{ n: number }, string, TimeWindow>().process("k", window, contextFor(), { n: 3 }, out);
    assert.deepEqual(out.items, [{ n: 3 }]);
  });
});
