/**
 * The reader of a NATS JetStream source: reads each of its splits through an ordered consumer
 * (ephemeral, flow-controlled by fetching batches, recreated by the client after a gap or a lost
 * connection) that starts at the split's position.
 *
 * Contract: records are emitted in stream-sequence order per split, each message once per attempt;
 * a split's position is the sequence after the last message emitted, so messages fetched but not
 * yet emitted when a checkpoint is taken are read again after a restore. At most two fetches of
 * `fetchSize` messages are buffered per split. A bounded split ends after its end sequence, or
 * earlier once the server says no message of its filter is left (nothing can then come at or
 * below the end). Fetch failures that may pass (timeouts, a lost connection) are retried with
 * back-off; one that persists fails the job with the address and the cause.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { Consumer, JsMsg } from "@nats-io/jetstream";
import { loadJetStream } from "../../core/client-libraries.ts";
import { WeirError } from "../../core/errors.ts";
import { CountsInProcess, type ConnectorMetrics } from "../../runtime/metrics.ts";
import { AVAILABLE, type InputStatus } from "../../sources/source.ts";
import { checkSplit, isWholeNumber, promiseWithResolve, SourceReaderBase, type HeldSplit } from "../../sources/source-reader-base.ts";
import type { ReaderOutput, SplitReaderContext } from "../../sources/split-source.ts";
import type { NatsMessageMeta } from "./nats-codec.ts";
import { connectNats, describeNatsError, isTransientNatsError, lastCause, natsAddress, repeatNats, type NatsConnectionOptions } from "./nats-connection.ts";
import type { NatsStreamSplit } from "./nats-stream-split.ts";

/** What one reader of a NATS source counts. */
export interface NatsReaderCounts {
  /** Records emitted. */
  recordsIn: number;
  /**
   * Messages of the reader's filters in the stream after its positions, over its splits: the
   * consumer lag (the consumers' pending counts at the last fetch, and what was fetched but not
   * emitted yet).
   */
  lag: number;
}

/** Counts of a NATS source's readers in this process (see CountsInProcess). */
export class NatsSourceMetrics extends CountsInProcess<NatsReaderCounts> {
  constructor() {
    super(() => ({ recordsIn: 0, lag: 0 }));
  }

  /** Records emitted. */
  get recordsIn(): number {
    return this.sum("recordsIn");
  }

  /** The readers' consumer lag, summed (see NatsReaderCounts). */
  get lag(): number {
    return this.sum("lag");
  }
}

export interface NatsReaderSettings<T> {
  readonly connection: NatsConnectionOptions;
  readonly fetchSize: number;
  /** How long a fetch waits for messages when none are there. */
  readonly fetchWaitMs: number;
  readonly decode: (data: Uint8Array, message: NatsMessageMeta) => T;
  readonly counts: NatsReaderCounts;
  /** The source's name in messages. */
  readonly where: string;
}

/** What the reader keeps for one split besides its position. */
interface SplitFetch {
  consumer: Consumer | undefined;
  buffer: JsMsg[];
  /** Index of the next message of `buffer` to emit. */
  index: number;
  fetching: boolean;
  /** Nothing is left to read at or below the split's end. */
  drained: boolean;
  /** Messages after the last one fetched, as the server counted them. */
  pending: number;
  failure: unknown;
}

export class NatsStreamReader<T> extends SourceReaderBase<T, NatsStreamSplit> {
  private connection: NatsConnection | undefined;
  private readonly fetches = new Map<string, SplitFetch>();
  private fetchWaiter: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined;
  private closed = false;

  constructor(
    context: SplitReaderContext,
    private readonly settings: NatsReaderSettings<T>,
  ) {
    super(context);
  }

  metrics(): ConnectorMetrics {
    return { numRecordsIn: this.settings.counts.recordsIn, pendingRecords: this.settings.counts.lag };
  }

  override async start(): Promise<void> {
    this.connection = await connectNats(this.settings.connection, "source");
    await super.start();
  }

  protected override adopt(split: NatsStreamSplit): HeldSplit<NatsStreamSplit> {
    checkSplit(
      split,
      ({ stream, filter, next, end }) => typeof stream === "string" && (filter === null || typeof filter === "string") && isWholeNumber(next) && next >= 1 && (end === null || isWholeNumber(end)),
      "a split of a NATS stream",
      "a stream name, a filter (or null), a whole number next (at least 1) and end (or null)",
    );
    return { ...split };
  }

  protected readSplits(output: ReaderOutput<T>, maxRecords: number): InputStatus {
    let emitted = 0;
    let buffered = false;
    let lag = 0;
    for (const split of [...this.splits]) {
      const state = this.fetchOf(split);
      if (state.failure !== undefined) throw state.failure;
      const out = output.createOutputForSplit(split.splitId);
      while (emitted < maxRecords && state.index < state.buffer.length && !state.drained) {
        const message = state.buffer[state.index]!;
        const sequence = message.info.streamSequence;
        if (split.end !== null && sequence > split.end) {
          state.drained = true;
          break;
        }
        state.index++;
        out.collect(this.settings.decode(message.data, { stream: split.stream, subject: message.subject, sequence }));
        split.next = sequence + 1;
        emitted++;
        // No message of the filter is left in the stream, so none at or below the end can come.
        if (split.end !== null && (sequence >= split.end || message.info.pending === 0)) state.drained = true;
      }
      if (state.index >= state.buffer.length) {
        state.buffer = [];
        state.index = 0;
      }
      if (state.drained) {
        output.releaseOutputForSplit(split.splitId);
        this.fetches.delete(split.splitId);
        this.finishSplit(split);
        continue;
      }
      lag += state.pending + state.buffer.length - state.index;
      if (state.index < state.buffer.length) buffered = true;
      if (state.buffer.length - state.index < this.settings.fetchSize) this.fetch(split, state);
    }
    this.settings.counts.recordsIn += emitted;
    this.settings.counts.lag = lag;
    return emitted > 0 || buffered ? "more-available" : "nothing-available";
  }

  protected snapshotSplit(split: NatsStreamSplit): NatsStreamSplit {
    return { splitId: split.splitId, stream: split.stream, filter: split.filter, next: split.next, end: split.end };
  }

  protected override splitsAvailable(): Promise<void> {
    for (const split of this.splits) {
      const state = this.fetches.get(split.splitId);
      if (state === undefined || state.index < state.buffer.length || state.drained || state.failure !== undefined) return AVAILABLE;
      if (!state.fetching) return AVAILABLE;
    }
    this.fetchWaiter ??= promiseWithResolve();
    return this.fetchWaiter.promise;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeReader();
    await this.connection?.close().catch(() => {});
  }

  private fetchOf(split: HeldSplit<NatsStreamSplit>): SplitFetch {
    let state = this.fetches.get(split.splitId);
    if (state === undefined) {
      state = { consumer: undefined, buffer: [], index: 0, fetching: false, drained: split.end !== null && split.next > split.end, pending: 0, failure: undefined };
      this.fetches.set(split.splitId, state);
    }
    return state;
  }

  /** Fetches the split's next batch in the background; messages join its buffer as they arrive. */
  private fetch(split: HeldSplit<NatsStreamSplit>, state: SplitFetch): void {
    if (state.fetching || state.drained || this.closed) return;
    state.fetching = true;
    const { connection: options, fetchSize, fetchWaitMs } = this.settings;
    const read = async (): Promise<void> => {
      const { DeliverPolicy, jetstream } = await loadJetStream();
      state.consumer ??= await jetstream(this.connection!, { timeout: options.requestTimeoutMs }).consumers.get(split.stream, {
        ...(split.filter === null ? {} : { filter_subjects: split.filter }),
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: split.next,
      });
      const batch = await state.consumer.fetch({ max_messages: fetchSize, expires: fetchWaitMs });
      let received = 0;
      for await (const message of batch) {
        state.buffer.push(message);
        state.pending = message.info.pending;
        received++;
        if (received === 1) this.wakeReader();
      }
      // A bounded split whose filter matches nothing more: the server's count says so.
      if (received === 0 && split.end !== null && (await state.consumer.info()).num_pending === 0) state.drained = true;
    };
    repeatNats(options, read)
      .catch((e: unknown) => {
        if (!this.closed) state.failure = this.failure(split, e);
      })
      .finally(() => {
        state.fetching = false;
        this.wakeReader();
      });
  }

  private failure(split: NatsStreamSplit, error: unknown): WeirError {
    const cause = lastCause(error);
    if (cause instanceof WeirError) return cause;
    const what = `${this.settings.where}: reading stream ${split.stream}${split.filter === null ? "" : ` (subject ${split.filter})`} from sequence ${split.next} on NATS at ${natsAddress(this.settings.connection)} failed`;
    return new WeirError(isTransientNatsError(cause) ? "WEIR_ERR_SOURCE_UNREACHABLE" : "WEIR_ERR_SOURCE_IO", `${what}: ${describeNatsError(cause)}`, { cause });
  }

  private wakeReader(): void {
    const waiter = this.fetchWaiter;
    this.fetchWaiter = undefined;
    waiter?.resolve();
  }
}
