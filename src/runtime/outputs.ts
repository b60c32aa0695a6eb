/** The wiring between chained operators: counting, fan-out, and the input of a chained operator. */
import type { Output, StreamOperator } from "./operators/operator.ts";

/** Counts the records an operator emits; watermarks also go to `watermarksAlso` (the operator's side outputs). */
export class CountingOutput implements Output<unknown> {
  count = 0;
  constructor(
    private readonly target: Output<unknown>,
    private readonly watermarksAlso: readonly Output<unknown>[] = [],
  ) {}
  collect(record: unknown): void {
    this.count++;
    this.target.collect(record);
  }
  emitWatermark(watermark: number): void {
    this.target.emitWatermark?.(watermark);
    for (const other of this.watermarksAlso) other.emitWatermark?.(watermark);
  }
  emitWatermarkStatus(idle: boolean): void {
    this.target.emitWatermarkStatus?.(idle);
    for (const other of this.watermarksAlso) other.emitWatermarkStatus?.(idle);
  }
}

export class FanOutOutput implements Output<unknown> {
  constructor(private readonly targets: readonly Output<unknown>[]) {}
  collect(record: unknown): void {
    for (let i = 0; i < this.targets.length; i++) this.targets[i]!.collect(record);
  }
  emitWatermark(watermark: number): void {
    for (const target of this.targets) target.emitWatermark?.(watermark);
  }
  emitWatermarkStatus(idle: boolean): void {
    for (const target of this.targets) target.emitWatermarkStatus?.(idle);
  }
}

/** Hands a watermark to `operator`, or past it to its output when it does not handle watermarks. */
export function deliverWatermark(operator: StreamOperator, output: Output<unknown>, watermark: number): void {
  if (operator.processWatermark !== undefined) operator.processWatermark(watermark);
  else output.emitWatermark?.(watermark);
}

/** Hands a watermark status to `operator`, or past it to its output when it does not handle it. */
export function deliverWatermarkStatus(operator: StreamOperator, output: Output<unknown>, idle: boolean): void {
  if (operator.processWatermarkStatus !== undefined) operator.processWatermarkStatus(idle);
  else output.emitWatermarkStatus?.(idle);
}

/** Feeds a chained operator by direct call; `operatorOutput` is where it emits (watermarks pass through to it). */
export class ChainedInput implements Output<unknown> {
  constructor(
    private readonly operator: StreamOperator,
    private readonly operatorOutput: Output<unknown>,
  ) {}
  collect(record: unknown): void {
    this.operator.processElement(record, 0);
  }
  emitWatermark(watermark: number): void {
    deliverWatermark(this.operator, this.operatorOutput, watermark);
  }
  emitWatermarkStatus(idle: boolean): void {
    deliverWatermarkStatus(this.operator, this.operatorOutput, idle);
  }
}

export const DISCARD: Output<unknown> = { collect: () => {}, emitWatermark: () => {}, emitWatermarkStatus: () => {} };

export function combineOutputs(targets: readonly Output<unknown>[]): Output<unknown> {
  if (targets.length === 0) return DISCARD;
  if (targets.length === 1) return targets[0]!;
  return new FanOutOutput(targets);
}
