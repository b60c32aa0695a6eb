/**
 * Helpers for tests that run windowed jobs: events with a key, an event time and a value, where an
 * event may also carry the watermark to emit right after it (a punctuated strategy), so a test
 * says exactly where the watermark stands between records.
 */
import { Trigger, TriggerResult, Watermark, WatermarkStrategy, defineJob, runJob, type DataStream, type StreamExecutionEnvironment, type TimeWindow } from "../../src/index.ts";

export interface Ev {
  readonly k: string;
  readonly t: number;
  readonly v: number;
  /** The watermark emitted after this event, if any. */
  readonly wm?: number;
}

export const ev = (k: string, t: number, v = 1, wm?: number): Ev => (wm === undefined ? { k, t, v } : { k, t, v, wm });

/** Timestamps from `t`; a watermark after each event that carries `wm`. */
export function punctuated<T extends { t: number; wm?: number }>(): WatermarkStrategy<T> {
  return WatermarkStrategy.forGenerator<T>(() => ({
    onEvent: (event, _timestamp, output) => {
      if (event.wm !== undefined) output.emitWatermark(new Watermark(event.wm));
    },
    onPeriodicEmit: () => {},
  })).withTimestampAssigner((e) => e.t);
}

/** Runs `build` on the events (timestamps and punctuated watermarks assigned) at parallelism 1; returns what the sink "out" collected. */
export async function runWindowed<T extends { t: number; wm?: number }, O>(
  events: readonly T[],
  build: (stream: DataStream<T>, env: StreamExecutionEnvironment) => DataStream<O>,
  options: { parallelism?: number } = {},
): Promise<O[]> {
  const job = defineJob((env) => {
    const stream = env.fromElements(...events).setParallelism(1).assignTimestampsAndWatermarks(punctuated<T>()).setParallelism(1);
    build(stream, env).collect("out");
  });
  const result = await runJob(job, { runtime: "single-thread", parallelism: options.parallelism ?? 1 });
  return result.collected<O>("out");
}

/** A trigger written without merging support (canMerge() is false): fires on every element. */
export class FireOnEveryElement extends Trigger<unknown, TimeWindow> {
  onElement(): TriggerResult {
    return TriggerResult.FIRE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(): void {}
}
