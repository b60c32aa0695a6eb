/**
 * The benchmark's queries, each defined once as per-event work that both the engine pipeline and
 * the hand-written single-thread baseline call, so the two do exactly the same work.
 * q0: pass-through of bids. q1: bid price converted from dollars to euros. q2: bids on every
 * 123rd auction, projected to (auction, price). keyed-count: bids counted per auction, through
 * keyBy, emitting the auction's running count. q3 (a join of sellers and their auctions) is
 * ./queries/q3.ts; the windowed queries (q5, q7, q8) live in ./queries/, one module each, and are
 * registered here. The benchmark checks the results of q3 and the windowed queries against the loop's.
 */
import { KeyedProcessFunction, ValueStateDescriptor } from "../src/index.ts";
import type { Bid, Collector, DataStream, DataStreamSink, KeyedContext, NexmarkEvent, RuntimeContext, Sink, ValueState } from "../src/index.ts";
import { addQ3, q3Loop } from "./queries/q3.ts";
import { addWindowedQuery, isWindowedQuery, WINDOWED_QUERY_NAMES, windowedLoop, type WindowedQueryName } from "./queries/windowed.ts";

export type QueryName = "q0" | "q1" | "q2" | "keyed-count" | "q3" | WindowedQueryName;
export const QUERY_NAMES: readonly QueryName[] = ["q0", "q1", "q2", "keyed-count", "q3", ...WINDOWED_QUERY_NAMES];

export const isBid = (e: NexmarkEvent): e is Bid => e.kind === "bid";
export const passThrough = (b: Bid): Bid => b;
export const toEuros = (b: Bid): Bid => ({ ...b, price: Math.round(b.price * 0.908) });
export const onEvery123rdAuction = (e: NexmarkEvent): boolean => e.kind === "bid" && e.auction % 123 === 0;
export const auctionAndPrice = (e: NexmarkEvent): { auction: number; price: number } => {
  const b = e as Bid;
  return { auction: b.auction, price: b.price };
};

export interface AuctionCount {
  readonly auction: number;
  readonly count: number;
}

export class CountBidsPerAuction extends KeyedProcessFunction<number, Bid, AuctionCount> {
  private count!: ValueState<number>;
  override open(context: RuntimeContext): void {
    this.count = context.getState(new ValueStateDescriptor<number>("count"));
  }
  processElement(bid: Bid, _ctx: KeyedContext<number>, out: Collector<AuctionCount>): void {
    const count = (this.count.value() ?? 0) + 1;
    this.count.update(count);
    out.collect({ auction: bid.auction, count });
  }
}

/** Appends the query to `events` and ends it in `sink`. */
export function addQuery(query: QueryName, events: DataStream<NexmarkEvent>, sink: Sink<unknown>): DataStreamSink {
  if (isWindowedQuery(query)) return addWindowedQuery(query, events, sink);
  switch (query) {
    case "q0":
      return events.filter(isBid).map(passThrough).sinkTo(sink);
    case "q1":
      return events.filter(isBid).map(toEuros).sinkTo(sink);
    case "q2":
      return events.filter(onEvery123rdAuction).map(auctionAndPrice).sinkTo(sink);
    case "keyed-count":
      return events
        .filter(isBid)
        .keyBy((b) => b.auction)
        .process(new CountBidsPerAuction())
        .sinkTo(sink);
    case "q3":
      return addQ3(events, sink);
  }
}

/** The same work as `queryPipeline`, as one plain loop over pre-made events' generator. */
export function baselineLoop(query: QueryName, events: number, next: (i: number) => NexmarkEvent): number {
  if (query === "q3") return q3Loop(events, next).length;
  if (isWindowedQuery(query)) return windowedLoop(query, events, next).length;
  let emitted = 0;
  let sink: unknown;
  const counts = new Map<number, number>();
  for (let i = 0; i < events; i++) {
    const e = next(i);
    switch (query) {
      case "q0":
        if (isBid(e)) sink = passThrough(e);
        break;
      case "q1":
        if (isBid(e)) sink = toEuros(e);
        break;
      case "q2":
        if (onEvery123rdAuction(e)) sink = auctionAndPrice(e);
        break;
      case "keyed-count":
        if (isBid(e)) {
          const count = (counts.get(e.auction) ?? 0) + 1;
          counts.set(e.auction, count);
          sink = { auction: e.auction, count } satisfies AuctionCount;
        }
        break;
    }
    if (sink !== undefined) emitted++;
    sink = undefined;
  }
  return emitted;
}
