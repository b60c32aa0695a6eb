/**
 * The base for exactly-once sinks: output is written into transactions that become visible only
 * when the checkpoint that covers them completes.
 *
 * Protocol, per writer: records go into the current transaction. When checkpoint n is taken the
 * current transaction is pre-committed (made durable, not yet visible) and set aside as pending
 * for n, and a new one begins; both are part of the checkpoint's state. When checkpoint n
 * completes, every pending transaction up to n is committed. An aborted checkpoint's transaction
 * stays pending and is committed with the next checkpoint that completes. After a restore from
 * checkpoint n, the pending transactions stored in it are committed again (`commit` must be
 * idempotent: the first attempt may have succeeded before the failure) and the transaction that
 * was current at n is aborted. A restore at another parallelism does so for the transactions of
 * every old subtask: subtask i takes over those of the old subtasks j with j mod parallelism = i. Without checkpointing, the transaction is committed at end of input.
 *
 * What an implementation guarantees: `preCommit` leaves the transaction such that `commit` can
 * succeed after any crash; `commit` and `abort` may run again for a transaction already committed
 * or aborted, and then do nothing. What this base does NOT guarantee: visibility before the
 * checkpoint completes (none), or anything if transactions are lost outside the sink (for example
 * a database that times out prepared transactions).
 */
import { committedThrough, type CommittedReader, type Sink, type SinkContext, type SinkWriter } from "./sink.ts";
import { faultPoint } from "../runtime/fault-hooks.ts";
import type { ConnectorMetrics } from "../runtime/metrics.ts";

export interface TransactionalWriter<T, TXN> {
  /** Starts a transaction; the handle is stored in checkpoints, so it must be plain data. */
  beginTransaction(): TXN | Promise<TXN>;
  write(transaction: TXN, record: T): void;
  /**
   * Makes the transaction durable, not yet visible. `checkpointId` is the checkpoint that covers it
   * (undefined at end of input without checkpointing), for writers that name transactions after it.
   */
  preCommit(transaction: TXN, checkpointId?: number): void | Promise<void>;
  commit(transaction: TXN): void | Promise<void>;
  abort(transaction: TXN): void | Promise<void>;
  /**
   * Called once before the first transaction begins, with every transaction the restored
   * checkpoint gave this subtask (none on a fresh start): discard leftovers of earlier attempts
   * that are not among them (they belong to checkpoints that never completed). `resumed` tells a
   * restore from a fresh start when `known` is empty: a rescaled sink's new subtask resumes with
   * nothing of its own.
   */
  discardStrays?(known: readonly TXN[], resumed: boolean): void | Promise<void>;
  /** Connector metrics, as SinkWriter.metrics; `numRecordsOut` counts committed records. */
  metrics?(): ConnectorMetrics;
  close?(): void | Promise<void>;
}

/** What the writer stores in each checkpoint. */
export interface TwoPhaseCommitState<TXN> {
  readonly pending: readonly (readonly [checkpointId: number, transaction: TXN])[];
  readonly current: TXN;
}

class TwoPhaseCommitSinkWriter<T, TXN> implements SinkWriter<T> {
  private pending: [number, TXN][] = [];
  private current!: TXN;

  constructor(
    private readonly writer: TransactionalWriter<T, TXN>,
    private readonly checkpointing: boolean,
  ) {}

  /** `restored` holds the state of every old subtask this one takes over (several after a rescale). */
  async start(restored: readonly TwoPhaseCommitState<TXN>[], resumed: boolean): Promise<void> {
    const known: TXN[] = [];
    for (const state of restored) {
      for (const [, transaction] of state.pending) await this.writer.commit(transaction);
      await this.writer.abort(state.current);
      known.push(...state.pending.map(([, t]) => t), state.current);
    }
    await this.writer.discardStrays?.(known, resumed);
    this.current = await this.writer.beginTransaction();
  }

  write(record: T): void {
    this.writer.write(this.current, record);
  }

  async snapshotState(checkpointId: number): Promise<TwoPhaseCommitState<TXN>> {
    await this.writer.preCommit(this.current, checkpointId);
    this.pending.push([checkpointId, this.current]);
    this.current = await this.writer.beginTransaction();
    return { pending: this.pending.slice(), current: this.current };
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    while (this.pending.length > 0 && this.pending[0]![0] <= checkpointId) {
      faultPoint("before-commit");
      await this.writer.commit(this.pending[0]![1]);
      this.pending.shift();
    }
  }

  async flush(): Promise<void> {
    if (this.checkpointing) return;
    await this.writer.preCommit(this.current);
    await this.writer.commit(this.current);
    this.current = await this.writer.beginTransaction();
  }

  metrics(): ConnectorMetrics | undefined {
    return this.writer.metrics?.();
  }

  /** The current transaction holds nothing a completed checkpoint covers: it is dropped. */
  async close(): Promise<void> {
    await this.writer.abort(this.current);
    await this.writer.close?.();
  }
}

/**
 * `readBack`, when given, reads what the target committed (see CommittedReader), so that runs of
 * the job can be compared (`weir crash-test`); without it the sink's output is not compared.
 */
export function twoPhaseCommitSink<T, TXN>(
  create: (context: SinkContext) => TransactionalWriter<T, TXN> | Promise<TransactionalWriter<T, TXN>>,
  readBack?: CommittedReader,
): Sink<T> {
  const committed = committedThrough(readBack, "exactly-once");
  return {
    ...(committed === undefined ? {} : { committed }),
    async createWriter(context) {
      const writer = new TwoPhaseCommitSinkWriter<T, TXN>(await create(context), context.checkpointing);
      await writer.start(context.restoredStates as TwoPhaseCommitState<TXN>[], context.restoredCheckpointId !== undefined);
      return writer;
    },
  };
}
