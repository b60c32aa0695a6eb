/**
 * A write-ahead sink, for targets that cannot take part in transactions: records are held in the
 * checkpointed state of the writer and handed to the target only once the checkpoint that covers
 * them has completed, one batch per (subtask, checkpoint).
 *
 * Guarantee: every record reaches the target at least once, and only after its checkpoint
 * completed, so records of a failed attempt never reach it. A batch may be handed over again when
 * the job fails after the target took it but before the next checkpoint: the target receives the
 * subtask and checkpoint id with every batch, and deduplicating on that pair makes the output
 * exactly-once. Without checkpointing, records are handed over at end of input.
 */
import { committedThrough, type CommittedReader, type Sink, type SinkWriter } from "./sink.ts";

export interface WriteAheadBatch<T> {
  readonly subtask: number;
  /** The checkpoint that covers the records (-1 at end of input without checkpointing). */
  readonly checkpointId: number;
  readonly records: readonly T[];
}

export type WriteAheadTarget<T> = (batch: WriteAheadBatch<T>) => void | Promise<void>;

/**
 * A batch held until its checkpoint completes, with the subtask that wrote it: after a rescale a
 * subtask hands over batches of old subtasks under their index. (Checkpoints of older versions
 * hold no index; their batches go under the restoring subtask's.)
 */
type Pending<T> = [checkpointId: number, records: T[], subtask?: number];

class WriteAheadSinkWriter<T> implements SinkWriter<T> {
  private buffer: T[] = [];

  constructor(
    private readonly subtask: number,
    private readonly target: WriteAheadTarget<T>,
    private pending: Pending<T>[],
    private readonly checkpointing: boolean,
  ) {}

  write(record: T): void {
    this.buffer.push(record);
  }

  snapshotState(checkpointId: number): readonly Pending<T>[] {
    if (this.buffer.length > 0) this.pending.push([checkpointId, this.buffer, this.subtask]);
    this.buffer = [];
    return this.pending.slice();
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    while (this.pending.length > 0 && this.pending[0]![0] <= checkpointId) {
      const [id, records, subtask] = this.pending[0]!;
      await this.target({ subtask: subtask ?? this.subtask, checkpointId: id, records });
      this.pending.shift();
    }
  }

  async flush(): Promise<void> {
    if (this.checkpointing || this.buffer.length === 0) return;
    await this.target({ subtask: this.subtask, checkpointId: -1, records: this.buffer });
    this.buffer = [];
  }
}

/**
 * `readBack`, when given, reads what the target received (see CommittedReader): at least once,
 * unless it says it deduplicates (`guarantee: "exactly-once"`).
 */
export function writeAheadSink<T>(target: WriteAheadTarget<T>, readBack?: CommittedReader): Sink<T> {
  const committed = committedThrough(readBack, "at-least-once");
  return {
    ...(committed === undefined ? {} : { committed }),
    async createWriter(context) {
      // Batches taken over from another subtask keep its index, so (subtask, checkpoint) stays a unique batch id.
      const restored = (context.restoredStates as Pending<T>[][]).flat();
      const writer = new WriteAheadSinkWriter<T>(context.subtaskIndex, target, restored, context.checkpointing);
      // Batches of the restored checkpoint are covered by it: it completed, so hand them over now.
      if (context.restoredCheckpointId !== undefined) await writer.notifyCheckpointComplete(context.restoredCheckpointId);
      return writer;
    },
  };
}
