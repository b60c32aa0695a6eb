/**
 * The side outputs of one operator, by tag id. Each is wired like a main output: to chained
 * consumers by direct call and to other tasks through record writers, copying records where
 * sharing could let one receiver change another's (record-ownership.ts).
 */
import { checkOutputTag, type OutputTag } from "../api/output-tag.ts";
import type { Output } from "./operators/operator.ts";

export class SideOutputs {
  /** Where a bad tag was given, for the error; built once, not per record. */
  private readonly where: string;

  constructor(
    operatorName: string,
    private readonly outputs: ReadonlyMap<string, Output<unknown>>,
  ) {
    this.where = `ctx.output() in operator '${operatorName}'`;
  }

  /** Sends `record` to the side output of `tag`; records for a side output nobody reads are dropped, as in Flink. */
  emit(tag: OutputTag<unknown>, record: unknown): void {
    checkOutputTag(tag, this.where);
    this.outputs.get(tag.id)?.collect(record);
  }
}
