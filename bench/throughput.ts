/**
 * The throughput benchmark: Nexmark q0, q1, q2 and a keyed count at parallelism 1 and 2, each
 * against a hand-written single-thread loop doing the same work on the same generated events,
 * measured in the same run. The same loop split over two threads (no engine, no exchange between
 * them) shows how far this machine lets two threads scale at that moment, the ceiling for
 * parallelism 2. Repetitions are interleaved (baseline, p=1, p=2, ...) so load on the machine
 * touches all alike; medians are reported. Writes bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { NexmarkConfig, nexmarkEvent, runJob } from "../src/index.ts";
import { baselineLoop, type QueryName } from "./queries.ts";
import { formatRate, median, table } from "./stats.ts";

export interface ThroughputOptions {
  /** Events per run. */
  readonly events: number;
  readonly reps: number;
  readonly queries: readonly QueryName[];
}

export interface ThroughputResult {
  query: QueryName;
  parallelism: number;
  eventsPerSecond: number;
  eventsPerSecondPerCore: number;
  baselineEventsPerSecond: number;
  ratioToBaseline: number;
  /** The baseline loop on `parallelism` threads at once, each over its share of the events. */
  parallelBaselineEventsPerSecond: number;
}

const parallelisms = [1, 2];
const JOB = new URL("./jobs/nexmark.ts", import.meta.url);

function measureBaseline(query: QueryName, events: number): number {
  const config = new NexmarkConfig();
  const start = performance.now();
  baselineLoop(query, events, (i) => nexmarkEvent(i, config));
  return events / ((performance.now() - start) / 1000);
}

async function measureParallelBaseline(query: QueryName, events: number, threads: number): Promise<number> {
  const boot = new URL("./baseline-boot.mjs", import.meta.url);
  const times = await Promise.all(
    Array.from({ length: threads }, (_, offset) => {
      const worker = new Worker(boot, { workerData: { query, events, offset, stride: threads } });
      return new Promise<number>((resolve, reject) => {
        worker.once("message", (ms: number) => void worker.terminate().then(() => resolve(ms)));
        worker.once("error", reject);
      });
    }),
  );
  return events / (Math.max(...times) / 1000);
}

async function measureEngine(query: QueryName, events: number, parallelism: number): Promise<number> {
  const result = await runJob(JOB, { runtime: "threads", parallelism, args: ["--query", query, "--events", String(events)] });
  return events / (result.durationMs / 1000);
}

/** Runs the benchmark, prints its table and writes bench/results/latest.json. */
export async function runThroughputBenchmark(options: ThroughputOptions): Promise<ThroughputResult[]> {
  const { events, reps, queries } = options;
  const cores = availableParallelism();
  console.log(`Nexmark throughput: ${events.toLocaleString("en")} events per run, ${reps} repetition(s), ${cores} cores\n`);
  const results: ThroughputResult[] = [];
  for (const query of queries) {
    const baseline: number[] = [];
    const engine = new Map<number, number[]>(parallelisms.map((p) => [p, []]));
    const parallelBaseline = new Map<number, number[]>(parallelisms.map((p) => [p, []]));
    for (let r = 0; r < reps; r++) {
      baseline.push(measureBaseline(query, events));
      for (const p of parallelisms) {
        engine.get(p)!.push(await measureEngine(query, events, p));
        parallelBaseline.get(p)!.push(p === 1 ? baseline[baseline.length - 1]! : await measureParallelBaseline(query, events, p));
      }
    }
    const baselineEps = median(baseline);
    for (const p of parallelisms) {
      const eps = median(engine.get(p)!);
      results.push({
        query,
        parallelism: p,
        eventsPerSecond: Math.round(eps),
        eventsPerSecondPerCore: Math.round(eps / Math.min(p, cores)),
        baselineEventsPerSecond: Math.round(baselineEps),
        ratioToBaseline: Number((eps / baselineEps).toFixed(3)),
        parallelBaselineEventsPerSecond: Math.round(median(parallelBaseline.get(p)!)),
      });
    }
    process.stderr.write(`  ${query} done\n`);
  }

  const byQuery = (q: QueryName, p: number) => results.find((r) => r.query === q && r.parallelism === p);
  console.log(
    table(
      ["query", "p", "events/s", "per core", "baseline", "ratio", "scaling p/p1", "loop on p threads", "its scaling"],
      results.map((r) => {
        const p1 = byQuery(r.query, 1);
        const scaling = r.parallelism > 1 && p1 !== undefined ? (r.eventsPerSecond / p1.eventsPerSecond).toFixed(2) : "";
        const ceiling = r.parallelism > 1 ? (r.parallelBaselineEventsPerSecond / r.baselineEventsPerSecond).toFixed(2) : "";
        return [
          r.query,
          String(r.parallelism),
          formatRate(r.eventsPerSecond),
          formatRate(r.eventsPerSecondPerCore),
          formatRate(r.baselineEventsPerSecond),
          r.ratioToBaseline.toFixed(2),
          scaling,
          r.parallelism > 1 ? formatRate(r.parallelBaselineEventsPerSecond) : "",
          ceiling,
        ];
      }),
    ),
  );
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(new URL("./results/latest.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
  console.log("\nwritten: bench/results/latest.json");
  return results;
}
