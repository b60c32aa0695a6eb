import type { FilterFunction } from "../../api/functions.ts";
import type { StreamOperator } from "./operator.ts";
import { UserFunctionOperator, userCallable } from "./user-function.ts";

export class FilterOperator<T> extends UserFunctionOperator<FilterFunction<T>, T> implements StreamOperator {
  private readonly fn = userCallable<(value: T) => boolean>(this.userFunction, "filter");
  /** It passes on the record it was given, which is its own. */
  readonly emitsOwnedRecords = true;

  processElement(record: unknown): void {
    let keep: boolean;
    try {
      keep = this.fn(record as T);
    } catch (e) {
      this.fail(e);
    }
    if (keep) this.output.collect(record as T);
  }
}
