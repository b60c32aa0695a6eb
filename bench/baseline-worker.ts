/** Runs the hand-written baseline loop over every `stride`-th event from `offset`, and reports its time. */
import { parentPort, workerData } from "node:worker_threads";
import { NexmarkConfig, nexmarkEvent } from "../src/index.ts";
import { baselineLoop, type QueryName } from "./queries.ts";

const { query, events, offset, stride } = workerData as { query: QueryName; events: number; offset: number; stride: number };
const config = new NexmarkConfig();
const start = performance.now();
baselineLoop(query, Math.ceil((events - offset) / stride), (i) => nexmarkEvent(offset + i * stride, config));
parentPort!.postMessage(performance.now() - start);
