/**
 * A custom split-based source: tickets numbered in batches, each batch a split. The enumerator
 * hands the next batch to whichever reader asks; a reader reads its batch, remembering how far it
 * got, and asks again. Checkpoints keep the batches no reader has taken yet (the enumerator's
 * state) and each reader's batches with the next ticket number (the readers' state), so a
 * restore reads every ticket once, at any parallelism: the readers' batches are dealt out to
 * the new readers. A keyed count and a committing file sink
 * make the output exactly once: kill the job at any moment and resume it with `--from latest`.
 *
 *   npx weir run examples/custom-split-source.ts -p 2 --checkpoint-interval 200 --checkpoint-dir /tmp/chk \
 *     -- --batches 40 --batch-size 1000 --out /tmp/tickets
 */
import { committingFileSink, defineJob, SourceReaderBase } from "weir";
import type { InputStatus, SourceOutput, SourceSplit, SplitEnumerator, SplitEnumeratorContext, SplitReaderContext, SplitSource } from "weir";
import { CountPerKey } from "./exactly-once.ts";

export interface Ticket {
  /** The counter the ticket goes to: its batch modulo the number of counters. */
  readonly key: number;
  readonly seq: number;
}

/** Tickets next, next + 1, … below end; `next` is the split's position. */
export interface TicketBatch extends SourceSplit {
  readonly next: number;
  readonly end: number;
}

/** What a checkpoint keeps of the enumerator: the batches not handed out yet. */
export interface TicketEnumeratorState {
  readonly pending: readonly TicketBatch[];
}

export function ticketSource(batches: number, batchSize: number, keys: number, ticketsPerSecond?: number): SplitSource<Ticket, TicketBatch, TicketEnumeratorState> {
  const all = Array.from({ length: batches }, (_, b) => ({ splitId: String(b), next: b * batchSize, end: (b + 1) * batchSize }));
  return {
    boundedness: "bounded",
    emitsOwnedRecords: true,
    createEnumerator: (context) => new TicketEnumerator(context, all),
    restoreEnumerator: (context, state) => new TicketEnumerator(context, state.pending),
    createReader: (context) => new TicketReader(context, batchSize, keys, ticketsPerSecond),
  };
}

/** Runs in the job master: one batch per request, in order; "no more splits" once all are out. */
class TicketEnumerator implements SplitEnumerator<TicketBatch, TicketEnumeratorState> {
  private readonly pending: TicketBatch[];

  constructor(
    private readonly context: SplitEnumeratorContext<TicketBatch>,
    pending: readonly TicketBatch[],
  ) {
    this.pending = [...pending];
  }

  start(): void {}

  addReader(): void {}

  handleSplitRequest(subtaskId: number): void {
    const batch = this.pending.shift();
    if (batch === undefined) this.context.signalNoMoreSplits(subtaskId);
    else this.context.assignSplit(batch, subtaskId);
  }

  snapshotState(): TicketEnumeratorState {
    return { pending: [...this.pending] };
  }
}

/** Runs in a task thread: reads the batches it was given, one after another, optionally paced. */
class TicketReader extends SourceReaderBase<Ticket, TicketBatch> {
  private pause: Promise<void> | undefined;

  constructor(
    context: SplitReaderContext,
    private readonly batchSize: number,
    private readonly keys: number,
    private readonly ticketsPerSecond: number | undefined,
  ) {
    super(context);
  }

  protected readSplits(output: SourceOutput<Ticket>, maxRecords: number): InputStatus {
    if (this.pause !== undefined) return "nothing-available";
    const batch = this.splits[0]!;
    // Paced: at most a millisecond's worth of tickets per poll, then a millisecond's pause.
    const budget = this.ticketsPerSecond === undefined ? maxRecords : Math.min(maxRecords, Math.max(1, Math.floor(this.ticketsPerSecond / 1000)));
    for (let emitted = 0; emitted < budget && batch.next < batch.end; emitted++) {
      output.collect({ key: Math.floor(batch.next / this.batchSize) % this.keys, seq: batch.next });
      batch.next++;
    }
    if (batch.next === batch.end) this.finishSplit(batch);
    if (this.ticketsPerSecond !== undefined) {
      this.pause = new Promise((resolve) =>
        setTimeout(() => {
          this.pause = undefined;
          resolve();
        }, 1),
      );
    }
    return "more-available";
  }

  protected override splitsAvailable(): Promise<void> {
    return this.pause ?? Promise.resolve();
  }

  protected snapshotSplit(batch: TicketBatch): TicketBatch {
    return { splitId: batch.splitId, next: batch.next, end: batch.end };
  }
}

export default defineJob((env, args) => {
  const batches = args.number("batches", 20, { min: 1, integer: true });
  const batchSize = args.number("batch-size", 500, { min: 1, integer: true });
  const keys = args.number("keys", 5, { min: 1, integer: true });
  const rate = args.number("rate", undefined, { min: 1 });
  const out = args.string("out", "./.weir/tickets-out");
  env
    .fromSource(ticketSource(batches, batchSize, keys, rate), "tickets")
    .uid("tickets")
    .keyBy((t) => t.key)
    .process(new CountPerKey<Ticket>())
    .uid("count-per-counter")
    .sinkTo(committingFileSink<string>({ dir: out }))
    .uid("committed-counts");
});
