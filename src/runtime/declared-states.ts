/**
 * The keyed state each operator of a job asks for, learned without running the job, so that a
 * restore can be checked against a checkpoint's states before anything starts (restore-plan.ts).
 *
 * Each operator on a keyed stream is created and opened once, as subtask 0, with a state backend
 * of the whole key-group range that holds nothing, an output that drops what it is given, and no
 * records, timers or checkpoints; then closed. What its functions asked for in `open` (and what
 * the operator itself registers, such as a window's contents) is recorded with each descriptor's
 * kind and version. State a function asks for only later, on a record, is not seen here: it is
 * checked when it is asked for (WEIR_ERR_STATE_MIGRATION_MISSING, WEIR_ERR_STATE_CONFLICT). An
 * operator whose `open` throws is reported with the error instead.
 */
import { JobArgs } from "../api/job-args.ts";
import { systemClock } from "../core/clock.ts";
import { DefaultOperatorStateStore } from "../state/operator/operator-state-store.ts";
import type { StateKind } from "../state/descriptors.ts";
import { createKeyedStateBackend } from "../state/state-backends.ts";
import { operatorIdOf, type JobGraph } from "../graph/job-graph.ts";
import { displayName, type OperatorNode } from "../graph/stream-graph.ts";
import { KeyedServices } from "./keyed-services.ts";
import { RecordTimestamp } from "./record-timestamp.ts";
import { StreamingRuntimeContext } from "./runtime-context.ts";
import { SideOutputs } from "./side-outputs.ts";

/** A keyed state as a job asks for it. */
export interface DeclaredState {
  readonly name: string;
  readonly kind: StateKind;
  readonly namespaced: boolean;
  readonly version: number;
  /** Whether the descriptor has a migrate function. */
  readonly migrates: boolean;
}

/** An operator's declared states, or why they could not be learned. */
export type OperatorStates = { readonly states: readonly DeclaredState[] } | { readonly unknown: string };

function isKeyed(node: OperatorNode): boolean {
  return node.keySelectors.some((s) => s !== undefined);
}

async function probe(node: OperatorNode, job: JobGraph, args: JobArgs, parallelism: number): Promise<OperatorStates> {
  const maxParallelism = job.maxParallelism;
  // A heap backend whatever the job's: the probe only learns which states the function asks for, and keeps no files.
  const backend = createKeyedStateBackend("heap", { keyGroupRange: { start: 0, end: maxParallelism - 1 }, maxParallelism, operator: operatorIdOf(node) });
  const keyed = new KeyedServices(backend, node.keySelectors);
  const name = displayName(node);
  const operator = node.factory();
  try {
    await operator.open(
      {
        runtime: new StreamingRuntimeContext(name, 0, parallelism, maxParallelism, args, keyed),
        keyed,
        clock: systemClock,
        client: { send: () => {} },
        operatorId: operatorIdOf(node),
        checkpointing: true,
        restored: undefined,
        sideOutputs: new SideOutputs(name, new Map()),
        requestStep: () => {},
        recordTimestamp: new RecordTimestamp(),
        operatorStateStore: new DefaultOperatorStateStore(),
      },
      { collect: () => {} },
    );
  } catch (error) {
    return { unknown: `its open failed without records: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    await Promise.resolve(operator.close?.()).catch(() => {});
    backend.dispose();
  }
  const states: DeclaredState[] = [];
  for (const stateName of backend.stateNames()) {
    const registered = backend.registeredState(stateName)!;
    const { descriptor } = registered;
    states.push({ name: stateName, kind: descriptor.kind, namespaced: registered.namespaced, version: descriptor.version, migrates: descriptor.migrate !== undefined });
  }
  return { states };
}

/** Per operator id, the keyed states of every operator on a keyed stream of `job`. */
export async function declaredStates(job: JobGraph, args: readonly string[]): Promise<Map<string, OperatorStates>> {
  const jobArgs = new JobArgs(args);
  const found = new Map<string, OperatorStates>();
  for (const vertex of job.vertices) {
    for (const node of vertex.nodes) {
      if (node.kind !== "operator" || !isKeyed(node)) continue;
      found.set(operatorIdOf(node), await probe(node, job, jobArgs, vertex.parallelism));
    }
  }
  return found;
}
