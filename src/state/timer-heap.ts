/**
 * A binary min-heap of timers ordered by (time, seq), where `seq` increases with registration, so
 * timers due at the same time leave in registration order. Each timer knows its position, so any
 * timer is removed in O(log n).
 */
import type { NormalizedKey } from "../core/key-groups.ts";

export class HeapTimer {
  /** Index in the heap's array; -1 once the timer left the heap. */
  position = -1;
  constructor(
    readonly time: number,
    readonly seq: number,
    readonly key: unknown,
    readonly normalizedKey: NormalizedKey,
    readonly keyGroup: number,
    readonly namespace: unknown,
    /** The namespace as the deduplication index stores it (`normalizeKey` of it). */
    readonly normalizedNamespace: NormalizedKey,
  ) {}
}

function before(a: HeapTimer, b: HeapTimer): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

export class TimerHeap {
  private readonly timers: HeapTimer[] = [];

  get size(): number {
    return this.timers.length;
  }

  peek(): HeapTimer | undefined {
    return this.timers[0];
  }

  push(timer: HeapTimer): void {
    timer.position = this.timers.length;
    this.timers.push(timer);
    this.siftUp(timer.position);
  }

  poll(): HeapTimer | undefined {
    const first = this.timers[0];
    if (first !== undefined) this.remove(first);
    return first;
  }

  /** Removes `timer`, which must be in this heap. */
  remove(timer: HeapTimer): void {
    const position = timer.position;
    const last = this.timers.pop()!;
    timer.position = -1;
    if (last === timer) return;
    this.timers[position] = last;
    last.position = position;
    this.siftDown(position);
    this.siftUp(last.position);
  }

  /** The timers in heap order (not sorted), as a fresh array. */
  toArray(): HeapTimer[] {
    return this.timers.slice();
  }

  private siftUp(position: number): void {
    const timers = this.timers;
    const timer = timers[position]!;
    while (position > 0) {
      const parentPosition = (position - 1) >> 1;
      const parent = timers[parentPosition]!;
      if (!before(timer, parent)) break;
      timers[position] = parent;
      parent.position = position;
      position = parentPosition;
    }
    timers[position] = timer;
    timer.position = position;
  }

  private siftDown(position: number): void {
    const timers = this.timers;
    const n = timers.length;
    const timer = timers[position]!;
    while (true) {
      const left = 2 * position + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(timers[right]!, timers[left]!) ? right : left;
      const smallest = timers[child]!;
      if (!before(smallest, timer)) break;
      timers[position] = smallest;
      smallest.position = position;
      position = child;
    }
    timers[position] = timer;
    timer.position = position;
  }
}
