/**
 * Nexmark q7, highest bid: per tumbling window of event time, the bid(s) with the highest price
 * (every bid that ties it). The engine keeps, per window, the highest bids so far
 * (`windowAll(...).aggregate`); the loop does the same with one window open at a time.
 */
import { TumblingEventTimeWindows } from "../../src/index.ts";
import type { Bid, Collector, NexmarkEvent } from "../../src/index.ts";
import { windowStartOf } from "./event-time.ts";
import { highestBy, noneYet, offer, type Highest } from "./highest.ts";
import type { WindowedQuery } from "./windowed-query.ts";

/** 2 s: 100 windows in 2M events at the generator's 10,000 events per second of event time. */
export const Q7_WINDOW_MS = 2_000;

/** A result: the bid's fields (Flink's q7 selects these). */
export interface HighestBid {
  readonly auction: number;
  readonly price: number;
  readonly bidder: number;
  readonly dateTime: number;
  readonly extra: string;
}

const isBid = (e: NexmarkEvent): e is Bid => e.kind === "bid";
const highestBid = (b: Bid): HighestBid => ({ auction: b.auction, price: b.price, bidder: b.bidder, dateTime: b.dateTime, extra: b.extra });
const eachHighestBid = (bids: Bid[], out: Collector<HighestBid>): void => {
  for (const b of bids) out.collect(highestBid(b));
};

export const q7HighestBid: WindowedQuery<HighestBid> = {
  addTo: (events, sink) =>
    events
      .filter(isBid)
      .windowAll(TumblingEventTimeWindows.of(Q7_WINDOW_MS))
      .aggregate(highestBy<Bid>((b) => b.price))
      .flatMap(eachHighestBid)
      .sinkTo(sink),

  loop: (events, next) => {
    const results: HighestBid[] = [];
    const emit = (highest: Highest<Bid>) => {
      for (const b of highest.items) results.push(highestBid(b));
    };
    let start = Number.NaN;
    let highest = noneYet<Bid>();
    for (let i = 0; i < events; i++) {
      const e = next(i);
      if (!isBid(e)) continue;
      const s = windowStartOf(e.dateTime, Q7_WINDOW_MS);
      if (s !== start) {
        emit(highest);
        highest = noneYet();
        start = s;
      }
      offer(highest, e, e.price);
    }
    emit(highest);
    return results;
  },
};
