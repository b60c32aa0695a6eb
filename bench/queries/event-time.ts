/**
 * Event time of the windowed Nexmark queries. The generator stamps event n with
 * `baseTime + n / eventTimeRate` (10,000 events per second of event time by default), and each
 * source subtask emits its events in increasing n, so timestamps never decrease within a subtask:
 * monotonous timestamps, read from `dateTime`.
 */
import { TimeWindow, WatermarkStrategy } from "../../src/index.ts";
import type { NexmarkEvent } from "../../src/index.ts";

export const NEXMARK_EVENT_TIME: WatermarkStrategy<NexmarkEvent> = WatermarkStrategy.forMonotonousTimestamps<NexmarkEvent>().withTimestampAssigner(
  (event) => event.dateTime,
);

/** The start of the tumbling window of `size` (aligned to the epoch) that holds `timestamp`. */
export const windowStartOf = (timestamp: number, size: number): number => TimeWindow.getWindowStartWithOffset(timestamp, 0, size);
