/**
 * Runs the hand-written baseline loop over every `stride`-th event from `offset`, and reports its
 * time. An untimed run over the first `warmUpEvents` of them compiles the loop first; then the
 * thread says "ready" and waits for "go", so that the threads of one measurement start together
 * and the process's CPU time between "go" and the last report is the timed loops' alone.
 */
import { parentPort, workerData } from "node:worker_threads";
import { NexmarkConfig, nexmarkEvent } from "../src/index.ts";
import { baselineLoop, type QueryName } from "./queries.ts";

const { query, events, offset, stride, warmUpEvents } = workerData as { query: QueryName; events: number; offset: number; stride: number; warmUpEvents: number };
const config = new NexmarkConfig();
const share = Math.ceil((events - offset) / stride);
const next = (i: number) => nexmarkEvent(offset + i * stride, config);
baselineLoop(query, Math.min(share, warmUpEvents), next);
parentPort!.once("message", () => {
  const start = performance.now();
  baselineLoop(query, share, next);
  parentPort!.postMessage(performance.now() - start);
});
parentPort!.postMessage("ready");
