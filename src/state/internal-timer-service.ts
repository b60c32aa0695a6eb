/**
 * The timers of one keyed operator subtask in both time domains, with namespaces (Flink's
 * InternalTimerService<N>): a timer is (key, namespace, time), registered for the current key.
 * Processing-time timers fire when the task's clock passes them; event-time timers fire when the
 * operator's watermark reaches them (time <= watermark). Each timer fires once, with its key made
 * current, earliest first; timers of one time fire in registration order.
 *
 * The watermark is not part of checkpoints: after a restore it starts again from MIN_WATERMARK, so
 * restored event-time timers fire once watermarks advance past them again.
 */
import { MIN_WATERMARK } from "../core/watermark.ts";
import { assignToKeyGroup, type KeyGroupRange } from "../core/key-groups.ts";
import { TimerQueue, VOID_NAMESPACE } from "./timer-queue.ts";

/** Flink's TimeDomain: which kind of timer fired (`ctx.timeDomain() === TimeDomain.EVENT_TIME`). */
export const TimeDomain = { EVENT_TIME: "EVENT_TIME", PROCESSING_TIME: "PROCESSING_TIME" } as const;
export type TimeDomain = (typeof TimeDomain)[keyof typeof TimeDomain];

/** Called for each firing timer, with its key already current. */
export type TimerTrigger<N> = (time: number, namespace: N, domain: TimeDomain) => void;

/**
 * A timer as checkpoints store it: `[time, key]` for a processing-time timer without namespace
 * (the form older checkpoints hold), else `[time, key, domain, namespace]` with domain 1 for event
 * time and 0 for processing time.
 */
export type TimerEntry = readonly [number, unknown] | readonly [number, unknown, 0 | 1, unknown];

/** The current key of the operator's keyed state backend, which timers are scoped to. */
export interface TimerKeyContext {
  getCurrentKey(): unknown;
  getCurrentKeyGroup(): number;
  setCurrentKey(key: unknown): void;
}

export class InternalTimerService<N = undefined> {
  private readonly processingTimers = new TimerQueue();
  private readonly eventTimers = new TimerQueue();
  private watermark = MIN_WATERMARK;

  constructor(private readonly keys: TimerKeyContext) {}

  currentWatermark(): number {
    return this.watermark;
  }

  registerProcessingTimeTimer(namespace: N, time: number): void {
    this.processingTimers.register(this.keys.getCurrentKey(), this.keys.getCurrentKeyGroup(), time, namespace);
  }

  deleteProcessingTimeTimer(namespace: N, time: number): void {
    this.processingTimers.delete(this.keys.getCurrentKey(), this.keys.getCurrentKeyGroup(), time, namespace);
  }

  registerEventTimeTimer(namespace: N, time: number): void {
    this.eventTimers.register(this.keys.getCurrentKey(), this.keys.getCurrentKeyGroup(), time, namespace);
  }

  deleteEventTimeTimer(namespace: N, time: number): void {
    this.eventTimers.delete(this.keys.getCurrentKey(), this.keys.getCurrentKeyGroup(), time, namespace);
  }

  /** The earliest pending processing-time timer: the task wakes for it. */
  nextProcessingTime(): number | undefined {
    return this.processingTimers.nextTime();
  }

  /** Fires every processing-time timer due at `now`. */
  onProcessingTime(now: number, trigger: TimerTrigger<N>): void {
    this.processingTimers.fireDue(now, (time, key, namespace) => {
      this.keys.setCurrentKey(key);
      trigger(time, namespace as N, "PROCESSING_TIME");
    });
  }

  /**
   * The operator's watermark moved to `watermark`: fires every event-time timer at or before it.
   * A watermark never goes backwards; an older one changes nothing.
   */
  advanceWatermark(watermark: number, trigger: TimerTrigger<N>): void {
    if (watermark <= this.watermark) return;
    this.watermark = watermark;
    this.eventTimers.fireDue(watermark, (time, key, namespace) => {
      this.keys.setCurrentKey(key);
      trigger(time, namespace as N, "EVENT_TIME");
    });
  }

  /** Number of pending timers of both domains. */
  size(): number {
    return this.processingTimers.size() + this.eventTimers.size();
  }

  /** Every pending timer, each domain in firing order; restoring them keeps that order. */
  snapshot(): TimerEntry[] {
    const entries: TimerEntry[] = [];
    for (const t of this.processingTimers.timers()) entries.push(t.namespace === VOID_NAMESPACE ? [t.time, t.key] : [t.time, t.key, 0, t.namespace]);
    for (const t of this.eventTimers.timers()) entries.push([t.time, t.key, 1, t.namespace]);
    return entries;
  }

  /** Registers the timers of `entries` whose key falls in `range`; the others belong to other subtasks. */
  restore(entries: readonly TimerEntry[], range: KeyGroupRange, maxParallelism: number): void {
    for (const entry of entries) {
      const [time, key] = entry;
      const group = assignToKeyGroup(key, maxParallelism);
      if (group < range.start || group > range.end) continue;
      const queue = entry.length === 4 && entry[2] === 1 ? this.eventTimers : this.processingTimers;
      queue.register(key, group, time, entry.length === 4 ? entry[3] ?? VOID_NAMESPACE : VOID_NAMESPACE);
    }
  }
}
