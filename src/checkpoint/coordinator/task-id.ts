/** Task ids: how checkpoint bookkeeping names the tasks that must acknowledge a checkpoint. */
import { invalidArgument } from "../../core/errors.ts";
import type { SubtaskIndex, VertexId } from "../../core/ids.ts";

declare const brand: unique symbol;

/** One parallel instance of a job vertex, written "<vertex id>:<subtask index>"; compared as a string. */
export type TaskId = string & { readonly [brand]: "TaskId" };

/** The task running subtask `subtask` of vertex `vertex`; both are non-negative safe integers. */
export function taskId(vertex: VertexId | number, subtask: SubtaskIndex | number): TaskId {
  for (const [name, n] of [["vertex", vertex], ["subtask", subtask]] as const) {
    if (!Number.isSafeInteger(n) || n < 0) throw invalidArgument(`a task's ${name} is a non-negative safe integer, got ${String(n)}`);
  }
  return `${vertex}:${subtask}` as TaskId;
}
