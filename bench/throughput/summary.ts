/**
 * Pure arithmetic of the throughput benchmark: from the measurements of each repetition to one
 * row per query and engine configuration, each figure a median with its spread (min–max over the
 * repetitions). Ratios are taken per repetition, between runs made one after the other, and then
 * summarized, so a burst of load that slows both sides of a pair does not move the ratio.
 * Each rate is given twice: over wall-clock time and over the CPU time the process used (every
 * thread of it, the engine's worker threads included), which load from other processes on the
 * machine moves much less. Scaling is given both ways too: the CPU-time scaling of a configuration
 * (its CPU-time rate at p over at 1) against the loop's (on p threads over on one) is the scaling
 * target's figure with what other load does to wall-clock time left out.
 */
import { ratios, summarize, type Summary } from "../stats.ts";
import type { QueryName } from "../queries.ts";
import type { EngineConfig } from "./plan.ts";

/** What one repetition of one query and configuration measured. */
export interface Sample {
  readonly query: QueryName;
  readonly config: EngineConfig;
  readonly rep: number;
  /** The loop on one thread, run just before the engine. */
  readonly baselineEventsPerSecond: number;
  /** The loop on `config.parallelism` threads; absent at parallelism 1. */
  readonly parallelBaselineEventsPerSecond?: number;
  /** Events per second of CPU time the loop on `config.parallelism` threads used (all of them); absent at parallelism 1. */
  readonly parallelBaselineCpuEventsPerSecond?: number;
  /**
   * Events per second of CPU time the loop on one worker thread used, measured with the loop on p
   * threads, as they are (a fresh thread each); the denominator of the loop's CPU-time scaling
   * when present, else the loop in the benchmark's own thread is.
   */
  readonly workerBaselineCpuEventsPerSecond?: number;
  /**
   * Events per second of CPU time the keyed loop on `config.parallelism` threads used when each
   * thread sends the records of the keys it does not own to their thread; only for queries with it.
   */
  readonly exchangeBaselineCpuEventsPerSecond?: number;
  /** Events per second from the middle of the run (a sink subtask's mark) to the end of input; only for the queries timed so (./second-half.ts). */
  readonly secondHalfEventsPerSecond?: number;
  /** The same over the CPU time the process used meanwhile. */
  readonly secondHalfCpuEventsPerSecond?: number;
  /** Events over the time from the job's start (every task open) until the end of input reached its sink. */
  readonly eventsPerSecond: number;
  /** From the call to runJob until every task is open: worker threads started, the job built in each. */
  readonly startupMs: number;
  /** From the end of input at the sink until runJob returned: tasks and worker threads closed. */
  readonly stopMs: number;
  /** Events per second of CPU time the process used over the same span as `eventsPerSecond`. */
  readonly cpuEventsPerSecond: number;
  /** Events per second of CPU time the loop on one thread used. */
  readonly baselineCpuEventsPerSecond: number;
}

/** One row of bench/results/latest.json. */
export interface ThroughputResult {
  readonly query: QueryName;
  readonly parallelism: number;
  /** Present (true) only on rows measured with object reuse on; absent: records protected. */
  readonly objectReuse?: true;
  /** Median events/s after start-up. */
  readonly eventsPerSecond: number;
  readonly eventsPerSecondPerCore: number;
  /** Median events/s of the loop on one thread, over the runs paired with this row's. */
  readonly baselineEventsPerSecond: number;
  /** Median over the repetitions of engine / the loop run just before it. */
  readonly ratioToBaseline: number;
  /** Median events per second of CPU time (every thread of the process) after start-up. */
  readonly cpuEventsPerSecond: number;
  /** Median events per second of CPU time of the loop on one thread. */
  readonly baselineCpuEventsPerSecond: number;
  /** Median over the repetitions of the engine's CPU-time rate / the loop's, of runs made one after the other. */
  readonly cpuRatioToBaseline: number;
  /** The loop on `parallelism` threads at once, each over its share of the events (median); absent for a query without it (q3). */
  readonly parallelBaselineEventsPerSecond?: number;
  /** Median milliseconds from the call to runJob until records start to flow. */
  readonly startupMs: number;
  /** Median milliseconds from the end of input at the sink until runJob returned. */
  readonly stopMs: number;
  /** Median over the repetitions of this row's events/s / the same configuration's at parallelism 1; absent at 1. */
  readonly scalingToP1?: number;
  /** Median over the repetitions of the loop on `parallelism` threads / on one; absent at 1. */
  readonly parallelBaselineScaling?: number;
  /** Median over the repetitions of this row's CPU-time rate / the same configuration's at parallelism 1; absent at 1. */
  readonly cpuScalingToP1?: number;
  /** Median over the repetitions of the loop's CPU-time rate on `parallelism` threads / on one; absent at 1 and without the loop on p threads. */
  readonly parallelBaselineCpuScaling?: number;
  /**
   * Median over the repetitions of `cpuScalingToP1` / `parallelBaselineCpuScaling` of that
   * repetition: the engine's scaling against the loop's, in CPU time. Absent where either is.
   */
  readonly cpuScalingToLoop?: number;
  /** Median over the repetitions of the loop's CPU-time rate exchanging records on `parallelism` threads / on one; only for queries with that loop. */
  readonly exchangeBaselineCpuScaling?: number;
  /** Median over the repetitions of `cpuScalingToP1` / `exchangeBaselineCpuScaling` of that repetition. */
  readonly cpuScalingToExchangeLoop?: number;
  /**
   * The run's second half (./second-half.ts): the engine's rates, compiled and warmed up as the
   * loop is, its CPU-time ratio to the loop, and its CPU scalings as above. Only for the queries
   * timed so; the scalings only at p > 1.
   */
  readonly secondHalfEventsPerSecond?: number;
  readonly secondHalfCpuEventsPerSecond?: number;
  readonly secondHalfCpuRatioToBaseline?: number;
  readonly secondHalfCpuScalingToP1?: number;
  readonly secondHalfCpuScalingToLoop?: number;
  readonly secondHalfCpuScalingToExchangeLoop?: number;
  readonly reps: number;
  /** The smallest and largest value over the repetitions of each figure above that is present. */
  readonly spread: Readonly<Partial<Record<SpreadFigure, Range>>>;
}

export type SpreadFigure =
  | "eventsPerSecond"
  | "baselineEventsPerSecond"
  | "ratioToBaseline"
  | "cpuEventsPerSecond"
  | "baselineCpuEventsPerSecond"
  | "cpuRatioToBaseline"
  | "parallelBaselineEventsPerSecond"
  | "startupMs"
  | "stopMs"
  | "scalingToP1"
  | "parallelBaselineScaling"
  | "cpuScalingToP1"
  | "parallelBaselineCpuScaling"
  | "cpuScalingToLoop"
  | "exchangeBaselineCpuScaling"
  | "cpuScalingToExchangeLoop"
  | "secondHalfEventsPerSecond"
  | "secondHalfCpuEventsPerSecond"
  | "secondHalfCpuRatioToBaseline"
  | "secondHalfCpuScalingToP1"
  | "secondHalfCpuScalingToLoop"
  | "secondHalfCpuScalingToExchangeLoop";

export interface Range {
  readonly min: number;
  readonly max: number;
}

const sameConfig = (a: EngineConfig, b: EngineConfig): boolean => a.parallelism === b.parallelism && a.objectReuse === b.objectReuse;

/** Samples of one query and configuration, by repetition. */
function byRep(samples: readonly Sample[], query: QueryName, config: EngineConfig): Sample[] {
  return samples.filter((s) => s.query === query && sameConfig(s.config, config)).sort((a, b) => a.rep - b.rep);
}

/** A sample's CPU-time rate of some kind (the whole run's, or its second half's), if measured. */
type CpuRate = (s: Sample) => number | undefined;

/**
 * Per repetition, the engine's CPU-time scaling at p (rate at p over the same repetition's at 1),
 * and that over the loop's scaling on p threads and over the exchanging loop's, where measured.
 */
function cpuScalings(runs: readonly Sample[], atP1: (r: Sample) => Sample | undefined, rate: CpuRate): { toP1?: Summary; toLoop?: Summary; toExchangeLoop?: Summary } {
  const scaled = runs.flatMap((r) => {
    const p1 = atP1(r);
    const at = rate(r);
    const one = p1 === undefined ? undefined : rate(p1);
    return at === undefined || one === undefined ? [] : [{ r, scaling: at / one }];
  });
  if (scaled.length === 0) return {};
  const onLoop = scaled.filter(({ r }) => r.parallelBaselineCpuEventsPerSecond !== undefined);
  const onExchange = scaled.filter(({ r }) => r.exchangeBaselineCpuEventsPerSecond !== undefined);
  return {
    toP1: summarize(scaled.map(({ scaling }) => scaling)),
    ...(onLoop.length === 0 ? {} : { toLoop: summarize(onLoop.map(({ r, scaling }) => scaling / loopCpuScaling(r))) }),
    ...(onExchange.length === 0 ? {} : { toExchangeLoop: summarize(onExchange.map(({ r, scaling }) => scaling / exchangeLoopCpuScaling(r))) }),
  };
}

/** The loop's CPU-time rate on one thread, as the scalings' denominator: on a worker thread when measured so. */
const loopCpuOnOne = (r: Sample): number => r.workerBaselineCpuEventsPerSecond ?? r.baselineCpuEventsPerSecond;
const loopCpuScaling = (r: Sample): number => r.parallelBaselineCpuEventsPerSecond! / loopCpuOnOne(r);
const exchangeLoopCpuScaling = (r: Sample): number => r.exchangeBaselineCpuEventsPerSecond! / loopCpuOnOne(r);

/**
 * One row per query and configuration present in `samples`, in the order first seen. `cores`
 * bounds the per-core figure (parallelism beyond the cores shares them).
 */
export function summarizeThroughput(samples: readonly Sample[], cores: number): ThroughputResult[] {
  const rows: ThroughputResult[] = [];
  const seen: { query: QueryName; config: EngineConfig }[] = [];
  for (const s of samples) if (!seen.some((k) => k.query === s.query && sameConfig(k.config, s.config))) seen.push({ query: s.query, config: s.config });
  for (const { query, config } of seen) {
    const runs = byRep(samples, query, config);
    const p = config.parallelism;
    const engine = summarize(runs.map((r) => r.eventsPerSecond));
    const measuredOnThreads = runs.filter((r) => r.parallelBaselineEventsPerSecond !== undefined);
    const parallelBaseline = p === 1 ? undefined : measuredOnThreads.length === 0 ? undefined : summarize(measuredOnThreads.map((r) => r.parallelBaselineEventsPerSecond!));
    const secondHalf = runs.filter((r) => r.secondHalfCpuEventsPerSecond !== undefined);
    /** Figures with their medians rounded to `digits`; an absent one is left out of the row. */
    const figures: [SpreadFigure, Summary | undefined, number][] = [
      ["eventsPerSecond", engine, 0],
      ["baselineEventsPerSecond", summarize(runs.map((r) => r.baselineEventsPerSecond)), 0],
      ["ratioToBaseline", summarize(ratios(runs.map((r) => r.eventsPerSecond), runs.map((r) => r.baselineEventsPerSecond))), 3],
      ["cpuEventsPerSecond", summarize(runs.map((r) => r.cpuEventsPerSecond)), 0],
      ["baselineCpuEventsPerSecond", summarize(runs.map((r) => r.baselineCpuEventsPerSecond)), 0],
      ["cpuRatioToBaseline", summarize(ratios(runs.map((r) => r.cpuEventsPerSecond), runs.map((r) => r.baselineCpuEventsPerSecond))), 3],
      ["parallelBaselineEventsPerSecond", p === 1 ? summarize(runs.map((r) => r.baselineEventsPerSecond)) : parallelBaseline, 0],
      ["startupMs", summarize(runs.map((r) => r.startupMs)), 0],
      ["stopMs", summarize(runs.map((r) => r.stopMs)), 0],
    ];
    if (secondHalf.length > 0) {
      figures.push(
        ["secondHalfEventsPerSecond", summarize(secondHalf.map((r) => r.secondHalfEventsPerSecond!)), 0],
        ["secondHalfCpuEventsPerSecond", summarize(secondHalf.map((r) => r.secondHalfCpuEventsPerSecond!)), 0],
        ["secondHalfCpuRatioToBaseline", summarize(ratios(secondHalf.map((r) => r.secondHalfCpuEventsPerSecond!), secondHalf.map((r) => r.baselineCpuEventsPerSecond))), 3],
      );
    }
    if (p > 1) {
      const single = byRep(samples, query, { parallelism: 1, objectReuse: config.objectReuse });
      const atP1 = (r: Sample): Sample | undefined => single.find((s) => s.rep === r.rep);
      const paired = runs.filter((r) => atP1(r) !== undefined);
      if (paired.length > 0) figures.push(["scalingToP1", summarize(ratios(paired.map((r) => r.eventsPerSecond), paired.map((r) => atP1(r)!.eventsPerSecond))), 3]);
      if (parallelBaseline !== undefined) {
        figures.push(["parallelBaselineScaling", summarize(ratios(measuredOnThreads.map((r) => r.parallelBaselineEventsPerSecond!), measuredOnThreads.map((r) => r.baselineEventsPerSecond))), 3]);
      }
      const loopCpu = measuredOnThreads.filter((r) => r.parallelBaselineCpuEventsPerSecond !== undefined);
      if (loopCpu.length > 0) figures.push(["parallelBaselineCpuScaling", summarize(loopCpu.map(loopCpuScaling)), 3]);
      const exchanging = runs.filter((r) => r.exchangeBaselineCpuEventsPerSecond !== undefined);
      if (exchanging.length > 0) figures.push(["exchangeBaselineCpuScaling", summarize(exchanging.map(exchangeLoopCpuScaling)), 3]);
      const whole = cpuScalings(runs, atP1, (r) => r.cpuEventsPerSecond);
      const half = cpuScalings(runs, atP1, (r) => r.secondHalfCpuEventsPerSecond);
      figures.push(
        ["cpuScalingToP1", whole.toP1, 3],
        ["cpuScalingToLoop", whole.toLoop, 3],
        ["cpuScalingToExchangeLoop", whole.toExchangeLoop, 3],
        ["secondHalfCpuScalingToP1", half.toP1, 3],
        ["secondHalfCpuScalingToLoop", half.toLoop, 3],
        ["secondHalfCpuScalingToExchangeLoop", half.toExchangeLoop, 3],
      );
    }
    const medians: Partial<Record<SpreadFigure, number>> = {};
    const spread: Partial<Record<SpreadFigure, Range>> = {};
    for (const [name, summary, digits] of figures) {
      if (summary === undefined) continue;
      medians[name] = round(summary.median, digits);
      spread[name] = { min: round(summary.min, digits), max: round(summary.max, digits) };
    }
    rows.push({
      query,
      parallelism: p,
      ...(config.objectReuse ? { objectReuse: true as const } : {}),
      ...(medians as Pick<ThroughputResult, "eventsPerSecond" | "baselineEventsPerSecond" | "ratioToBaseline" | "cpuEventsPerSecond" | "baselineCpuEventsPerSecond" | "cpuRatioToBaseline" | "startupMs" | "stopMs">),
      eventsPerSecondPerCore: Math.round(engine.median / Math.min(p, cores)),
      reps: runs.length,
      spread,
    });
  }
  return rows;
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
