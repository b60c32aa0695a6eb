/**
 * Event-time windows: clicks per page in tumbling ten-second windows of the time each click
 * happened, not the time it arrives. Clicks arrive up to two seconds out of order; a bounded
 * out-of-orderness watermark strategy says so, and each window is counted once the watermark
 * passes its end. The counts go to a committing file sink, so a job killed at any moment and
 * resumed with `--from latest` commits exactly the lines of a run without the failure: the
 * windows' contents are keyed state in its checkpoints, and the window timers with them.
 *
 *   npx weir run examples/window-count.ts -- --clicks 100000 --out /tmp/clicks
 *
 * Job arguments: --clicks N (default 20,000), --pages N (default 5), --rate N clicks per second
 * (default unlimited), --out DIR.
 */
import {
  ProcessWindowFunction,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  committingFileSink,
  defineJob,
  generatorSource,
  type AggregateFunction,
  type Collector,
  type ProcessWindowFunctionContext,
  type TimeWindow,
} from "weir";

export interface Click {
  readonly seq: number;
  readonly page: string;
  /** When the click happened, in milliseconds. */
  readonly at: number;
}

export const WINDOW_MS = 10_000;
/** How far out of order clicks arrive, at most. */
export const MAX_DELAY_MS = 2_000;

/** Click `seq`: one every 10 ms of event time, arriving up to MAX_DELAY_MS late (a deterministic delay). */
export const clickOf = (seq: number, pages: number): Click => ({
  seq,
  page: `page-${(seq * 7) % pages}`,
  at: Math.max(0, seq * 10 - ((seq * 7919) % MAX_DELAY_MS)),
});

/** Counts the clicks of a window. */
export const countClicks: AggregateFunction<Click, number, number> = {
  createAccumulator: () => 0,
  add: (_click, count) => count + 1,
  getResult: (count) => count,
  merge: (a, b) => a + b,
};

/** "page,window start,clicks" for each page and window. */
export class DescribeWindow extends ProcessWindowFunction<number, string, string, TimeWindow> {
  process(page: string, context: ProcessWindowFunctionContext<TimeWindow>, counts: Iterable<number>, out: Collector<string>): void {
    for (const count of counts) out.collect(`${page},${context.window().start},${count}`);
  }
}

export default defineJob((env, args) => {
  const clicks = args.number("clicks", 20_000, { min: 1, integer: true })!;
  const pages = args.number("pages", 5, { min: 1, integer: true })!;
  const rate = args.number("rate", undefined, { min: 1 });
  const out = args.string("out", "./.weir/window-count-out")!;
  env
    .fromSource(
      generatorSource<Click>({ count: clicks, eventsPerSecond: rate, generate: (seq) => clickOf(seq, pages) }),
      WatermarkStrategy.forBoundedOutOfOrderness<Click>(MAX_DELAY_MS).withTimestampAssigner((click) => click.at),
      "clicks",
    )
    .uid("clicks")
    .keyBy((click) => click.page)
    .window(TumblingEventTimeWindows.of(WINDOW_MS))
    .aggregate(countClicks, new DescribeWindow())
    .uid("clicks-per-window")
    .sinkTo(committingFileSink<string>({ dir: out }))
    .uid("counts");
});
