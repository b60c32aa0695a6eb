import type { CoProcessFunction } from "../../api/functions.ts";
import { OperatorKeyedContext } from "./keyed-context.ts";
import type { OperatorContext, Output, StreamOperator } from "./operator.ts";
import { ProcessOperator } from "./process-operator.ts";

/** Runs a CoProcessFunction over two inputs; on keyed inputs each record's key is set first. */
export class CoProcessOperator<I1, I2, O> extends ProcessOperator<CoProcessFunction<I1, I2, O>, unknown, O> implements StreamOperator {
  override async open(context: OperatorContext, output: Output<unknown>): Promise<void> {
    this.keyed = context.keyed;
    this.ctx = new OperatorKeyedContext(context.keyed, context.clock, context.runtime.operatorName, context.recordTimestamp);
    await super.open(context, output);
  }

  processElement(record: unknown, inputIndex: 0 | 1): void {
    this.keyed?.setCurrentKeyOf(record, inputIndex);
    try {
      if (inputIndex === 0) this.userFunction.processElement1(record as I1, this.ctx, this.output);
      else this.userFunction.processElement2(record as I2, this.ctx, this.output);
    } catch (e) {
      this.fail(e);
    }
  }
}
