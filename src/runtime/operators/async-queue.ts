/**
 * The requests an async I/O operator has in flight, and the order their results leave in. Ordered
 * mode releases results in input order: a completed request waits for every earlier one.
 * Unordered mode releases them as they complete. Every request not yet released, completed or
 * not, counts against the operator's capacity and is stored in a checkpoint, so results never
 * cross a checkpoint barrier: what was emitted before the barrier is in the downstream state, and
 * what was not is issued again after a restore.
 */

/** One request: its input, and its results once complete. */
export interface AsyncRequest {
  readonly input: unknown;
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
  /** Every request not yet released, completed or not, in the order they should be issued again. */
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

export class UnorderedRequestQueue implements AsyncRequestQueue {
  /** In issue order; a request leaves when it is released. */
  private readonly pending = new Set<AsyncRequest>();
  /** Completed requests in completion order. */
  private ready: AsyncRequest[] = [];

  get size(): number {
    return this.pending.size;
  }

  add(request: AsyncRequest): void {
    this.pending.add(request);
  }

  completed(request: AsyncRequest): void {
    this.ready.push(request);
  }

  hasReady(): boolean {
    return this.ready.length > 0;
  }

  pollReady(): AsyncRequest | undefined {
    const request = this.ready.shift();
    if (request !== undefined) this.pending.delete(request);
    return request;
  }

  requests(): AsyncRequest[] {
    return [...this.pending];
  }
}
