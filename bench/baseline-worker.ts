/**
 * Runs the hand-written baseline loop over every `stride`-th event from `offset`, and reports its
 * time. An untimed run over the first `warmUpEvents` of them compiles the loop first; then the
 * thread says "ready" and waits for "go", so that the threads of one measurement start together
 * and the process's CPU time between "go" and the last report is the timed loops' alone.
 * With `ports` (one per thread, none at this thread's index), the keyed count runs exchanging
 * records with the other threads (./queries/keyed-count-exchange.ts), and reports what it emitted.
 */
import type { MessagePort } from "node:worker_threads";
import { parentPort, workerData } from "node:worker_threads";
import { NexmarkConfig, nexmarkEvent } from "../src/index.ts";
import { baselineLoop, type QueryName } from "./queries.ts";
import { keyedCountExchanging } from "./queries/keyed-count-exchange.ts";

const { query, events, offset, stride, warmUpEvents, ports } = workerData as {
  query: QueryName;
  events: number;
  offset: number;
  stride: number;
  warmUpEvents: number;
  ports?: (MessagePort | undefined)[];
};
const config = new NexmarkConfig();
const share = Math.ceil((events - offset) / stride);
const next = (i: number) => nexmarkEvent(offset + i * stride, config);
const run = (count: number): number => (ports === undefined ? baselineLoop(query, count, next) : keyedCountExchanging(count, next, { self: offset, ports }));
run(Math.min(share, warmUpEvents));
parentPort!.once("message", () => {
  const start = performance.now();
  const emitted = run(share);
  parentPort!.postMessage({ ms: performance.now() - start, emitted });
});
parentPort!.postMessage("ready");
