import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TumblingEventTimeWindows, EventTimeSessionWindows, ProcessWindowFunction, type Collector, type ProcessWindowFunctionContext, type TimeWindow } from "../../src/index.ts";
import { ev, runWindowed, type Ev } from "./window-job.ts";

class Describe extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowFunctionContext<TimeWindow>, elements: Iterable<Ev>, out: Collector<string>): void {
    const w = ctx.window();
    out.collect(`${key} [${w.start},${w.end}) ${[...elements].map((e) => e.v).join("+")}`);
  }
}

describe("smoke", () => {
  it("tumbling reduce", async () => {
    const out = await runWindowed([ev("a", 1, 1), ev("a", 7, 2), ev("b", 3, 5), ev("a", 12, 4)], (s) =>
      s.keyBy((e) => e.k).window(TumblingEventTimeWindows.of(10)).reduce((x, y) => ({ ...x, v: x.v + y.v })).map((e) => `${e.k}:${e.v}`),
    );
    assert.deepEqual(out.sort(), ["a:3", "a:4", "b:5"]);
  });
  it("sessions process + windowAll", async () => {
    const out = await runWindowed([ev("a", 1, 1), ev("a", 4, 2), ev("a", 20, 3), ev("a", 2, 9)], (s) =>
      s.keyBy((e) => e.k).window(EventTimeSessionWindows.withGap(5)).process(new Describe()),
    );
    assert.deepEqual(out.sort(), ["a [1,9) 1+2+9", "a [20,25) 3"]);
    const all = await runWindowed([ev("a", 1, 1), ev("b", 4, 2), ev("c", 12, 3)], (s) => s.windowAll(TumblingEventTimeWindows.of(10)).sum("v").map((e) => e.v));
    assert.deepEqual(all.sort(), [3, 3]);
  });
});
