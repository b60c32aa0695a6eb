/**
 * The order of the throughput benchmark's measurements, decided before anything runs.
 *
 * Contract: for each query, the hand-written loop first warms up (one untimed run in this
 * thread, so the first measured loop is not the one that compiles it); then each repetition
 * measures every engine configuration once, each engine run right after a run of the loop it is
 * compared with (baseline, engine, baseline, engine, ...), so load on the machine that drifts
 * touches both sides of each ratio alike. A configuration with parallelism above 1 is also
 * preceded by the loop split over that many threads (the machine's ceiling for that parallelism
 * at that moment), each thread taking every p-th event, for the queries whose work splits so.
 */
import type { QueryName } from "../queries.ts";

/** How the engine runs a query: its parallelism, and whether records are copied between operators. */
export interface EngineConfig {
  readonly parallelism: number;
  /** true: object reuse on (no copies); false: records protected (the default). */
  readonly objectReuse: boolean;
}

/** Every configuration the benchmark reports, in the order measured within a repetition. */
export const ENGINE_CONFIGS: readonly EngineConfig[] = [
  { parallelism: 1, objectReuse: false },
  { parallelism: 1, objectReuse: true },
  { parallelism: 2, objectReuse: false },
  { parallelism: 2, objectReuse: true },
];

/**
 * Queries without the loop on p threads. q3 and q8 are joins: a thread given every p-th event misses the
 * sellers and auctions the others saw, and split by key instead, every thread would generate
 * every event, which is no ceiling for the engine (whose sources split the generating) either.
 */
const NO_PARALLEL_LOOP: ReadonlySet<QueryName> = new Set<QueryName>(["q3", "q8"]);

export type Step =
  | { readonly kind: "warm-up"; readonly query: QueryName }
  /** The loop on one thread, paired with the engine run of `config` that follows it. */
  | { readonly kind: "baseline"; readonly query: QueryName; readonly rep: number; readonly config: EngineConfig }
  /** The loop on `config.parallelism` threads, paired with the engine run that follows it. */
  | { readonly kind: "parallel-baseline"; readonly query: QueryName; readonly rep: number; readonly config: EngineConfig }
  | { readonly kind: "engine"; readonly query: QueryName; readonly rep: number; readonly config: EngineConfig };

export function throughputPlan(queries: readonly QueryName[], reps: number, configs: readonly EngineConfig[] = ENGINE_CONFIGS): Step[] {
  const steps: Step[] = [];
  for (const query of queries) {
    steps.push({ kind: "warm-up", query });
    for (let rep = 0; rep < reps; rep++) {
      for (const config of configs) {
        steps.push({ kind: "baseline", query, rep, config });
        if (config.parallelism > 1 && !NO_PARALLEL_LOOP.has(query)) steps.push({ kind: "parallel-baseline", query, rep, config });
        steps.push({ kind: "engine", query, rep, config });
      }
    }
  }
  return steps;
}
