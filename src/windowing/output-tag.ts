/** Names a side output and the type of its records (Flink's OutputTag); tags compare by id. */
import { invalidArgument } from "../core/errors.ts";

export class OutputTag<T> {
  declare readonly __type?: T;

  constructor(readonly id: string) {
    if (typeof id !== "string" || id.length === 0) throw invalidArgument(`an OutputTag needs a non-empty id, got ${JSON.stringify(id)}`);
  }

  getId(): string {
    return this.id;
  }

  toString(): string {
    return `OutputTag(${this.id})`;
  }
}
