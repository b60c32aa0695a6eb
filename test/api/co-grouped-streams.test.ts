/**
 * Window joins and co-groups as users write them: pairs per key and window, flat join functions,
 * both groups (one possibly empty) for a co-group, sliding windows, lifecycle hooks of function
 * objects, the timestamp of what they emit, and their window settings refused while the job is built.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  EventTimeSessionWindows,
  JoinFunction,
  KeyedProcessFunction,
  RichFlatJoinFunction,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  defineJob,
  runJob,
  type Collector,
  type DataStream,
  type KeyedContext,
  type RuntimeContext,
} from "../../src/index.ts";
import { FireOnEveryElement, punctuated } from "./window-job.ts";

interface Order {
  user: string;
  t: number;
  item: string;
  wm?: number;
}

interface Visit {
  user: string;
  t: number;
  page: string;
  wm?: number;
}

const orders: Order[] = [
  { user: "ada", t: 1, item: "tea" },
  { user: "bob", t: 2, item: "pen" },
  { user: "ada", t: 12, item: "cup" },
  { user: "eve", t: 3, item: "hat" },
];
const visits: Visit[] = [
  { user: "ada", t: 4, page: "home" },
  { user: "ada", t: 5, page: "shop" },
  { user: "bob", t: 15, page: "home" },
  { user: "ada", t: 18, page: "cart" },
];

/** Runs `build` on the orders and visits (timestamps from `t`) at parallelism 2; returns what "out" collected. */
async function run<O>(build: (orders: DataStream<Order>, visits: DataStream<Visit>) => DataStream<O>, o: Order[] = orders, v: Visit[] = visits): Promise<O[]> {
  const job = defineJob((env) => {
    const a = env.fromElements(...o).setParallelism(1).assignTimestampsAndWatermarks(punctuated<Order>()).setParallelism(1);
    const b = env.fromElements(...v).setParallelism(1).assignTimestampsAndWatermarks(punctuated<Visit>()).setParallelism(1);
    build(a, b).collect("out");
  });
  const result = await runJob(job, { runtime: "single-thread", parallelism: 2 });
  return result.collected<O>("out");
}

describe("a.join(b) on a window", () => {
  it("pairs the elements of both sides with one key in one window, and emits nothing where a side has none", async () => {
    const out = await run((a, b) =>
      a
        .join(b)
        .where((o) => o.user)
        .equalTo((v) => v.user)
        .window(TumblingEventTimeWindows.of(10))
        .apply((o, v) => `${o.user}: ${o.item} after ${v.page}`),
    );
    assert.deepEqual(out.sort(), ["ada: cup after cart", "ada: tea after home", "ada: tea after shop"]);
  });

  it("emits any number of results per pair from a flat join function object, opened before it runs", async () => {
    class Repeat {
      private times = 0;
      open(context: RuntimeContext): void {
        this.times = context.parallelism;
      }
      join(o: Order, v: Visit, out: Collector<string>): void {
        for (let i = 0; i < this.times; i++) out.collect(`${o.item}/${v.page}`);
      }
    }
    const out = await run((a, b) =>
      a
        .join(b)
        .where((o) => o.user)
        .equalTo((v) => v.user)
        .window(TumblingEventTimeWindows.of(10))
        .apply(new Repeat()),
    );
    assert.deepEqual(out.sort(), ["cup/cart", "cup/cart", "tea/home", "tea/home", "tea/shop", "tea/shop"]);
  });

  it("tells join functions from flat join functions by their class, whatever parameters their join declares", async () => {
    const none: Collector<string> = { collect: () => {} };
    // Extends JoinFunction: its result is emitted, though its join declares a third parameter.
    class WithHint extends JoinFunction<Order, Visit, string> {
      join(o: Order, v: Visit, hint?: string): string {
        return `${o.item}/${v.page}${hint ?? ""}`;
      }
    }
    // Extends FlatJoinFunction: it emits through out, though a default makes its join declare two parameters.
    class Twice extends RichFlatJoinFunction<Order, Visit, string> {
      join(o: Order, v: Visit, out: Collector<string> = none): void {
        out.collect(o.item);
        out.collect(v.page);
      }
    }
    // Implements JoinFunction (Flink's interface style): an object with join(first, second).
    class Pair implements JoinFunction<Order, Visit, string> {
      join(o: Order, v: Visit): string {
        return `${o.item}+${v.page}`;
      }
    }
    const tumbling = (a: DataStream<Order>, b: DataStream<Visit>) => a.join(b).where((o) => o.user).equalTo((v) => v.user).window(TumblingEventTimeWindows.of(10));
    const one = [{ user: "ada", t: 1, item: "tea" }];
    const other = [{ user: "ada", t: 2, page: "home" }];
    assert.deepEqual(await run((a, b) => tumbling(a, b).apply(new WithHint()), one, other), ["tea/home"]);
    assert.deepEqual(await run((a, b) => tumbling(a, b).apply(new Twice()), one, other), ["tea", "home"]);
    assert.deepEqual(await run((a, b) => tumbling(a, b).apply(new Pair()), one, other), ["tea+home"]);
    assert.deepEqual(await run((a, b) => tumbling(a, b).apply((o: Order, v: Visit, out: Collector<string>) => out.collect(`${o.item}>${v.page}`)), one, other), ["tea>home"]);
  });

  it("pairs elements in every sliding window they share, as Flink does", async () => {
    const out = await run(
      (a, b) =>
        a
          .join(b)
          .where((o) => o.user)
          .equalTo((v) => v.user)
          .window(SlidingEventTimeWindows.of(10, 5))
          .apply((o, v) => `${o.item}+${v.page}`),
      [{ user: "ada", t: 6, item: "tea" }],
      [{ user: "ada", t: 8, page: "home" }],
    );
    assert.deepEqual(out, ["tea+home", "tea+home"]);
  });

  it("emits its results with the window's max timestamp", async () => {
    class Stamp extends KeyedProcessFunction<string, string, string> {
      processElement(value: string, ctx: KeyedContext<string>, out: Collector<string>): void {
        out.collect(`${value} @${ctx.timestamp()}`);
      }
    }
    const out = await run((a, b) =>
      a
        .join(b)
        .where((o) => o.user)
        .equalTo((v) => v.user)
        .window(TumblingEventTimeWindows.of(10))
        .apply((o, v) => `${o.item}+${v.page}`)
        .keyBy((s) => s)
        .process(new Stamp()),
    );
    assert.deepEqual(out.sort(), ["cup+cart @19", "tea+home @9", "tea+shop @9"]);
  });
});

describe("a.coGroup(b) on a window", () => {
  it("hands over both sides' elements of each key and window, one side possibly empty", async () => {
    const out = await run((a, b) =>
      a
        .coGroup(b)
        .where((o) => o.user)
        .equalTo((v) => v.user)
        .window(TumblingEventTimeWindows.of(10))
        .apply((os: Iterable<Order>, vs: Iterable<Visit>, out: Collector<string>) => {
          const items = [...os].map((o) => o.item);
          const pages = [...vs].map((v) => v.page);
          out.collect(`${[...items, ...pages].join(",")} (${items.length} orders, ${pages.length} visits)`);
        }),
    );
    assert.deepEqual(out.sort(), ["cup,cart (1 orders, 1 visits)", "hat (1 orders, 0 visits)", "home (0 orders, 1 visits)", "pen (1 orders, 0 visits)", "tea,home,shop (1 orders, 2 visits)"]);
  });

  it("merges session windows of both sides", async () => {
    const out = await run(
      (a, b) =>
        a
          .coGroup(b)
          .where((o) => o.user)
          .equalTo((v) => v.user)
          .window(EventTimeSessionWindows.withGap(3))
          .apply({
            coGroup: (os: Iterable<Order>, vs: Iterable<Visit>, out: Collector<string>) => out.collect(`${[...os].length}+${[...vs].length}`),
          }),
      [{ user: "ada", t: 1, item: "tea" }, { user: "ada", t: 7, item: "cup" }],
      [{ user: "ada", t: 3, page: "home" }, { user: "ada", t: 5, page: "shop" }, { user: "ada", t: 20, page: "cart" }],
    );
    assert.deepEqual(out.sort(), ["0+1", "2+2"]);
  });
});

describe("joins and co-groups refuse while the job is built", () => {
  const env = () => new StreamExecutionEnvironment();
  it("a negative allowed lateness, a bad assigner, and a trigger that cannot merge on sessions", () => {
    const e = env();
    const a = e.fromElements<Order>(orders[0]!);
    const b = e.fromElements<Visit>(visits[0]!);
    const joined = () => a.join(b).where((o) => o.user).equalTo((v) => v.user);
    assert.throws(() => joined().window(TumblingEventTimeWindows.of(10)).allowedLateness(-1), { code: "WEIR_ERR_INVALID_WINDOW" });
    assert.throws(() => joined().window({} as never), { code: "WEIR_ERR_INVALID_WINDOW" });
    assert.throws(() => a.coGroup(b).where((o) => o.user).equalTo((v) => v.user).window(EventTimeSessionWindows.withGap(5)).trigger(new FireOnEveryElement()), { code: "WEIR_ERR_INVALID_WINDOW" });
    assert.throws(() => a.join(env().fromElements<Visit>(visits[0]!)), { code: "WEIR_ERR_INVALID_ARGUMENT" });
  });
});
