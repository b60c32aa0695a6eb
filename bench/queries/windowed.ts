/**
 * The windowed Nexmark queries of the throughput benchmark (q5, q7, q8), each with the loop whose
 * results the benchmark checks the engine's against.
 */
import { NexmarkConfig, nexmarkEvent } from "../../src/index.ts";
import type { DataStream, DataStreamSink, NexmarkEvent, Sink } from "../../src/index.ts";
import { NEXMARK_EVENT_TIME } from "./event-time.ts";
import { q5HotItems } from "./q5-hot-items.ts";
import { q7HighestBid } from "./q7-highest-bid.ts";
import { q8NewUsers } from "./q8-new-users.ts";
import { canonical } from "./results.ts";
import type { WindowedQuery } from "./windowed-query.ts";

export type WindowedQueryName = "q5" | "q7" | "q8";
export const WINDOWED_QUERY_NAMES: readonly WindowedQueryName[] = ["q5", "q7", "q8"];

const QUERIES: Readonly<Record<WindowedQueryName, WindowedQuery<unknown>>> = { q5: q5HotItems, q7: q7HighestBid, q8: q8NewUsers };

export const isWindowedQuery = (query: string): query is WindowedQueryName => (WINDOWED_QUERY_NAMES as readonly string[]).includes(query);

/** Appends the query to the source's `events`, giving them event time first. */
export function addWindowedQuery(query: WindowedQueryName, events: DataStream<NexmarkEvent>, sink: Sink<unknown>): DataStreamSink {
  return QUERIES[query].addTo(events.assignTimestampsAndWatermarks(NEXMARK_EVENT_TIME), sink);
}

/** The hand-written loop's results over events 0 .. events-1. */
export function windowedLoop(query: WindowedQueryName, events: number, next: (i: number) => NexmarkEvent): unknown[] {
  return QUERIES[query].loop(events, next);
}

/** The loop's results over the benchmark's events 0 .. events-1 (default generator), canonical: what the engine's must equal. */
export function expectedResults(query: WindowedQueryName, events: number): string[] {
  const config = new NexmarkConfig();
  return windowedLoop(query, events, (i) => nexmarkEvent(i, config)).map(canonical);
}
