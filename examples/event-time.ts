/**
 * Event time: per-sensor averages over one-second windows of the time the readings were taken,
 * not the time they arrive. Readings come up to 500 ms out of order; a bounded out-of-orderness
 * watermark strategy says how late they may be, and an event-time timer per window emits the
 * window's average once the watermark has passed its end.
 *
 *   npx weir run examples/event-time.ts
 *   npx weir run examples/event-time.ts -- --readings 100000 --sensors 10
 *
 * Job arguments: --readings N (default 20000), --sensors K (default 4).
 */
import {
  KeyedProcessFunction,
  MapStateDescriptor,
  WatermarkStrategy,
  defineJob,
  generatorSource,
  type Collector,
  type KeyedContext,
  type MapState,
  type OnTimerContext,
  type RuntimeContext,
} from "weir";

interface Reading {
  readonly sensor: string;
  /** When the reading was taken, in milliseconds. */
  readonly takenAt: number;
  readonly celsius: number;
}

const WINDOW_MS = 1_000;

/** Sums and counts per window (keyed by the window's last millisecond) until the watermark passes it. */
class WindowAverage extends KeyedProcessFunction<string, Reading, string> {
  private windows!: MapState<number, { sum: number; n: number }>;

  override open(context: RuntimeContext): void {
    this.windows = context.getMapState(new MapStateDescriptor<number, { sum: number; n: number }>("windows"));
  }

  processElement(r: Reading, ctx: KeyedContext<string>, _out: Collector<string>): void {
    const end = Math.floor(r.takenAt / WINDOW_MS) * WINDOW_MS + WINDOW_MS - 1;
    if (end <= ctx.timerService().currentWatermark()) return; // too late: its window was emitted
    const w = this.windows.get(end) ?? { sum: 0, n: 0 };
    w.sum += r.celsius;
    w.n++;
    this.windows.put(end, w);
    ctx.timerService().registerEventTimeTimer(end);
  }

  override onTimer(end: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    const w = this.windows.get(end)!;
    out.collect(`${ctx.getCurrentKey()} [${end + 1 - WINDOW_MS}, ${end + 1}) ${(w.sum / w.n).toFixed(2)} °C over ${w.n} readings`);
    this.windows.remove(end);
  }
}

export default defineJob((env, args) => {
  const sensors = args.number("sensors", 4);
  const readings = generatorSource<Reading>({
    count: args.number("readings", 20_000),
    // 10 readings per millisecond of event time, each up to 500 ms late.
    generate: (i, random) => ({ sensor: `sensor-${i % sensors}`, takenAt: Math.max(0, Math.floor(i / 10) - random.nextInt(500)), celsius: 15 + random.nextInt(100) / 10 }),
  });
  env
    .fromSource(readings, WatermarkStrategy.forBoundedOutOfOrderness<Reading>(500).withTimestampAssigner((r) => r.takenAt), "readings")
    .keyBy((r) => r.sensor)
    .process(new WindowAverage())
    .name("Window average")
    .print();
});
