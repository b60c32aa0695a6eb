import type { MapFunction } from "../../api/functions.ts";
import type { StreamOperator } from "./operator.ts";
import { UserFunctionOperator, userCallable } from "./user-function.ts";

export class MapOperator<I, O> extends UserFunctionOperator<MapFunction<I, O>, O> implements StreamOperator {
  private readonly fn = userCallable<(value: I) => O>(this.userFunction, "map");

  processElement(record: unknown): void {
    let result: O;
    try {
      result = this.fn(record as I);
    } catch (e) {
      this.fail(e);
    }
    this.output.collect(result);
  }
}
