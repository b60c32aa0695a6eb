/**
 * The interval join as a user builds it: `keyBy(...).intervalJoin(other.keyBy(...)).between(...)`
 * with Flink's options, refused bounds, and jobs run on one thread and on worker threads.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AVAILABLE,
  KeyedProcessFunction,
  OutputTag,
  ProcessJoinFunction,
  StreamExecutionEnvironment,
  Watermark,
  WatermarkStrategy,
  WeirError,
  defineJob,
  runJob,
  type Collector,
  type DataStream,
  type InputStatus,
  type IntervalJoin,
  type KeyedContext,
  type ProcessJoinContext,
  type Source,
  type SourceOutput,
} from "../../src/index.ts";

interface Click {
  readonly user: string;
  readonly at: number;
  readonly page: string;
}

interface Order {
  readonly user: string;
  readonly at: number;
  readonly item: string;
}

/** Orders placed within 0..5 ms after a click of the same user, said as "page→item@timestamp". */
class ClickToOrder extends ProcessJoinFunction<Click, Order, string> {
  processElement(click: Click, order: Order, ctx: ProcessJoinContext, out: Collector<string>): void {
    out.collect(`${click.user}: ${click.page}→${order.item}@${ctx.getTimestamp()}`);
  }
}

const CLICKS: Click[] = [
  { user: "ann", at: 10, page: "shoes" },
  { user: "bob", at: 11, page: "hats" },
  { user: "ann", at: 20, page: "socks" },
];
const ORDERS: Order[] = [
  { user: "ann", at: 10, item: "boots" }, // 0 after ann's click at 10
  { user: "ann", at: 15, item: "laces" }, // 5 after the click at 10: on the upper bound
  { user: "bob", at: 9, item: "cap" }, // before bob's click
  { user: "bob", at: 12, item: "beret" },
  { user: "ann", at: 21, item: "wool" },
];

function streams(env: StreamExecutionEnvironment): { clicks: DataStream<Click>; orders: DataStream<Order> } {
  return {
    clicks: env.fromElements(...CLICKS).assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Click>().withTimestampAssigner((c) => c.at)),
    orders: env.fromElements(...ORDERS).assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Order>(20).withTimestampAssigner((o) => o.at)),
  };
}

const monotonous = <T extends { at: number }>() => WatermarkStrategy.forMonotonousTimestamps<T>().withTimestampAssigner((r) => r.at);

/** A bounded source of `first`, then of `then` once `gate` has resolved. */
function heldBack<T>(first: readonly T[], gate: Promise<void>, then: readonly T[]): Source<T> {
  return {
    boundedness: "bounded",
    createReader: () => {
      const records = [...first, ...then];
      let next = 0;
      let open = false;
      void gate.then(() => (open = true));
      const waiting = () => next === first.length && !open;
      return {
        pollNext(output: SourceOutput<T>, maxRecords: number): InputStatus {
          for (let n = 0; n < maxRecords && next < records.length && !waiting(); n++) output.collect(records[next++]!);
          if (next === records.length) return "end-of-input";
          return waiting() ? "nothing-available" : "more-available";
        },
        isAvailable: () => (waiting() ? gate : AVAILABLE),
      };
    },
  };
}

function isWeirError(code: string) {
  return (e: unknown) => e instanceof WeirError && e.code === code;
}

/** Clicks joined with orders by user as `build` says, run on one thread; what the join emitted, sorted. */
async function joinClicksWithOrders(build: (join: IntervalJoin<Click, Order, string>) => DataStream<string>, parallelism = 1): Promise<string[]> {
  const job = defineJob((env) => {
    const { clicks, orders } = streams(env);
    build(clicks.keyBy((c) => c.user).intervalJoin(orders.keyBy((o) => o.user))).collect("out");
  });
  const result = await runJob(job, { runtime: "single-thread", parallelism });
  return result.collected<string>("out").sort();
}

describe("KeyedStream.intervalJoin", () => {
  for (const parallelism of [1, 3]) {
    it(`pairs each click with the same user's orders 0..5 ms after it, bounds included (p=${parallelism})`, { timeout: 30_000 }, async () => {
      const joined = await joinClicksWithOrders((join) => join.between(0, 5).process(new ClickToOrder()), parallelism);
      assert.deepEqual(joined, ["ann: shoes→boots@10", "ann: shoes→laces@15", "ann: socks→wool@21", "bob: hats→beret@12"]);
    });
  }

  it("leaves out the orders exactly on a bound made exclusive", async () => {
    const joined = await joinClicksWithOrders((join) => join.between(0, 5).lowerBoundExclusive().upperBoundExclusive().process(new ClickToOrder()));
    assert.deepEqual(joined, ["ann: socks→wool@21", "bob: hats→beret@12"]);
  });

  it("gives results the larger timestamp of the pair, which a process function downstream sees", async () => {
    const joined = await joinClicksWithOrders((join) =>
      join
        .between(-5, 0)
        .process((click: Click, order: Order, ctx: ProcessJoinContext, out: Collector<string>) => out.collect(`${click.at}/${order.at}: ${ctx.getLeftTimestamp()}/${ctx.getRightTimestamp()}`))
        .process({ processElement: (s: string, ctx, out: Collector<string>) => out.collect(`${s} → ${ctx.timestamp()}`) }),
    );
    assert.deepEqual(joined, ["10/10: 10/10 → 10", "11/9: 11/9 → 11", "20/15: 20/15 → 20"]);
  });

  it("leaves out the pairs on an exclusive bound that is not a whole number of milliseconds", async () => {
    const job = defineJob((env) => {
      const clicks = env.fromElements<Click>({ user: "ann", at: 10, page: "shoes" }).assignTimestampsAndWatermarks(monotonous<Click>());
      const orders = env
        .fromElements<Order>({ user: "ann", at: 10, item: "boots" }, { user: "ann", at: 10.25, item: "laces" }, { user: "ann", at: 10.5, item: "socks" })
        .assignTimestampsAndWatermarks(monotonous<Order>());
      clicks
        .keyBy((c) => c.user)
        .intervalJoin(orders.keyBy((o) => o.user))
        .between(0, 0.5)
        .upperBoundExclusive()
        .process(new ClickToOrder())
        .collect("out");
    });
    const result = await runJob(job, { runtime: "single-thread", parallelism: 1 });
    assert.deepEqual(result.collected<string>("out").sort(), ["ann: shoes→boots@10", "ann: shoes→laces@10.25"]);
  });

  it("sends the records that arrive behind the join's watermark to the side outputs named for each side, read with getSideOutput", async () => {
    const lateClicks = new OutputTag<Click>("late-clicks");
    const lateOrders = new OutputTag<Order>("late-orders");
    // The records at 3 and 2 are held back until the join has shown it passed watermark 10: the
    // pair at 10 sets an event-time timer downstream, which fires once the join's watermark
    // (the smaller of its inputs') reaches 10. Lateness then depends on no timing.
    let watermarkPassed10!: () => void;
    const gate = new Promise<void>((resolve) => (watermarkPassed10 = resolve));
    const job = defineJob((env) => {
      const atEachEvent = <T extends { at: number }>() =>
        WatermarkStrategy.forGenerator<T>(() => ({ onEvent: (_e, ts, out) => out.emitWatermark(new Watermark(ts)), onPeriodicEmit: () => {} })).withTimestampAssigner((r) => r.at);
      const clicks = env.fromSource(heldBack<Click>([{ user: "ann", at: 10, page: "a" }], gate, [{ user: "ann", at: 3, page: "late" }]), atEachEvent<Click>(), "clicks");
      const orders = env.fromSource(heldBack<Order>([{ user: "ann", at: 10, item: "x" }], gate, [{ user: "ann", at: 2, item: "late" }]), atEachEvent<Order>(), "orders");
      const joined = clicks
        .keyBy((c) => c.user)
        .intervalJoin(orders.keyBy((o) => o.user))
        .between(-100, 100)
        .sideOutputLeftLateData(lateClicks)
        .sideOutputRightLateData(lateOrders)
        .process(new ClickToOrder());
      joined.collect("joined");
      joined
        .keyBy(() => "all")
        .process(
          new (class extends KeyedProcessFunction<string, string, never> {
            processElement(_pair: string, ctx: KeyedContext<string>): void {
              ctx.timerService().registerEventTimeTimer(ctx.timestamp()!);
            }
            override onTimer(): void {
              watermarkPassed10();
            }
          })(),
        );
      joined.getSideOutput(lateClicks).map((c) => `${c.page}@${c.at}`).collect("late-clicks");
      joined.getSideOutput(lateOrders).map((o) => `${o.item}@${o.at}`).collect("late-orders");
    });
    const result = await runJob(job, { runtime: "single-thread", parallelism: 1 });
    // Either record at 3 or 2 would have joined the other side's record at 10 had it not been late.
    assert.deepEqual(result.collected<string>("joined"), ["ann: a→x@10"]);
    assert.deepEqual(result.collected<string>("late-clicks"), ["late@3"]);
    assert.deepEqual(result.collected<string>("late-orders"), ["late@2"]);
  });

  it("refuses a lower bound above the upper bound, and bounds that are not finite numbers, while the job is built", () => {
    const env = new StreamExecutionEnvironment({ parallelism: 1 });
    const { clicks, orders } = streams(env);
    const join = clicks.keyBy((c) => c.user).intervalJoin(orders.keyBy((o) => o.user));
    assert.throws(() => join.between(5, 1), (e: unknown) => isWeirError("WEIR_ERR_INVALID_WINDOW")(e) && /lower bound must not be above the upper bound/.test((e as Error).message));
    assert.throws(() => join.between(Number.NaN, 1), isWeirError("WEIR_ERR_INVALID_WINDOW"));
    assert.throws(() => join.between(0, Number.POSITIVE_INFINITY), isWeirError("WEIR_ERR_INVALID_WINDOW"));
    assert.doesNotThrow(() => join.between(-3, -3));
  });

  it("refuses a late-data tag that is not an OutputTag, and another stream that is not keyed", () => {
    const env = new StreamExecutionEnvironment({ parallelism: 1 });
    const { clicks, orders } = streams(env);
    const joined = clicks.keyBy((c) => c.user).intervalJoin(orders.keyBy((o) => o.user)).between(0, 1);
    assert.throws(() => joined.sideOutputLeftLateData("late" as unknown as OutputTag<Click>), isWeirError("WEIR_ERR_INVALID_OUTPUT_TAG"));
    assert.throws(() => clicks.keyBy((c) => c.user).intervalJoin(orders as never), isWeirError("WEIR_ERR_INVALID_ARGUMENT"));
  });

  it("fails the job with WEIR_ERR_MISSING_TIMESTAMP when an input has no timestamps", async () => {
    const job = defineJob((env) => {
      const clicks = env.fromElements(...CLICKS);
      const orders = env.fromElements(...ORDERS);
      clicks
        .keyBy((c) => c.user)
        .intervalJoin(orders.keyBy((o) => o.user))
        .between(0, 5)
        .process(new ClickToOrder())
        .collect("out");
    });
    await assert.rejects(runJob(job, { runtime: "single-thread", parallelism: 1 }), (e: unknown) => isWeirError("WEIR_ERR_MISSING_TIMESTAMP")(e) && /record has no timestamp/.test((e as Error).message));
  });
});
