/**
 * What a split of a NATS JetStream source is, and how its enumerator deals the splits out.
 *
 * A split is one subject filter of one stream (or the whole stream when no subjects are given),
 * read in stream-sequence order. Its position is the stream sequence of the next message to
 * read, so a restore resumes right after the last message emitted before the checkpoint. Splits
 * of one source must not overlap (subjects such as `orders.eu.>` and `orders.us.>`): a message
 * matching two filters is read by both splits.
 *
 * The enumerator resolves the splits once, when the job first starts: it asks the server for the
 * stream's first and last sequence (for the start position and the bounded end), in the job
 * master, off its calls (`callAsync`). Then it deals them out, split i to reader i mod
 * parallelism, and, for a bounded source, tells every reader that no more come. Its checkpoint
 * holds the splits it has not dealt (null before they were resolved: a restore resolves them).
 */
import type { SplitEnumerator, SplitEnumeratorContext, SourceSplit } from "../../sources/split-source.ts";

export interface NatsStreamSplit extends SourceSplit {
  readonly stream: string;
  /** The subject filter; null for every message of the stream. */
  readonly filter: string | null;
  /** The stream sequence of the next message to read: the split's position. */
  readonly next: number;
  /** The last stream sequence to read, for a bounded source; null when unbounded. */
  readonly end: number | null;
}

export interface NatsEnumeratorState {
  /** Splits not dealt to a reader yet; null while they are not resolved. */
  readonly unassigned: readonly NatsStreamSplit[] | null;
}

/** What the server says of the stream when the job first starts. */
export interface StreamBounds {
  readonly firstSequence: number;
  readonly lastSequence: number;
}

export type NatsStartPosition = "first" | "new" | { readonly sequence: number };
export type NatsStopPosition = "latest" | { readonly sequence: number };

/** The splits of a first start, from the stream's bounds. Pure. */
export function initialNatsSplits(
  stream: string,
  filters: readonly string[] | undefined,
  start: NatsStartPosition,
  stop: NatsStopPosition | undefined,
  bounds: StreamBounds,
): NatsStreamSplit[] {
  const next = start === "first" ? Math.max(1, bounds.firstSequence) : start === "new" ? bounds.lastSequence + 1 : start.sequence;
  const end = stop === undefined ? null : stop === "latest" ? bounds.lastSequence : stop.sequence;
  return (filters ?? [null]).map((filter) => ({ splitId: filter === null ? stream : `${stream}:${filter}`, stream, filter, next, end }));
}

export class NatsSplitEnumerator implements SplitEnumerator<NatsStreamSplit, NatsEnumeratorState> {
  private unassigned: NatsStreamSplit[] | null;

  constructor(
    private readonly context: SplitEnumeratorContext<NatsStreamSplit>,
    restored: NatsEnumeratorState | undefined,
    private readonly bounded: boolean,
    /** Resolves the splits of a first start (I/O: asks the server). */
    private readonly resolve: () => Promise<NatsStreamSplit[]>,
  ) {
    this.unassigned = restored?.unassigned == null ? null : [...restored.unassigned];
  }

  start(): void {
    if (this.unassigned !== null) {
      this.deal();
      return;
    }
    this.context.callAsync(this.resolve, (splits, error) => {
      if (error !== undefined) throw error;
      this.unassigned = splits!;
      this.deal();
    });
  }

  addReader(subtaskId: number): void {
    if (this.bounded && this.unassigned !== null) this.context.signalNoMoreSplits(subtaskId);
  }

  /** Splits are dealt out as soon as they are known; a request finds nothing more. */
  handleSplitRequest(): void {}

  snapshotState(): NatsEnumeratorState {
    return { unassigned: this.unassigned };
  }

  private deal(): void {
    const splits = this.unassigned!;
    const parallelism = this.context.currentParallelism();
    const assignment = new Map<number, NatsStreamSplit[]>();
    splits.forEach((split, i) => {
      const reader = i % parallelism;
      assignment.set(reader, [...(assignment.get(reader) ?? []), split]);
    });
    this.unassigned = [];
    if (assignment.size > 0) this.context.assignSplits(assignment);
    if (this.bounded) for (const reader of this.context.registeredReaders()) this.context.signalNoMoreSplits(reader);
  }
}
