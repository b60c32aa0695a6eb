/** The wiring between chained operators: counting, fan-out, and the input of a chained operator. */
import type { Output, StreamOperator } from "./operators/operator.ts";

/** Counts the records an operator emits. */
export class CountingOutput implements Output<unknown> {
  count = 0;
  constructor(private readonly target: Output<unknown>) {}
  collect(record: unknown): void {
    this.count++;
    this.target.collect(record);
  }
}

export class FanOutOutput implements Output<unknown> {
  constructor(private readonly targets: readonly Output<unknown>[]) {}
  collect(record: unknown): void {
    for (let i = 0; i < this.targets.length; i++) this.targets[i]!.collect(record);
  }
}

/** Feeds a chained operator by direct call. */
export class ChainedInput implements Output<unknown> {
  constructor(private readonly operator: StreamOperator) {}
  collect(record: unknown): void {
    this.operator.processElement(record, 0);
  }
}

export const DISCARD: Output<unknown> = { collect: () => {} };

export function combineOutputs(targets: readonly Output<unknown>[]): Output<unknown> {
  if (targets.length === 0) return DISCARD;
  if (targets.length === 1) return targets[0]!;
  return new FanOutOutput(targets);
}
