/**
 * Nexmark q5, hot items: bids counted per auction in sliding windows of event time, then per
 * window the auction(s) with the most bids (every auction that ties it). The engine counts in a
 * keyed sliding window (`aggregate` with a ProcessWindowFunction that adds the window), then keys
 * the counts by their window and keeps the highest in a tumbling window of one slide, which holds
 * exactly the counts of one sliding window (they carry its last timestamp). The loop counts in
 * every window open at the bid's time and takes the highest when event time passes a window's end.
 */
import { ProcessWindowFunction, SlidingEventTimeWindows, TumblingEventTimeWindows } from "../../src/index.ts";
import type { Bid, Collector, NexmarkEvent, ProcessWindowFunctionContext, TimeWindow } from "../../src/index.ts";
import type { AggregateFunction } from "../../src/state/descriptors.ts";
import { windowStartOf } from "./event-time.ts";
import { highestBy, noneYet, offer } from "./highest.ts";
import type { WindowedQuery } from "./windowed-query.ts";

/** 10 s windows every 2 s (Flink's q5): each bid counts in 5 windows; 100 slides in 2M events. */
export const Q5_WINDOW_MS = 10_000;
export const Q5_SLIDE_MS = 2_000;

/** A result, and the count of one auction in one window before the highest are kept. */
export interface AuctionBids {
  readonly auction: number;
  readonly count: number;
  readonly windowStart: number;
  readonly windowEnd: number;
}

const isBid = (e: NexmarkEvent): e is Bid => e.kind === "bid";

const countBids: AggregateFunction<Bid, number, number> = {
  createAccumulator: () => 0,
  add: (_bid, count) => count + 1,
  getResult: (count) => count,
  merge: (a, b) => a + b,
};

/** The window's count of the auction, with the window. */
class AuctionBidsInWindow extends ProcessWindowFunction<number, AuctionBids, number, TimeWindow> {
  process(auction: number, context: ProcessWindowFunctionContext<TimeWindow>, counts: Iterable<number>, out: Collector<AuctionBids>): void {
    const { start, end } = context.window();
    for (const count of counts) out.collect({ auction, count, windowStart: start, windowEnd: end });
  }
}

/** Every count kept as the highest of its window. */
class EachHottest extends ProcessWindowFunction<AuctionBids[], AuctionBids, number, TimeWindow> {
  process(_windowEnd: number, _context: ProcessWindowFunctionContext<TimeWindow>, hottest: Iterable<AuctionBids[]>, out: Collector<AuctionBids>): void {
    for (const counts of hottest) for (const c of counts) out.collect(c);
  }
}

export const q5HotItems: WindowedQuery<AuctionBids> = {
  addTo: (events, sink) =>
    events
      .filter(isBid)
      .keyBy((b) => b.auction)
      .window(SlidingEventTimeWindows.of(Q5_WINDOW_MS, Q5_SLIDE_MS))
      .aggregate(countBids, new AuctionBidsInWindow())
      .keyBy((c) => c.windowEnd)
      .window(TumblingEventTimeWindows.of(Q5_SLIDE_MS))
      .aggregate(highestBy<AuctionBids>((c) => c.count), new EachHottest())
      .sinkTo(sink),

  loop: (events, next) => {
    if (Q5_WINDOW_MS % Q5_SLIDE_MS !== 0) throw new Error("the q5 loop needs a window size that is a multiple of the slide");
    const results: AuctionBids[] = [];
    // Counts per auction of each open window, by window start; windows open in increasing start.
    const open = new Map<number, Map<number, number>>();
    const fire = (start: number, counts: Map<number, number>) => {
      const hottest = noneYet<number>();
      for (const [auction, count] of counts) offer(hottest, auction, count);
      for (const auction of hottest.items) results.push({ auction, count: hottest.score, windowStart: start, windowEnd: start + Q5_WINDOW_MS });
    };
    for (let i = 0; i < events; i++) {
      const e = next(i);
      if (!isBid(e)) continue;
      const t = e.dateTime;
      for (const [start, counts] of open) {
        if (start + Q5_WINDOW_MS > t) break;
        fire(start, counts);
        open.delete(start);
      }
      const last = windowStartOf(t, Q5_SLIDE_MS);
      for (let start = last - Q5_WINDOW_MS + Q5_SLIDE_MS; start <= last; start += Q5_SLIDE_MS) {
        let counts = open.get(start);
        if (counts === undefined) open.set(start, (counts = new Map()));
        counts.set(e.auction, (counts.get(e.auction) ?? 0) + 1);
      }
    }
    for (const [start, counts] of open) fire(start, counts);
    return results;
  },
};
