import type { ProcessFunction } from "../../api/functions.ts";
import { OperatorKeyedContext } from "./keyed-context.ts";
import type { OperatorContext, Output, StreamOperator } from "./operator.ts";
import { UserFunctionOperator } from "./user-function.ts";

/** Runs a ProcessFunction on a stream that is not keyed: no key, no keyed state, no timers. */
export class NonKeyedProcessOperator<I, O> extends UserFunctionOperator<ProcessFunction<I, O>, O> implements StreamOperator {
  private ctx!: OperatorKeyedContext<never>;

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

  processWatermark(watermark: number): void {
    this.ctx.watermarkAdvanced(watermark);
    this.output.emitWatermark?.(watermark);
  }
}
