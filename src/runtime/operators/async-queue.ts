/**
 * The requests an async I/O operator has in flight, and the order their results leave in. Ordered
 * mode releases results in input order: a completed request waits for every earlier one.
 * Unordered mode releases them as they complete. Every request not yet released, completed or
 * not, counts against the operator's capacity and is stored in a checkpoint, so results never
 * cross a checkpoint barrier: what was emitted before the barrier is in the downstream state, and
 * what was not is issued again after a restore.
 *
 * Watermarks are entries too (complete from the start, with no results): in ordered mode they
 * leave in input order like results; in unordered mode they split the queue into segments, and
 * results are unordered only within a segment (as in Flink), so no result crosses a watermark.
 */

/** One request: its input, and its results once complete; or a watermark (`watermark` set). */
export interface AsyncRequest {
  readonly input: unknown;
  /** The input record's timestamp, which its results carry; null when it has none. */
  readonly timestamp: number | null;
  /** Set for a watermark entry, which has no input and is complete from the start. */
  readonly watermark?: number;
  /** When the request times out, by the operator's clock; undefined without a timeout. */
  readonly deadline: number | undefined;
  /** Set once, by the first completion. */
  results: readonly unknown[] | undefined;
}

export interface AsyncRequestQueue {
  /** Requests not yet released. */
  readonly size: number;
  add(request: AsyncRequest): void;
  /** `request`, which is in the queue, just completed. */
  completed(request: AsyncRequest): void;
  /** The next request whose results may leave now, taken off the queue; undefined if none may. */
  pollReady(): AsyncRequest | undefined;
  hasReady(): boolean;
  /** Every request not yet released, completed or not, in the order they should be issued again; watermark entries may be among them. */
  requests(): AsyncRequest[];
}

export class OrderedRequestQueue implements AsyncRequestQueue {
  private queue: AsyncRequest[] = [];
  private head = 0;

  get size(): number {
    return this.queue.length - this.head;
  }

  add(request: AsyncRequest): void {
    this.queue.push(request);
  }

  completed(): void {}

  hasReady(): boolean {
    return this.queue[this.head]?.results !== undefined;
  }

  pollReady(): AsyncRequest | undefined {
    const first = this.queue[this.head];
    if (first?.results === undefined) return undefined;
    this.queue[this.head++] = undefined as unknown as AsyncRequest;
    if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return first;
  }

  requests(): AsyncRequest[] {
    return this.queue.slice(this.head);
  }
}

/** Requests between two watermarks, in issue order, and the watermark that ends them (none for the last). */
interface Segment {
  readonly pending: Set<AsyncRequest>;
  /** Completed requests of the segment, in completion order. */
  readonly ready: AsyncRequest[];
  watermark: AsyncRequest | undefined;
}

const newSegment = (): Segment => ({ pending: new Set(), ready: [], watermark: undefined });

export class UnorderedRequestQueue implements AsyncRequestQueue {
  /** Oldest first; only the first segment releases anything. */
  private readonly segments: Segment[] = [newSegment()];
  private readonly segmentOf = new Map<AsyncRequest, Segment>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(request: AsyncRequest): void {
    this.count++;
    const last = this.segments[this.segments.length - 1]!;
    if (request.watermark !== undefined) {
      last.watermark = request;
      this.segments.push(newSegment());
      return;
    }
    last.pending.add(request);
    this.segmentOf.set(request, last);
  }

  completed(request: AsyncRequest): void {
    this.segmentOf.get(request)?.ready.push(request);
  }

  hasReady(): boolean {
    const first = this.segments[0]!;
    return first.ready.length > 0 || (first.pending.size === 0 && first.watermark !== undefined);
  }

  pollReady(): AsyncRequest | undefined {
    const first = this.segments[0]!;
    const request = first.ready.shift();
    if (request !== undefined) {
      first.pending.delete(request);
      this.segmentOf.delete(request);
      this.count--;
      return request;
    }
    if (first.pending.size > 0 || first.watermark === undefined) return undefined;
    this.segments.shift();
    this.count--;
    return first.watermark;
  }

  requests(): AsyncRequest[] {
    return this.segments.flatMap((s) => [...s.pending]);
  }
}
