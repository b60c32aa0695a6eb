/**
 * The timers of one time domain of one keyed operator subtask. A timer is a (key, namespace, time)
 * triple, as in Flink's TimerQueue<N>: registering it again while it is pending changes
 * nothing, and it fires once. The namespace scopes timers within a key (a window, say); functions
 * without one use `VOID_NAMESPACE`. Each timer keeps its key group, so snapshots can store timers
 * per key group like the rest of keyed state.
 *
 * Firing order is ascending time, and registration order among timers of the same time. The
 * service never reads a clock: the task passes the current time to `fireDue`.
 */
import { internalError, invalidArgument } from "../core/errors.ts";
import { keyGroup as asKeyGroup, type KeyGroup } from "../core/ids.ts";
import { normalizeKey, type NormalizedKey } from "../core/key-groups.ts";
import { HeapTimer, TimerHeap } from "./timer-heap.ts";

/** A pending timer as snapshots see it. */
export interface InternalTimer {
  readonly time: number;
  /** The key as given to `register`. */
  readonly key: unknown;
  readonly keyGroup: KeyGroup;
  /** The namespace as given to `register`; `VOID_NAMESPACE` when none. */
  readonly namespace: unknown;
}

/** The namespace of timers that need none (those of process functions). */
export const VOID_NAMESPACE = undefined;

/**
 * The pending timers of one time, by normalized key: the key's one timer (the common case: a
 * process function's, or a window's, as the windows of one key ending at one time are one), or
 * its timers by normalized namespace.
 */
type TimersAt = Map<NormalizedKey, HeapTimer | Map<NormalizedKey, HeapTimer>>;

export class TimerQueue {
  private readonly heap = new TimerHeap();
  /** Pending timers by time, then key, then namespace (each as `normalizeKey` gives it): the deduplication index. */
  private readonly byTime = new Map<number, TimersAt>();
  /**
   * The timer registered (or found pending) last. A window registers the same timer for every
   * element it takes, so `register` first checks this one: same time, the same key value and the
   * same namespace object, still pending. Namespaces are values (windows) never changed once used.
   */
  private lastRegistered: HeapTimer | undefined;
  private nextSeq = 0;

  /** Adds a timer for `key` and `namespace` at `time`, unless the same one is pending. */
  register(key: unknown, keyGroup: number, time: number, namespace: unknown = VOID_NAMESPACE): void {
    const last = this.lastRegistered;
    if (last !== undefined && last.time === time && last.namespace === namespace && last.position !== -1 && Object.is(last.key, key)) {
      checkKeyGroup(last, keyGroup);
      return;
    }
    if (typeof time !== "number" || Number.isNaN(time)) throw invalidArgument(`a timer's time must be a number, got ${String(time)}`);
    const normalized = normalizeKey(key);
    const normalizedNamespace = normalizeKey(namespace);
    let atTime = this.byTime.get(time);
    if (atTime === undefined) {
      atTime = new Map();
      this.byTime.set(time, atTime);
    }
    const ofKey = atTime.get(normalized);
    const pending = ofKey === undefined ? undefined : ofKey instanceof HeapTimer ? (sameValueZero(ofKey.normalizedNamespace, normalizedNamespace) ? ofKey : undefined) : ofKey.get(normalizedNamespace);
    if (pending !== undefined) {
      checkKeyGroup(pending, keyGroup);
      this.lastRegistered = pending;
      return;
    }
    const timer = new HeapTimer(time, this.nextSeq++, key, normalized, keyGroup, namespace, normalizedNamespace);
    if (ofKey === undefined) atTime.set(normalized, timer);
    else if (ofKey instanceof HeapTimer) atTime.set(normalized, new Map([[ofKey.normalizedNamespace, ofKey], [normalizedNamespace, timer]]));
    else ofKey.set(normalizedNamespace, timer);
    this.heap.push(timer);
    this.lastRegistered = timer;
  }

  /** Removes the timer for `key` and `namespace` at `time`; nothing happens when there is none. */
  delete(key: unknown, keyGroup: number, time: number, namespace: unknown = VOID_NAMESPACE): void {
    const atTime = this.byTime.get(time);
    if (atTime === undefined) return;
    const ofKey = atTime.get(normalizeKey(key));
    if (ofKey === undefined) return;
    const normalizedNamespace = normalizeKey(namespace);
    const timer = ofKey instanceof HeapTimer ? (sameValueZero(ofKey.normalizedNamespace, normalizedNamespace) ? ofKey : undefined) : ofKey.get(normalizedNamespace);
    if (timer === undefined) return;
    checkKeyGroup(timer, keyGroup);
    this.unindex(timer, atTime);
    this.heap.remove(timer);
  }

  /** The time of the earliest pending timer, or undefined when none is pending. */
  nextTime(): number | undefined {
    return this.heap.peek()?.time;
  }

  /**
   * Fires every pending timer with time <= `now`, earliest first, including timers that `onTimer`
   * registers with time <= `now`. Each timer is removed before its callback runs, so the callback
   * may register it again. If `onTimer` throws, the timers not yet fired stay pending.
   * Returns the number of timers fired.
   */
  fireDue(now: number, onTimer: (time: number, key: unknown, namespace: unknown) => void): number {
    let fired = 0;
    while (true) {
      const timer = this.heap.peek();
      if (timer === undefined || timer.time > now) return fired;
      this.heap.remove(timer);
      this.unindex(timer, this.byTime.get(timer.time)!);
      fired++;
      onTimer(timer.time, timer.key, timer.namespace);
    }
  }

  /** Number of pending timers. */
  size(): number {
    return this.heap.size;
  }

  /**
   * Every pending timer, in firing order. Registering them in this order into an empty service
   * restores the same firing order.
   */
  timers(): InternalTimer[] {
    return this.heap
      .toArray()
      .sort((a, b) => a.time - b.time || a.seq - b.seq)
      .map((timer) => ({ time: timer.time, key: timer.key, keyGroup: asKeyGroup(timer.keyGroup), namespace: timer.namespace }));
  }

  private unindex(timer: HeapTimer, atTime: TimersAt): void {
    const ofKey = atTime.get(timer.normalizedKey)!;
    if (ofKey instanceof HeapTimer) atTime.delete(timer.normalizedKey);
    else {
      ofKey.delete(timer.normalizedNamespace);
      // A key left with one timer keeps it as such, as if registered alone.
      if (ofKey.size === 1) atTime.set(timer.normalizedKey, ofKey.values().next().value!);
    }
    if (atTime.size === 0) this.byTime.delete(timer.time);
  }
}

/** Whether two normalized namespaces are one, as a Map's keys compare (NaN is NaN). */
function sameValueZero(a: NormalizedKey, b: NormalizedKey): boolean {
  return a === b || (a !== a && b !== b);
}

function checkKeyGroup(timer: HeapTimer, keyGroup: number): void {
  if (timer.keyGroup !== keyGroup) {
    throw internalError(`the timer at ${timer.time} for key ${String(timer.normalizedKey)} is in key group ${timer.keyGroup}, not ${keyGroup}`);
  }
}
