/**
 * What a windowed Nexmark query of the benchmark is: the engine's job, and a hand-written loop
 * that computes the same results, which the benchmark compares as multisets (./results.ts).
 */
import type { DataStream, DataStreamSink, NexmarkEvent, Sink } from "../../src/index.ts";

export interface WindowedQuery<R> {
  /** Appends the query to `events`, which carry event time (./event-time.ts), ending in `sink`. */
  addTo(events: DataStream<NexmarkEvent>, sink: Sink<R>): DataStreamSink;
  /**
   * The same results over events 0 .. events-1, `next(i)` making event i, in any order. Loops read
   * events in order and rely on what the generator guarantees within that order: timestamps
   * never decrease.
   */
  loop(events: number, next: (i: number) => NexmarkEvent): R[];
}
