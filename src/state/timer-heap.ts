/**
 * A binary min-heap of entries ordered by `time`, each entry at a time of its own (the timer queue
 * keeps one entry per time, holding every timer of that time). Each entry knows its position, so
 * any entry is removed in O(log n).
 */

/** What the heap orders: a time, and the entry's index in the heap's array (-1 once it left the heap). */
export interface TimeHeapEntry {
  readonly time: number;
  position: number;
}

export class TimeHeap<E extends TimeHeapEntry> {
  private readonly entries: E[] = [];

  get size(): number {
    return this.entries.length;
  }

  peek(): E | undefined {
    return this.entries[0];
  }

  push(entry: E): void {
    entry.position = this.entries.length;
    this.entries.push(entry);
    this.siftUp(entry.position);
  }

  /** Removes `entry`, which must be in this heap. */
  remove(entry: E): void {
    const position = entry.position;
    const last = this.entries.pop()!;
    entry.position = -1;
    if (last === entry) return;
    this.entries[position] = last;
    last.position = position;
    this.siftDown(position);
    this.siftUp(last.position);
  }

  /** The entries in heap order (not sorted), as a fresh array. */
  toArray(): E[] {
    return this.entries.slice();
  }

  private siftUp(position: number): void {
    const entries = this.entries;
    const entry = entries[position]!;
    while (position > 0) {
      const parentPosition = (position - 1) >> 1;
      const parent = entries[parentPosition]!;
      if (!(entry.time < parent.time)) break;
      entries[position] = parent;
      parent.position = position;
      position = parentPosition;
    }
    entries[position] = entry;
    entry.position = position;
  }

  private siftDown(position: number): void {
    const entries = this.entries;
    const n = entries.length;
    const entry = entries[position]!;
    while (true) {
      const left = 2 * position + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && entries[right]!.time < entries[left]!.time ? right : left;
      const smallest = entries[child]!;
      if (!(smallest.time < entry.time)) break;
      entries[position] = smallest;
      smallest.position = position;
      position = child;
    }
    entries[position] = entry;
    entry.position = position;
  }
}
