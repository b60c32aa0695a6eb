/**
 * The limit of the NATS sink's exactly-once guarantee: JetStream drops a message whose
 * `Nats-Msg-Id` it has seen within the stream's duplicate window, and only then. A record
 * published before a failure is published again after the restore, at most a checkpoint
 * interval (it was published after the last completed checkpoint) plus the time the job takes to
 * restart later; if the window is shorter, the second copy is kept. Pure.
 */

export interface DuplicateWindowCheck {
  /** The stream's duplicate window. */
  readonly windowMs: number;
  /** How often the job checkpoints. */
  readonly checkpointIntervalMs: number;
  /** The longest the job may take to fail, restart and publish again. */
  readonly restartTimeMs: number;
}

/** Why the window is too short for the guarantee, or undefined when it exceeds interval + restart time. */
export function duplicateWindowProblem({ windowMs, checkpointIntervalMs, restartTimeMs }: DuplicateWindowCheck): string | undefined {
  const needed = checkpointIntervalMs + restartTimeMs;
  if (windowMs > needed) return undefined;
  return (
    `its duplicate window (${windowMs} ms) does not exceed the checkpoint interval (${checkpointIntervalMs} ms) plus the restart time ` +
    `(${restartTimeMs} ms) = ${needed} ms, so a record published again after a restore could be kept twice: ` +
    `raise the stream's duplicate_window above ${needed} ms, or checkpoint more often`
  );
}

/** The message id of the `index`-th record (from 0) of the batch that checkpoint `checkpointId` covers, published by `subtask` of the run `runId`. */
export function checkpointMessageId(runId: string, subtask: number, checkpointId: number, index: number): string {
  return `${runId}:${subtask}:${checkpointId}:${index}`;
}
