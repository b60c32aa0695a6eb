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
  | "cpuScalingToExchangeLoop";

export interface Range {
  readonly min: number;
  readonly max: number;
}

const sameConfig = (a: EngineConfig, b: EngineConfig): boolean => a.parallelism === b.parallelism && a.objectReuse === b.objectReuse;

/** Samples of one query and configuration, by repetition. */
function byRep(samples: readonly Sample[], query: QueryName, config: EngineConfig): Sample[] {
  return samples.filter((s) => s.query === query && sameConfig(s.config, config)).sort((a, b) => a.rep - b.rep);
}

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
    const baseline = summarize(runs.map((r) => r.baselineEventsPerSecond));
    const ratio = summarize(ratios(runs.map((r) => r.eventsPerSecond), runs.map((r) => r.baselineEventsPerSecond)));
    const cpu = summarize(runs.map((r) => r.cpuEventsPerSecond));
    const baselineCpu = summarize(runs.map((r) => r.baselineCpuEventsPerSecond));
    const cpuRatio = summarize(ratios(runs.map((r) => r.cpuEventsPerSecond), runs.map((r) => r.baselineCpuEventsPerSecond)));
    const measuredOnThreads = runs.filter((r) => r.parallelBaselineEventsPerSecond !== undefined);
    const parallelBaseline = p === 1 ? baseline : measuredOnThreads.length === 0 ? undefined : summarize(measuredOnThreads.map((r) => r.parallelBaselineEventsPerSecond!));
    const startup = summarize(runs.map((r) => r.startupMs));
    const stop = summarize(runs.map((r) => r.stopMs));
    let scaling: Summary | undefined;
    let parallelScaling: Summary | undefined;
    let cpuScaling: Summary | undefined;
    let parallelCpuScaling: Summary | undefined;
    let cpuScalingToLoop: Summary | undefined;
    let exchangeCpuScaling: Summary | undefined;
    let cpuScalingToExchangeLoop: Summary | undefined;
    if (p > 1) {
      const single = byRep(samples, query, { parallelism: 1, objectReuse: config.objectReuse });
      const paired = runs.filter((r) => single.some((s) => s.rep === r.rep));
      const atP1 = (r: Sample): Sample => single.find((s) => s.rep === r.rep)!;
      scaling = summarize(ratios(paired.map((r) => r.eventsPerSecond), paired.map((r) => atP1(r).eventsPerSecond)));
      if (paired.length > 0) cpuScaling = summarize(ratios(paired.map((r) => r.cpuEventsPerSecond), paired.map((r) => atP1(r).cpuEventsPerSecond)));
      if (parallelBaseline !== undefined) {
        parallelScaling = summarize(ratios(measuredOnThreads.map((r) => r.parallelBaselineEventsPerSecond!), measuredOnThreads.map((r) => r.baselineEventsPerSecond)));
      }
      const loopCpu = measuredOnThreads.filter((r) => r.parallelBaselineCpuEventsPerSecond !== undefined);
      const loopCpuScaling = (r: Sample): number => r.parallelBaselineCpuEventsPerSecond! / (r.workerBaselineCpuEventsPerSecond ?? r.baselineCpuEventsPerSecond);
      if (loopCpu.length > 0) parallelCpuScaling = summarize(loopCpu.map(loopCpuScaling));
      const both = loopCpu.filter((r) => single.some((s) => s.rep === r.rep));
      if (both.length > 0) cpuScalingToLoop = summarize(both.map((r) => r.cpuEventsPerSecond / atP1(r).cpuEventsPerSecond / loopCpuScaling(r)));
      const exchanging = both.filter((r) => r.exchangeBaselineCpuEventsPerSecond !== undefined);
      const exchangeScaling = (r: Sample): number => r.exchangeBaselineCpuEventsPerSecond! / (r.workerBaselineCpuEventsPerSecond ?? r.baselineCpuEventsPerSecond);
      if (exchanging.length > 0) {
        exchangeCpuScaling = summarize(exchanging.map(exchangeScaling));
        cpuScalingToExchangeLoop = summarize(exchanging.map((r) => r.cpuEventsPerSecond / atP1(r).cpuEventsPerSecond / exchangeScaling(r)));
      }
    }
    const range = (s: Summary, digits: number): Range => ({ min: round(s.min, digits), max: round(s.max, digits) });
    rows.push({
      query,
      parallelism: p,
      ...(config.objectReuse ? { objectReuse: true as const } : {}),
      eventsPerSecond: Math.round(engine.median),
      eventsPerSecondPerCore: Math.round(engine.median / Math.min(p, cores)),
      baselineEventsPerSecond: Math.round(baseline.median),
      ratioToBaseline: round(ratio.median, 3),
      cpuEventsPerSecond: Math.round(cpu.median),
      baselineCpuEventsPerSecond: Math.round(baselineCpu.median),
      cpuRatioToBaseline: round(cpuRatio.median, 3),
      ...(parallelBaseline === undefined ? {} : { parallelBaselineEventsPerSecond: Math.round(parallelBaseline.median) }),
      startupMs: Math.round(startup.median),
      stopMs: Math.round(stop.median),
      ...(scaling === undefined ? {} : { scalingToP1: round(scaling.median, 3) }),
      ...(parallelScaling === undefined ? {} : { parallelBaselineScaling: round(parallelScaling.median, 3) }),
      ...(cpuScaling === undefined ? {} : { cpuScalingToP1: round(cpuScaling.median, 3) }),
      ...(parallelCpuScaling === undefined ? {} : { parallelBaselineCpuScaling: round(parallelCpuScaling.median, 3) }),
      ...(cpuScalingToLoop === undefined ? {} : { cpuScalingToLoop: round(cpuScalingToLoop.median, 3) }),
      ...(exchangeCpuScaling === undefined ? {} : { exchangeBaselineCpuScaling: round(exchangeCpuScaling.median, 3) }),
      ...(cpuScalingToExchangeLoop === undefined ? {} : { cpuScalingToExchangeLoop: round(cpuScalingToExchangeLoop.median, 3) }),
      reps: runs.length,
      spread: {
        eventsPerSecond: range(engine, 0),
        baselineEventsPerSecond: range(baseline, 0),
        ratioToBaseline: range(ratio, 3),
        cpuEventsPerSecond: range(cpu, 0),
        baselineCpuEventsPerSecond: range(baselineCpu, 0),
        cpuRatioToBaseline: range(cpuRatio, 3),
        ...(parallelBaseline === undefined ? {} : { parallelBaselineEventsPerSecond: range(parallelBaseline, 0) }),
        startupMs: range(startup, 0),
        stopMs: range(stop, 0),
        ...(scaling === undefined ? {} : { scalingToP1: range(scaling, 3) }),
        ...(parallelScaling === undefined ? {} : { parallelBaselineScaling: range(parallelScaling, 3) }),
        ...(cpuScaling === undefined ? {} : { cpuScalingToP1: range(cpuScaling, 3) }),
        ...(parallelCpuScaling === undefined ? {} : { parallelBaselineCpuScaling: range(parallelCpuScaling, 3) }),
        ...(cpuScalingToLoop === undefined ? {} : { cpuScalingToLoop: range(cpuScalingToLoop, 3) }),
        ...(exchangeCpuScaling === undefined ? {} : { exchangeBaselineCpuScaling: range(exchangeCpuScaling, 3) }),
        ...(cpuScalingToExchangeLoop === undefined ? {} : { cpuScalingToExchangeLoop: range(cpuScalingToExchangeLoop, 3) }),
      },
    });
  }
  return rows;
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
