/**
 * Events per second of the Nexmark generator alone: the pure `nexmarkEvent` loop, and the
 * generator source's reader polled in batches of 1,000, whose ratio is the reader's overhead.
 * Usage: node --import tsx bench/nexmark-generator.ts [events]
 */
import { JobArgs } from "../src/api/job-args.ts";
import { systemClock } from "../src/core/clock.ts";
import { NexmarkConfig, nexmarkEvent, nexmarkSource, SplitOutputs } from "../src/sources/index.ts";
import type { NexmarkEvent } from "../src/sources/index.ts";

const events = Number(process.argv[2] ?? 5_000_000);
const rounds = 5;

function directLoop(): number {
  const config = new NexmarkConfig({ seed: 1 });
  let checksum = 0;
  for (let n = 0; n < events; n++) checksum += nexmarkEvent(n, config).dateTime & 1;
  return checksum;
}

function sourceLoop(): number {
  // The one reader of the source, given the one split its enumerator makes at parallelism 1.
  const reader = nexmarkSource({ events, seed: 1 }).createReader({
    subtaskIndex: 0,
    parallelism: 1,
    args: new JobArgs(),
    clock: systemClock,
    sendSplitRequest: () => {},
    sendSplitsFinished: () => {},
    sendSourceEventToCoordinator: () => {},
  });
  reader.addSplits([{ splitId: "0", next: 0, stride: 1, end: events }]);
  reader.notifyNoMoreSplits();
  let checksum = 0;
  const output = new SplitOutputs<NexmarkEvent>({ collect: (event) => (checksum += event.dateTime & 1) });
  while (reader.pollNext(output, 1000) !== "end-of-input");
  return checksum;
}

function best(name: string, run: () => number): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - start);
  }
  const rate = events / (fastest / 1000);
  console.log(`${name.padEnd(24)} ${(rate / 1e6).toFixed(2)} M events/s  (best of ${rounds}, ${events} events)`);
  return rate;
}

const direct = best("nexmarkEvent loop", directLoop);
const source = best("nexmarkSource reader", sourceLoop);
console.log(`reader / loop             ${((source / direct) * 100).toFixed(0)}%`);
