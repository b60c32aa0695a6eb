/**
 * `npm run bench`: Nexmark q0, q1, q2 and a keyed count at parallelism 1 and 2, each against a
 * hand-written single-thread loop doing the same work on the same generated events, measured in
 * the same run. The same loop split over two threads (no engine, no exchange between them) shows
 * how far this machine lets two threads scale at that moment, the ceiling for parallelism 2.
 * Repetitions are interleaved (baseline, p=1, p=2, ...) so load on the machine touches all alike;
 * medians are reported. Writes bench/results/latest.json.
 *
 * Flags: --events N (per run), --reps N, --queries q0,q1,..., --ci (tiny sizes: checks that the
 * benchmark runs, measures nothing).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { NexmarkConfig, nexmarkEvent, runJob } from "../src/index.ts";
import { baselineLoop, QUERY_NAMES, type QueryName } from "./queries.ts";
import { formatRate, median, table } from "./stats.ts";

const { values } = parseArgs({
  options: {
    ci: { type: "boolean", default: false },
    events: { type: "string" },
    reps: { type: "string" },
    queries: { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log("usage: npm run bench -- [--events N] [--reps N] [--queries q0,q1,q2,keyed-count] [--ci]");
  process.exit(0);
}
const events = Number(values.events ?? (values.ci ? 20_000 : 5_000_000));
const reps = Number(values.reps ?? (values.ci ? 1 : 3));
const queries = (values.queries?.split(",") ?? QUERY_NAMES) as QueryName[];
const parallelisms = [1, 2];
const cores = availableParallelism();
const JOB = new URL("./jobs/nexmark.ts", import.meta.url);

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

function measureBaseline(query: QueryName): number {
  const config = new NexmarkConfig();
  const start = performance.now();
  baselineLoop(query, events, (i) => nexmarkEvent(i, config));
  return events / ((performance.now() - start) / 1000);
}

async function measureParallelBaseline(query: QueryName, threads: number): Promise<number> {
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

async function measureEngine(query: QueryName, parallelism: number): Promise<number> {
  const result = await runJob(JOB, { runtime: "threads", parallelism, args: ["--query", query, "--events", String(events)] });
  return events / (result.durationMs / 1000);
}

console.log(`Nexmark throughput: ${events.toLocaleString("en")} events per run, ${reps} repetition(s), ${cores} cores\n`);
const results: ThroughputResult[] = [];
for (const query of queries) {
  const baseline: number[] = [];
  const engine = new Map<number, number[]>(parallelisms.map((p) => [p, []]));
  const parallelBaseline = new Map<number, number[]>(parallelisms.map((p) => [p, []]));
  for (let r = 0; r < reps; r++) {
    baseline.push(measureBaseline(query));
    for (const p of parallelisms) {
      engine.get(p)!.push(await measureEngine(query, p));
      parallelBaseline.get(p)!.push(p === 1 ? baseline[baseline.length - 1]! : await measureParallelBaseline(query, p));
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
