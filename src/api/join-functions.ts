/**
 * The functions of window joins and co-groups, with Flink's names. Each is an abstract class, so a
 * function may extend it (its kind is then known by `instanceof`, and it has the lifecycle hooks
 * of any rich function) or implement it (only the one method is required); the Rich* names are
 * the same classes, for code written against Flink's RichJoinFunction and friends.
 */
import { AbstractRichFunction, type Collector, type Lifecycle } from "./functions.ts";

/** One result per pair of elements, one of each side, of a key and window. */
export abstract class JoinFunction<A, B, O> extends AbstractRichFunction {
  abstract join(first: A, second: B): O;
}

/** Any number of results per pair of elements, emitted through `out`. */
export abstract class FlatJoinFunction<A, B, O> extends AbstractRichFunction {
  abstract join(first: A, second: B, out: Collector<O>): void;
}

/** Both sides' elements of a key and window (one side possibly empty). */
export abstract class CoGroupFunction<A, B, O> extends AbstractRichFunction {
  abstract coGroup(first: Iterable<A>, second: Iterable<B>, out: Collector<O>): void;
}

export { JoinFunction as RichJoinFunction, FlatJoinFunction as RichFlatJoinFunction, CoGroupFunction as RichCoGroupFunction };

/**
 * Whether a join function given to `apply` is flat (emits through `out`): by its class when it
 * extends JoinFunction or FlatJoinFunction, else by the parameters its function (or its `join`
 * method) declares: three or more make it flat, as `(first, second, out) => void`.
 */
export function isFlatJoinFunction(fn: unknown): boolean {
  if (fn instanceof FlatJoinFunction) return true;
  if (fn instanceof JoinFunction) return false;
  const join = typeof fn === "function" ? fn : (fn as (Lifecycle & { join?: unknown }) | null)?.join;
  return typeof join === "function" && join.length >= 3;
}
