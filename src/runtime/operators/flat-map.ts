import type { Collector, FlatMapFunction } from "../../api/functions.ts";
import type { StreamOperator } from "./operator.ts";
import { UserFunctionOperator, userCallable } from "./user-function.ts";

export class FlatMapOperator<I, O> extends UserFunctionOperator<FlatMapFunction<I, O>, O> implements StreamOperator {
  private readonly fn = userCallable<(value: I, out: Collector<O>) => Iterable<O> | void>(this.userFunction, "flatMap");

  /** Downstream failures arrive already tagged, so iterating inside the guard mislabels nothing. */
  processElement(record: unknown): void {
    try {
      const results = this.fn(record as I, this.output);
      if (results !== undefined) for (const r of results) this.output.collect(r);
    } catch (e) {
      this.fail(e);
    }
  }
}
