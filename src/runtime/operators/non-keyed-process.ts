import type { ProcessFunction } from "../../api/functions.ts";
import { OperatorKeyedContext } from "./keyed-context.ts";
import type { OperatorContext, Output, StreamOperator } from "./operator.ts";
import { ProcessOperator, type TimedFunction } from "./process-operator.ts";

/** Runs a ProcessFunction on a stream that is not keyed: no key, no keyed state, no timers (a ProcessFunction has no onTimer). */
export class NonKeyedProcessOperator<I, O> extends ProcessOperator<ProcessFunction<I, O> & TimedFunction<never, O>, never, O> implements StreamOperator {
  override async open(context: OperatorContext, output: Output<unknown>): Promise<void> {
    this.ctx = new OperatorKeyedContext<never>(undefined, context);
    await super.open(context, output);
  }

  processElement(record: unknown): void {
    try {
      this.userFunction.processElement(record as I, this.ctx, this.output);
    } catch (e) {
      this.fail(e);
    }
  }
}
