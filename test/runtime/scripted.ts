/**
 * A source and a sink the test drives by hand, for jobs run on the calling thread (single-thread
 * runtime with a job definition): the test pushes records and ends the input when it chooses, and
 * waits until the sink or a probe saw what it expects.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AVAILABLE, type InputStatus, type Sink, type Source, type SourceOutput } from "../../src/index.ts";

/** An input the test feeds: every reader of the source takes records from the one shared queue. */
export class ScriptedInput<T> {
  private readonly queue: T[] = [];
  private ended = false;
  private waiters: (() => void)[] = [];

  push(...records: T[]): void {
    this.queue.push(...records);
    this.release();
  }

  end(): void {
    this.ended = true;
    this.release();
  }

  source(): Source<T> {
    return {
      boundedness: "unbounded",
      createReader: () => ({
        pollNext: (output: SourceOutput<T>, maxRecords: number): InputStatus => {
          for (let n = 0; n < maxRecords && this.queue.length > 0; n++) output.collect(this.queue.shift()!);
          if (this.queue.length > 0) return "more-available";
          return this.ended ? "end-of-input" : "nothing-available";
        },
        isAvailable: (): Promise<void> =>
          this.queue.length > 0 || this.ended ? AVAILABLE : new Promise<void>((resolve) => this.waiters.push(resolve)),
      }),
    };
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** A sink that keeps what it receives in `records`, in arrival order. */
export class ListSink<T> {
  readonly records: T[] = [];
  sink(): Sink<T> {
    return { createWriter: () => ({ write: (record: T) => void this.records.push(record) }) };
  }
}

/** Resolves once `condition` holds, checking between turns of the event loop. Bounded by the test's timeout. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(1);
}
