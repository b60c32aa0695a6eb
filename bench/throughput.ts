/**
 * The throughput benchmark: Nexmark q0, q1, q2, a keyed count and the windowed q5, q7, q8 at
 * parallelism 1 and 2, each with records protected (the default) and with object reuse, against a
 * hand-written single-thread loop doing the same work on the same generated events, measured in
 * the same run.
 * The same loop split over two threads (no engine, no exchange between them) shows how far this
 * machine lets two threads scale at that moment, the ceiling for parallelism 2; for the keyed
 * count, the same loop with each thread sending the records of the keys it does not own to their
 * thread shows what a keyed exchange costs code written for it.
 *
 * Order and pairing are ./throughput/plan.ts's (the loop warms up, then loop and engine
 * alternate); arithmetic is ./throughput/summary.ts's (medians and min–max over the repetitions,
 * ratios per pair). The engine's rate counts from the job's start (every task open) until the end
 * of input reached its sink; the time before it (start-up: starting worker threads and building
 * the job in each) and after it (stop: closing tasks and worker threads) are reported apart.
 * The results of q3 (a join) and of the windowed queries (q5, q7, q8) are checked after every
 * engine run: they must equal the loop's as multisets, or the benchmark stops with the difference.
 * Writes bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { NexmarkConfig, nexmarkEvent, runJob } from "../src/index.ts";
import { keptResults, processCpuMs, wallClockMs, type EndOfInputReport } from "./jobs/end-of-input-sink.ts";
import { END_OF_INPUT } from "./jobs/nexmark.ts";
import { baselineLoop, type QueryName } from "./queries.ts";
import { compareResults, describeDifference } from "./queries/results.ts";
import { q3ExpectedResults } from "./queries/q3.ts";
import { expectedResults, isWindowedQuery } from "./queries/windowed.ts";
import { formatSummary, table, type Summary } from "./stats.ts";
import { throughputPlan, type EngineConfig } from "./throughput/plan.ts";
import { halfOfEachSubtask, SECOND_HALF_QUERIES, secondHalfRates, type SecondHalfRates } from "./throughput/second-half.ts";
import { summarizeThroughput, type Sample, type SpreadFigure, type ThroughputResult } from "./throughput/summary.ts";

export type { ThroughputResult } from "./throughput/summary.ts";

export interface ThroughputOptions {
  /** Events per run. */
  readonly events: number;
  readonly reps: number;
  readonly queries: readonly QueryName[];
}

const JOB = new URL("./jobs/nexmark.ts", import.meta.url);
/** Events of the untimed loop run that compiles the loop before it is measured. */
const warmUpEvents = (events: number): number => Math.min(events, 1_000_000);

/** The loop's rate over wall-clock time and over the CPU time it used, and the records it emitted. */
function measureBaseline(query: QueryName, events: number): { eventsPerSecond: number; cpuEventsPerSecond: number; emitted: number } {
  const config = new NexmarkConfig();
  const cpu = processCpuMs();
  const start = performance.now();
  const emitted = baselineLoop(query, events, (i) => nexmarkEvent(i, config));
  return { eventsPerSecond: events / ((performance.now() - start) / 1000), cpuEventsPerSecond: events / ((processCpuMs() - cpu) / 1000), emitted };
}

/** What a run of the loop on threads measured. */
interface LoopRun {
  readonly eventsPerSecond: number;
  readonly cpuEventsPerSecond: number;
  /** The records the threads emitted together. */
  readonly emitted: number;
  /** The records each thread emitted. */
  readonly emittedPerThread: readonly number[];
}

/**
 * The loop on `threads` threads at once: its rate over wall-clock time (the slowest thread's) and
 * over the CPU time the process used from the threads' common start until the last finished.
 * With `exchange`, each thread owns a share of the keys and sends every other record to the
 * thread that owns it (./queries/keyed-count-exchange.ts), over a channel per pair of threads.
 */
export async function measureParallelBaseline(query: QueryName, events: number, threads: number, exchange = false): Promise<LoopRun> {
  const boot = new URL("./baseline-boot.mjs", import.meta.url);
  const ports: (MessagePort | undefined)[][] = Array.from({ length: threads }, () => new Array<MessagePort | undefined>(threads).fill(undefined));
  if (exchange) {
    for (let a = 0; a < threads; a++) {
      for (let b = a + 1; b < threads; b++) {
        const { port1, port2 } = new MessageChannel();
        ports[a]![b] = port1;
        ports[b]![a] = port2;
      }
    }
  }
  const workers = Array.from({ length: threads }, (_, offset) => {
    const own = ports[offset]!.filter((p): p is MessagePort => p !== undefined);
    const workerData = { query, events, offset, stride: threads, warmUpEvents: warmUpEvents(Math.ceil(events / threads)), ...(exchange ? { ports: ports[offset] } : {}) };
    return new Worker(boot, { workerData, transferList: own });
  });
  const reply = (worker: Worker): Promise<unknown> =>
    new Promise((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
  try {
    await Promise.all(workers.map(reply));
    const cpu = processCpuMs();
    const runs = (await Promise.all(
      workers.map((worker) => {
        const done = reply(worker);
        worker.postMessage("go");
        return done;
      }),
    )) as { ms: number; emitted: number }[];
    const cpuMs = processCpuMs() - cpu;
    return {
      eventsPerSecond: events / (Math.max(...runs.map((r) => r.ms)) / 1000),
      cpuEventsPerSecond: events / (cpuMs / 1000),
      emitted: runs.reduce((sum, r) => sum + r.emitted, 0),
      emittedPerThread: runs.map((r) => r.emitted),
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** Queries with a loop exchanging records between threads by key (the keyed exchange's ceiling). */
const EXCHANGE_LOOPS: ReadonlySet<QueryName> = new Set<QueryName>(["keyed-count"]);


interface EngineRun {
  readonly eventsPerSecond: number;
  readonly cpuEventsPerSecond: number;
  readonly startupMs: number;
  readonly stopMs: number;
  /** The records the job's sink kept (canonical), for the queries whose results are checked. */
  readonly results: string[] | undefined;
  /** The rates over the second half of the run, for the queries timed so. */
  readonly secondHalf: SecondHalfRates | undefined;
}

/** Runs the query in the engine; `markAfter` > 0: each sink subtask marks that many records, and the rest of the run is timed apart. */
async function measureEngine(query: QueryName, events: number, config: EngineConfig, markAfter: number): Promise<EngineRun> {
  const called = wallClockMs();
  let started = Number.NaN;
  let startedCpu = Number.NaN;
  const result = await runJob(JOB, {
    runtime: "threads",
    parallelism: config.parallelism,
    objectReuse: config.objectReuse,
    args: ["--query", query, "--events", String(events), "--mark-after", String(markAfter)],
    onStarted: () => {
      started = wallClockMs();
      startedCpu = processCpuMs();
    },
  });
  const ended = wallClockMs();
  const reports = result.collected<EndOfInputReport>(END_OF_INPUT);
  const endOfInput = Math.max(...reports.map((r) => r.endOfInputMs));
  // Process-wide CPU time only grows: the last subtask's report holds the CPU used until the end of input.
  const endOfInputCpu = Math.max(...reports.map((r) => r.cpuMs));
  return {
    eventsPerSecond: events / ((endOfInput - started) / 1000),
    cpuEventsPerSecond: events / ((endOfInputCpu - startedCpu) / 1000),
    startupMs: started - called,
    stopMs: ended - endOfInput,
    results: keptResults(reports),
    secondHalf: secondHalfRates(reports, events, markAfter),
  };
}

function checkResults(query: QueryName, config: EngineConfig, expected: readonly string[] | undefined, actual: readonly string[] | undefined): void {
  if (expected === undefined) return;
  const difference = compareResults(expected, actual ?? []);
  if (difference.unexpected.length === 0 && difference.missing.length === 0) return;
  const records = config.objectReuse ? "object reuse" : "records protected";
  throw new Error(`${query} at parallelism ${config.parallelism} (${records}): the engine's results differ from the loop's (${expected.length} records)\n${describeDifference(difference)}`);
}

/** Runs the benchmark, prints its table and writes bench/results/latest.json. */
export async function runThroughputBenchmark(options: ThroughputOptions): Promise<ThroughputResult[]> {
  const { events, reps, queries } = options;
  const cores = availableParallelism();
  console.log(`Nexmark throughput: ${events.toLocaleString("en")} events per run, ${reps} repetition(s), ${cores} cores\n`);
  const samples: Sample[] = [];
  let baseline = { eventsPerSecond: Number.NaN, cpuEventsPerSecond: Number.NaN, emitted: 0 };
  let parallelBaseline: { eventsPerSecond: number; cpuEventsPerSecond: number } | undefined;
  let singleThreadBaseline: LoopRun | undefined;
  let exchangeBaseline: LoopRun | undefined;
  let lastQuery: QueryName | undefined;
  let expected: string[] | undefined;
  for (const step of throughputPlan(queries, reps)) {
    switch (step.kind) {
      case "warm-up":
        if (lastQuery !== undefined) process.stderr.write(`  ${lastQuery} done\n`);
        lastQuery = step.query;
        measureBaseline(step.query, warmUpEvents(events));
        expected = step.query === "q3" ? q3ExpectedResults(events) : isWindowedQuery(step.query) ? expectedResults(step.query, events) : undefined;
        break;
      case "baseline":
        baseline = measureBaseline(step.query, events);
        parallelBaseline = undefined;
        singleThreadBaseline = undefined;
        exchangeBaseline = undefined;
        break;
      case "parallel-baseline":
        // The loop on one worker thread too: the CPU-time scaling compares threads alike (the loop
        // in this thread runs in a heap and with compiled code that earlier runs left behind).
        singleThreadBaseline = await measureParallelBaseline(step.query, events, 1);
        parallelBaseline = await measureParallelBaseline(step.query, events, step.config.parallelism);
        exchangeBaseline = undefined;
        if (EXCHANGE_LOOPS.has(step.query)) {
          exchangeBaseline = await measureParallelBaseline(step.query, events, step.config.parallelism, true);
          if (exchangeBaseline.emitted !== singleThreadBaseline.emitted) {
            throw new Error(`${step.query}: the loop exchanging records on ${step.config.parallelism} threads emitted ${exchangeBaseline.emitted} records, the loop on one thread ${singleThreadBaseline.emitted}`);
          }
        }
        break;
      case "engine": {
        const markAfter = SECOND_HALF_QUERIES.has(step.query) ? halfOfEachSubtask(baseline.emitted, step.config.parallelism) : 0;
        const { results, secondHalf, ...engine } = await measureEngine(step.query, events, step.config, markAfter);
        checkResults(step.query, step.config, expected, results);
        samples.push({
          query: step.query,
          config: step.config,
          rep: step.rep,
          baselineEventsPerSecond: baseline.eventsPerSecond,
          baselineCpuEventsPerSecond: baseline.cpuEventsPerSecond,
          ...(parallelBaseline === undefined
            ? {}
            : {
                parallelBaselineEventsPerSecond: parallelBaseline.eventsPerSecond,
                parallelBaselineCpuEventsPerSecond: parallelBaseline.cpuEventsPerSecond,
                ...(singleThreadBaseline === undefined ? {} : { workerBaselineCpuEventsPerSecond: singleThreadBaseline.cpuEventsPerSecond }),
                ...(exchangeBaseline === undefined ? {} : { exchangeBaselineCpuEventsPerSecond: exchangeBaseline.cpuEventsPerSecond }),
              }),
          ...engine,
          ...(secondHalf === undefined ? {} : { secondHalfEventsPerSecond: secondHalf.eventsPerSecond, secondHalfCpuEventsPerSecond: secondHalf.cpuEventsPerSecond }),
        });
        break;
      }
    }
  }
  if (lastQuery !== undefined) process.stderr.write(`  ${lastQuery} done\n`);

  const results = summarizeThroughput(samples, cores);
  console.log(report(results));
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(new URL("./results/latest.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
  console.log("\nwritten: bench/results/latest.json");
  return results;
}

/** A figure of a row as "median (min–max)" over the repetitions; empty when the row lacks it. */
function figure(r: ThroughputResult, name: SpreadFigure & keyof ThroughputResult, format: (v: number) => string): string {
  const median = r[name];
  const spread = r.spread[name];
  if (median === undefined || spread === undefined) return "";
  const summary: Summary = { median, ...spread };
  return formatSummary(summary, format);
}

const millions = (v: number) => (v / 1e6).toFixed(2);
const twoDigits = (v: number) => v.toFixed(2);
/** A row's first cells: query, parallelism, and whether records were protected or reused. */
const rowLabel = (r: ThroughputResult): string[] => [r.query, String(r.parallelism), r.objectReuse === true ? "reused" : "protected"];

/** The printed tables: every figure as "median (min–max)" over the repetitions. */
function report(results: readonly ThroughputResult[]): string {
  const ms = (v: number) => v.toFixed(0);
  const rows = results.map((r) => [
    ...rowLabel(r),
    figure(r, "eventsPerSecond", millions),
    figure(r, "baselineEventsPerSecond", millions),
    figure(r, "ratioToBaseline", twoDigits),
    figure(r, "cpuEventsPerSecond", millions),
    figure(r, "baselineCpuEventsPerSecond", millions),
    figure(r, "cpuRatioToBaseline", twoDigits),
    figure(r, "startupMs", ms),
    figure(r, "stopMs", ms),
    figure(r, "scalingToP1", twoDigits),
    r.parallelism > 1 ? figure(r, "parallelBaselineEventsPerSecond", millions) : "",
    figure(r, "parallelBaselineScaling", twoDigits),
    figure(r, "cpuScalingToP1", twoDigits),
    figure(r, "parallelBaselineCpuScaling", twoDigits),
    figure(r, "cpuScalingToLoop", twoDigits),
    figure(r, "exchangeBaselineCpuScaling", twoDigits),
    figure(r, "cpuScalingToExchangeLoop", twoDigits),
  ]);
  return [
    "Medians over the repetitions, (min–max) after each. events/s: from the job's start (every task open) until",
    "the end of input reached its sink; start-up: from the call to runJob to that start; stop: from the end of",
    "input until runJob returned. ratio and scalings: per repetition, between runs made one after the other.",
    "CPU: the same rates over the CPU time the process used (all its threads), which other load moves less.",
    "records: protected (copied where sharing could do harm) or reused (object reuse on).",
    "CPU scaling: the CPU-time rate at p over the same configuration's at 1 (the loop's: on p threads over on one);",
    "its ratio to the loop's, per repetition, is the scaling target's figure in CPU time, which load from other",
    "processes moves little (it leaves out any time the engine's threads wait for each other).",
    "loop exchanging (keyed count): the loop on p threads each owning a share of the keys and sending every",
    "other bid, whole, to its owner; its CPU scaling is the ceiling for a keyed exchange, and `ratio` the engine's to it.",
    "",
    table(
      [
        "query", "p", "records", "M events/s", "loop M/s", "ratio", "CPU: M events/s", "loop M/s", "ratio", "start-up ms", "stop ms", "scaling p/p1", "loop on p threads M/s", "its scaling",
        "CPU scaling p/p1", "loop's", "ratio", "loop exchanging", "ratio",
      ],
      rows,
    ),
    ...secondHalfReport(results),
  ].join("\n");
}

/** The second table: each run's second half, for the queries timed so; nothing when none was. */
function secondHalfReport(results: readonly ThroughputResult[]): string[] {
  const timed = results.filter((r) => r.secondHalfCpuEventsPerSecond !== undefined);
  if (timed.length === 0) return [];
  return [
    "",
    "The second half of each run: from when a sink subtask got half of its records to the end of input, the",
    "engine's code compiled and its state grown, as the loop is timed after a warm-up run (the loop's figures",
    "are the same runs' as above). Records after each subtask's own mark count, from the earliest mark (errs low at p > 1).",
    "",
    table(
      ["query", "p", "records", "M events/s", "CPU: M events/s", "ratio to loop", "CPU scaling p/p1", "ratio to loop's", "to loop exchanging"],
      timed.map((r) => [
        ...rowLabel(r),
        figure(r, "secondHalfEventsPerSecond", millions),
        figure(r, "secondHalfCpuEventsPerSecond", millions),
        figure(r, "secondHalfCpuRatioToBaseline", twoDigits),
        figure(r, "secondHalfCpuScalingToP1", twoDigits),
        figure(r, "secondHalfCpuScalingToLoop", twoDigits),
        figure(r, "secondHalfCpuScalingToExchangeLoop", twoDigits),
      ]),
    ),
  ];
}
