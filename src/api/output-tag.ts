/**
 * Side outputs (Flink's OutputTag): a process function sends records to a named side output with
 * `ctx.output(tag, value)`, and `stream.getSideOutput(tag)` on the operator's stream reads them.
 * Side outputs are matched by id. Types are erased at run time, so one id stands for one record
 * type only through one tag object: two different tag objects with one id on one operator are
 * refused at graph-build time (WEIR_ERR_OUTPUT_TAG_CONFLICT).
 */
import { WeirError } from "../core/errors.ts";

export class OutputTag<T> {
  /** Never read: it keeps `OutputTag<A>` and `OutputTag<B>` apart for the type checker. */
  declare private readonly recordType?: T;

  constructor(readonly id: string) {
    if (typeof id !== "string" || id.length === 0) {
      throw new WeirError("WEIR_ERR_INVALID_OUTPUT_TAG", `an OutputTag id must be a non-empty string, got ${describe(id)}`);
    }
  }

  /** The tag's id (Flink's name for it). */
  getId(): string {
    return this.id;
  }

  toString(): string {
    return `OutputTag(${this.id})`;
  }
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : value === null ? "null" : typeof value;
}

/** `tag` itself when it is an OutputTag; `where` names the call that received it in the error. */
export function checkOutputTag<T>(tag: OutputTag<T>, where: string): OutputTag<T> {
  if (!(tag instanceof OutputTag)) {
    throw new WeirError("WEIR_ERR_INVALID_OUTPUT_TAG", `${where} expects an OutputTag, got ${describe(tag)}: create one with new OutputTag(id)`);
  }
  return tag;
}
