/**
 * The timers of one time domain of one keyed operator subtask. A timer is a (key, namespace, time)
 * triple, as in Flink's TimerQueue<N>: registering it again while it is pending changes
 * nothing, and it fires once. The namespace scopes timers within a key (a window, say); functions
 * without one use `VOID_NAMESPACE`. Each timer keeps its key group, so snapshots can store timers
 * per key group like the rest of keyed state.
 *
 * Firing order is ascending time, and registration order among timers of the same time. The
 * service never reads a clock: the task passes the current time to `fireDue`.
 *
 * Layout: one bucket per time that has pending timers, in a heap ordered by time; a bucket keeps
 * its timers in registration order (a queue) and indexed by key and namespace (deduplication).
 * Timers cluster on few times (the ends of windows), so firing takes the next timer of the
 * earliest bucket instead of re-ordering a heap of every timer. A deleted timer stays in its
 * bucket's queue, marked, until the bucket fires or is compacted; a bucket whose last timer is
 * deleted leaves the heap at once. A timer that fires stays in its bucket's index, marked, until
 * the bucket goes (a bucket fires whole, so its index goes whole rather than entry by entry):
 * lookups in an index skip timers that are no longer pending.
 */
import { internalError, invalidArgument } from "../core/errors.ts";
import { keyGroup as asKeyGroup, type KeyGroup } from "../core/ids.ts";
import { normalizeKey, type NormalizedKey } from "../core/key-groups.ts";
import { TimeHeap } from "./timer-heap.ts";

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

class QueuedTimer {
  /** False once the timer fired or was deleted. */
  pending = true;
  constructor(
    readonly time: number,
    /** Registration order: increases with every timer registered. */
    readonly seq: number,
    readonly key: unknown,
    readonly normalizedKey: NormalizedKey,
    readonly keyGroup: number,
    readonly namespace: unknown,
    /** The namespace as the deduplication index stores it (`normalizeKey` of it). */
    readonly normalizedNamespace: NormalizedKey,
  ) {}
}

/**
 * The pending timers of one time. The index holds, by normalized key, the key's one timer (the
 * common case: a process function's, or a window's, as the windows of one key ending at one time
 * are one), or its timers by normalized namespace. Invariant: `live` timers of `queue` (from
 * `head` on) are pending, and all of them are in the index; the index may also hold timers that
 * fired (see `pendingIn`).
 */
class TimersAt {
  position = -1;
  readonly index = new Map<NormalizedKey, QueuedTimer | Map<NormalizedKey, QueuedTimer>>();
  readonly queue: QueuedTimer[] = [];
  /** Timers before it in `queue` fired or were deleted. */
  head = 0;
  live = 0;
  constructor(readonly time: number) {}

  /** The earliest registered pending timer; undefined when none is. */
  first(): QueuedTimer | undefined {
    const queue = this.queue;
    while (this.head < queue.length) {
      const timer = queue[this.head]!;
      if (timer.pending) return timer;
      queue[this.head++] = undefined as unknown as QueuedTimer;
    }
    return undefined;
  }

  /** Drops deleted timers from the queue once they outnumber the pending ones, so churn on one time cannot grow it without bound. */
  compact(): void {
    if (this.queue.length - this.head <= 2 * this.live + 16) return;
    const queue = this.queue;
    let kept = 0;
    for (let i = this.head; i < queue.length; i++) if (queue[i]!.pending) queue[kept++] = queue[i]!;
    queue.length = kept;
    this.head = 0;
  }
}

export class TimerQueue {
  /** The buckets of the times with pending timers, earliest first. */
  private readonly heap = new TimeHeap<TimersAt>();
  private readonly byTime = new Map<number, TimersAt>();
  private pendingCount = 0;
  /** The bucket a timer was registered in last: timers cluster on few times, so most registrations find theirs here without a lookup by time. */
  private lastBucket: TimersAt | undefined;
  /**
   * The timer registered (or found pending) last. A window registers the same timer for every
   * element it takes, so `register` first checks this one: same time, the same key value and the
   * same namespace object, still pending. Namespaces are values (windows) never changed once used.
   */
  private lastRegistered: QueuedTimer | undefined;
  private nextSeq = 0;

  /** Adds a timer for `key` and `namespace` at `time`, unless the same one is pending. */
  register(key: unknown, keyGroup: number, time: number, namespace: unknown = VOID_NAMESPACE): void {
    const last = this.lastRegistered;
    if (last !== undefined && last.time === time && last.namespace === namespace && last.pending && Object.is(last.key, key)) {
      checkKeyGroup(last, keyGroup);
      return;
    }
    if (typeof time !== "number" || Number.isNaN(time)) throw invalidArgument(`a timer's time must be a number, got ${String(time)}`);
    const normalized = normalizeKey(key);
    const normalizedNamespace = normalizeKey(namespace);
    // A bucket still in the heap is in use (its position is -1 once it left).
    const lastBucket = this.lastBucket;
    let atTime = lastBucket !== undefined && lastBucket.time === time && lastBucket.position >= 0 ? lastBucket : this.byTime.get(time);
    if (atTime === undefined) {
      atTime = new TimersAt(time);
      this.byTime.set(time, atTime);
      this.heap.push(atTime);
    }
    this.lastBucket = atTime;
    const index = atTime.index;
    const ofKey = index.get(normalized);
    const pending = pendingIn(ofKey, normalizedNamespace);
    if (pending !== undefined) {
      checkKeyGroup(pending, keyGroup);
      this.lastRegistered = pending;
      return;
    }
    const timer = new QueuedTimer(time, this.nextSeq++, key, normalized, keyGroup, namespace, normalizedNamespace);
    if (ofKey === undefined || (ofKey instanceof QueuedTimer && !ofKey.pending)) index.set(normalized, timer);
    else if (ofKey instanceof QueuedTimer) index.set(normalized, new Map([[ofKey.normalizedNamespace, ofKey], [normalizedNamespace, timer]]));
    else ofKey.set(normalizedNamespace, timer);
    atTime.queue.push(timer);
    atTime.live++;
    this.pendingCount++;
    this.lastRegistered = timer;
  }

  /** Removes the timer for `key` and `namespace` at `time`; nothing happens when there is none. */
  delete(key: unknown, keyGroup: number, time: number, namespace: unknown = VOID_NAMESPACE): void {
    const atTime = this.byTime.get(time);
    if (atTime === undefined) return;
    const timer = pendingIn(atTime.index.get(normalizeKey(key)), normalizeKey(namespace));
    if (timer === undefined) return;
    checkKeyGroup(timer, keyGroup);
    this.take(timer, atTime);
    atTime.compact();
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
      // The earliest bucket is looked up again after every callback, which may register earlier timers.
      const atTime = this.heap.peek();
      if (atTime === undefined || atTime.time > now) return fired;
      const timer = atTime.first()!;
      // Left in the bucket's index, which goes with the bucket (see the header).
      this.settle(timer, atTime);
      fired++;
      onTimer(timer.time, timer.key, timer.namespace);
    }
  }

  /** Number of pending timers. */
  size(): number {
    return this.pendingCount;
  }

  /**
   * Every pending timer, in firing order. Registering them in this order into an empty service
   * restores the same firing order.
   */
  timers(): InternalTimer[] {
    const pending: QueuedTimer[] = [];
    for (const atTime of this.heap.toArray()) for (let i = atTime.head; i < atTime.queue.length; i++) if (atTime.queue[i]!.pending) pending.push(atTime.queue[i]!);
    return pending
      .sort((a, b) => a.time - b.time || a.seq - b.seq)
      .map((timer) => ({ time: timer.time, key: timer.key, keyGroup: asKeyGroup(timer.keyGroup), namespace: timer.namespace }));
  }

  /** Makes a pending timer of `atTime` no longer pending and drops it from the bucket's index; the bucket goes when it was its last. */
  private take(timer: QueuedTimer, atTime: TimersAt): void {
    const index = atTime.index;
    const ofKey = index.get(timer.normalizedKey)!;
    if (ofKey instanceof QueuedTimer) index.delete(timer.normalizedKey);
    else {
      ofKey.delete(timer.normalizedNamespace);
      // A key left with one timer keeps it as such, as if registered alone.
      if (ofKey.size === 1) index.set(timer.normalizedKey, ofKey.values().next().value!);
    }
    this.settle(timer, atTime);
  }

  /** Makes a pending timer of `atTime` no longer pending, leaving the bucket's index as it is; the bucket goes when it was its last. */
  private settle(timer: QueuedTimer, atTime: TimersAt): void {
    timer.pending = false;
    this.pendingCount--;
    if (--atTime.live === 0) {
      this.heap.remove(atTime);
      this.byTime.delete(atTime.time);
    }
  }
}

/** The pending timer of a key's index entry (see TimersAt) for the namespace, if any. */
function pendingIn(ofKey: QueuedTimer | Map<NormalizedKey, QueuedTimer> | undefined, normalizedNamespace: NormalizedKey): QueuedTimer | undefined {
  if (ofKey === undefined) return undefined;
  const timer = ofKey instanceof QueuedTimer ? (sameValueZero(ofKey.normalizedNamespace, normalizedNamespace) ? ofKey : undefined) : ofKey.get(normalizedNamespace);
  return timer !== undefined && timer.pending ? timer : undefined;
}

/** Whether two normalized namespaces are one, as a Map's keys compare (NaN is NaN). */
function sameValueZero(a: NormalizedKey, b: NormalizedKey): boolean {
  return a === b || (a !== a && b !== b);
}

function checkKeyGroup(timer: QueuedTimer, keyGroup: number): void {
  if (timer.keyGroup !== keyGroup) {
    throw internalError(`the timer at ${timer.time} for key ${String(timer.normalizedKey)} is in key group ${timer.keyGroup}, not ${keyGroup}`);
  }
}
