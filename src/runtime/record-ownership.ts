/**
 * Who holds a record, and where it must be copied. Guarantee (Flink's default, object reuse off):
 * nothing an operator does to a record it received can change what another operator received,
 * emitted or stored.
 *
 * A record is copied on its way from a producer to a consumer only where sharing could do harm:
 * - the consumer may keep or change the record (user functions, buffering writers, most sinks),
 *   unlike a consumer that only reads it before its call returns (`readsRecordsOnly`);
 * - and the producer may still hold the record (a user function that keeps it in state or a
 *   field, or emits one object twice; an aggregation emitting its accumulator), unlike a producer
 *   whose records nobody else holds (`emitsOwnedRecords`: a filter passing on its own input, a
 *   built-in source making a new object per record) — or the record also goes to another consumer.
 * A producer's own record goes, uncopied, to the last consumer that may change it, after every
 * other consumer took its copy or read it. Records decoded from another thread are new objects;
 * records in a batch handed to a task of the same thread belong to that task.
 *
 * With object reuse on, nothing is copied: the job promises never to change a record it received
 * or emitted, nor a value it put in state and also emitted.
 */
import { deepCopy } from "../core/deep-copy.ts";
import type { Output } from "./operators/operator.ts";

/** A place records are handed to, and whether it only reads them. */
export interface RecordTarget {
  readonly output: Output<unknown>;
  readonly readsRecordsOnly: boolean;
}

/** Hands each record on as a copy of its own. */
export class CopyingOutput implements Output<unknown> {
  constructor(private readonly target: Output<unknown>) {}
  collect(record: unknown): void {
    this.target.collect(deepCopy(record));
  }
  emitWatermark(watermark: number): void {
    this.target.emitWatermark?.(watermark);
  }
  emitWatermarkStatus(idle: boolean): void {
    this.target.emitWatermarkStatus?.(idle);
  }
}

/**
 * The outputs a producer emits into, in the order to call them, each copying where the rules
 * above require it.
 */
export function protectedOutputs(targets: readonly RecordTarget[], producerOwnsRecords: boolean, objectReuse: boolean): Output<unknown>[] {
  if (objectReuse) return targets.map((t) => t.output);
  const first: Output<unknown>[] = [];
  let owner: Output<unknown> | undefined;
  for (const target of targets) {
    if (target.readsRecordsOnly) first.push(target.output);
    else if (producerOwnsRecords && owner === undefined) owner = target.output;
    else first.push(new CopyingOutput(target.output));
  }
  if (owner !== undefined) first.push(owner);
  return first;
}
