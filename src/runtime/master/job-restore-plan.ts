/**
 * The restore plan of a job, with its states compared: plans by operator first
 * (restore-plan.ts), learns what the job's operators ask for without records
 * (declared-states.ts), reads the states of the checkpoint operators they restore
 * (stored-states.ts), and plans again with both. `weir savepoint check` and every `--from`
 * restore use it, before anything starts.
 */
import { dirname } from "node:path";
import type { JobGraph } from "../../graph/job-graph.ts";
import { declaredStates } from "../declared-states.ts";
import { jobOperators, planRestore, type JobOperator, type RestorePlan, type RestoreSettings } from "./restore-plan.ts";
import type { RestorePoint } from "./restore-point.ts";
import { FileCheckpointStorage } from "../../checkpoint/storage/file-checkpoint-storage.ts";
import { storedStates } from "./stored-states.ts";

export interface JobRestorePlan {
  readonly operators: readonly JobOperator[];
  readonly plan: RestorePlan;
}

export async function planJobRestore(point: RestorePoint, job: JobGraph, args: readonly string[], settings: Omit<RestoreSettings, "storedStates">): Promise<JobRestorePlan> {
  const byOperator = jobOperators(job);
  const first = planRestore(point.metadata, byOperator, settings);
  const declared = await declaredStates(job, args);
  const restoredInspected = new Set([...first.sourceOf].filter(([operatorId]) => declared.has(operatorId)).map(([, from]) => from));
  if (restoredInspected.size === 0) return { operators: byOperator, plan: first };
  const metadata = { operators: point.metadata.operators.filter((o) => restoredInspected.has(o.operatorId)) };
  // State handles read from metadata are absolute: any root reads them.
  const stored = await storedStates(metadata, new FileCheckpointStorage({ jobId: point.metadata.jobId, root: dirname(point.path) }));
  const operators = byOperator.map((o) => {
    const states = declared.get(o.operatorId);
    return states === undefined ? o : { ...o, states };
  });
  return { operators, plan: planRestore(point.metadata, operators, { ...settings, storedStates: stored }) };
}
