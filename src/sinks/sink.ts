/**
 * The sink contract. Each parallel subtask of a sink creates one writer. Writes are synchronous
 * and must not block for long (buffer, and do slow I/O in `flush`/`close`, which may be async).
 * This plain contract promises at-least-once delivery only when a later layer replays records;
 * on its own it promises nothing across failures.
 */
import type { JobArgs } from "../api/job-args.ts";
import type { ClientChannel } from "../runtime/operators/operator.ts";

export interface SinkContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly args: JobArgs;
  /** Stable identity of the sink operator within the job (its uid, or a derived name). */
  readonly operatorId: string;
  /** Hands records to the process that submitted the job (used by collecting sinks). */
  readonly client: ClientChannel;
}

export interface SinkWriter<T> {
  write(record: T): void;
  /** Called once at the end of input, before close. */
  flush?(): void | Promise<void>;
  close?(): void | Promise<void>;
}

export interface Sink<T> {
  createWriter(context: SinkContext): SinkWriter<T> | Promise<SinkWriter<T>>;
}
