import type { ReduceFunction } from "../../api/functions.ts";
import { ValueStateDescriptor } from "../../state/descriptors.ts";
import type { ValueState } from "../../state/state.ts";
import type { KeyedServices } from "../keyed-services.ts";
import { requireKeyed } from "./keyed-context.ts";
import type { OperatorContext, Output, StreamOperator } from "./operator.ts";
import { UserFunctionOperator, userCallable } from "./user-function.ts";

/**
 * A rolling reduce per key: each record is folded into the key's running value, and the new
 * running value is emitted. Also serves sum/min/max by field, which are reduce functions.
 */
export class ReduceOperator<T> extends UserFunctionOperator<ReduceFunction<T>, T> implements StreamOperator {
  private readonly fn = userCallable<(accumulated: T, value: T) => T>(this.userFunction, "reduce");
  private keyed!: KeyedServices;
  private state!: ValueState<T>;

  override async open(context: OperatorContext, output: Output<unknown>): Promise<void> {
    this.keyed = requireKeyed(context, "a keyed reduce");
    this.state = this.keyed.backend.getState(new ValueStateDescriptor<T>("_reduce")) as ValueState<T>;
    await super.open(context, output);
  }

  processElement(record: unknown): void {
    this.keyed.setCurrentKeyOf(record, 0);
    const current = this.state.value();
    let next: T;
    try {
      next = current === undefined ? (record as T) : this.fn(current, record as T);
    } catch (e) {
      this.fail(e);
    }
    this.state.update(next);
    this.output.collect(next);
  }
}
