/**
 * The allowed-lateness rules of Flink's WindowOperator, as pure functions of the watermark. In
 * event time a window is kept until its cleanup time, `maxTimestamp() + allowedLateness`; once the
 * watermark reaches that, the window is late: its state is dropped and elements for it are late
 * elements (dropped, or sent to a late-data side output). Processing-time windows are never late.
 */
import { checkNotNegative } from "./window-arguments.ts";
import { MAX_TIMESTAMP, type Window } from "./windows.ts";

/** `allowedLateness` in ms, refused when negative or not finite (WEIR_ERR_INVALID_WINDOW). */
export function checkAllowedLateness(allowedLateness: number): number {
  return checkNotNegative("allowedLateness", "lateness", allowedLateness);
}

/**
 * When the window's state may be dropped: in event time its end plus the lateness (capped at
 * MAX_TIMESTAMP, so the global window is never cleaned up), in processing time its end.
 */
export function cleanupTime(window: Window, allowedLateness: number, isEventTime: boolean): number {
  if (!isEventTime) return window.maxTimestamp();
  return eventTimeCleanupTime(window.maxTimestamp(), allowedLateness);
}

/** The cleanup time of an event-time window whose max timestamp is `maxTimestamp`. */
export function eventTimeCleanupTime(maxTimestamp: number, allowedLateness: number): number {
  return Math.min(maxTimestamp + allowedLateness, MAX_TIMESTAMP);
}

/** Whether the window's time is over: event time only, when its cleanup time is at or below the watermark. */
export function isWindowLate(window: Window, allowedLateness: number, currentWatermark: number, isEventTime: boolean): boolean {
  return isEventTime && cleanupTime(window, allowedLateness, true) <= currentWatermark;
}

/** Whether an element with `timestamp` comes too late for any window: event time only, when timestamp + lateness is at or below the watermark. */
export function isElementLate(timestamp: number, allowedLateness: number, currentWatermark: number, isEventTime: boolean): boolean {
  return isEventTime && timestamp + allowedLateness <= currentWatermark;
}
