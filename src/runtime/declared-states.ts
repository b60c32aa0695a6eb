/**
 * The state each operator of a job asks for, learned without running the job, so that a restore
 * can be checked against a checkpoint's states before anything starts (restore-plan.ts).
 *
 * - An operator on a keyed stream, and a broadcast operator, is created and opened once, as
 *   subtask 0, with a state backend of the whole key-group range that holds nothing, an empty
 *   operator state store, an output that drops what it is given, and no records, timers or
 *   checkpoints; then closed. What its functions asked for in `initializeState` and `open` (and
 *   what the operator itself registers, such as a window's contents or the broadcast states
 *   declared on the stream) is recorded with each descriptor's kind and version.
 * - Any other operator with a user function is not opened (its `open` may reach outside
 *   services): only its CheckpointedFunction `initializeState` runs, which is where operator
 *   state is asked for.
 * - Keyed state a function on a keyed stream asks for only later, on a record, is known when its
 *   descriptor is a field of the function object (the usual way to write one): such descriptors are listed too.
 *   One made on the spot is not seen here; the check reports the checkpoint's state as not
 *   inspected, and the state is checked when it is asked for (WEIR_ERR_STATE_MIGRATION_MISSING,
 *   WEIR_ERR_STATE_CONFLICT).
 *
 * An operator whose `initializeState` or `open` throws is reported with the error instead.
 */
import { JobArgs } from "../api/job-args.ts";
import { systemClock } from "../core/clock.ts";
import { DefaultOperatorStateStore, type AskedOperatorState } from "../state/operator/operator-state-store.ts";
import { AggregatingStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, ValueStateDescriptor, type StateKind } from "../state/descriptors.ts";
import type { KeyedStateBackend } from "../state/keyed-state-backend.ts";
import { createKeyedStateBackend } from "../state/state-backends.ts";
import { operatorIdOf, type JobGraph } from "../graph/job-graph.ts";
import { displayName, type OperatorNode } from "../graph/stream-graph.ts";
import { KeyedServices } from "./keyed-services.ts";
import type { OperatorContext, StreamOperator } from "./operators/operator.ts";
import { initializeUserFunctionState, UserFunctionOperator } from "./operators/user-function.ts";
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

/** An operator state (split list, union list or broadcast) as a job asks for it. */
export type DeclaredOperatorState = AskedOperatorState;

/**
 * An operator's declared states, or why they could not be learned. `states` are keyed states:
 * those asked for in `open`, then those whose descriptors are fields of the function.
 */
export type OperatorStates = { readonly states: readonly DeclaredState[]; readonly operatorStates: readonly DeclaredOperatorState[] } | { readonly unknown: string };

const DESCRIPTOR_CLASSES = [ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, AggregatingStateDescriptor];

function isKeyed(node: OperatorNode): boolean {
  return node.keySelectors.some((s) => s !== undefined);
}

/** Whether the operator is opened by the probe: one with keyed state, or with broadcast states declared on its stream. */
function opensInProbe(node: OperatorNode): boolean {
  return isKeyed(node) || /Broadcast/.test(node.operatorType);
}

/** The keyed state descriptors among the own fields of a function object, as declared states (never namespaced). */
function descriptorFields(fn: unknown): DeclaredState[] {
  if (fn === null || typeof fn !== "object") return [];
  return Object.values(fn)
    .filter((value) => DESCRIPTOR_CLASSES.some((c) => value instanceof c))
    .map((d: ValueStateDescriptor<unknown>) => ({ name: d.name, kind: d.kind as StateKind, namespaced: false, version: d.version, migrates: d.migrate !== undefined }));
}

function probeContext(node: OperatorNode, parallelism: number, maxParallelism: number, args: JobArgs, keyed: KeyedServices | undefined, store: DefaultOperatorStateStore): OperatorContext {
  const name = displayName(node);
  return {
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
    operatorStateStore: store,
  };
}

/** Opens the operator, or runs only its function's `initializeState`; false for an operator that is neither opened nor has a user function. */
async function initialize(node: OperatorNode, operator: StreamOperator, context: OperatorContext): Promise<boolean> {
  if (opensInProbe(node)) {
    try {
      await operator.open(context, { collect: () => {} });
    } finally {
      await Promise.resolve(operator.close?.()).catch(() => {});
    }
    return true;
  }
  if (!(operator instanceof UserFunctionOperator)) return false;
  await initializeUserFunctionState(operator.inspectedFunction(), context);
  return true;
}

function keyedStates(backend: KeyedStateBackend): DeclaredState[] {
  return backend.stateNames().map((name) => {
    const { descriptor, namespaced } = backend.registeredState(name)!;
    return { name, kind: descriptor.kind, namespaced, version: descriptor.version, migrates: descriptor.migrate !== undefined };
  });
}

async function probe(node: OperatorNode, job: JobGraph, args: JobArgs, parallelism: number): Promise<OperatorStates | undefined> {
  const maxParallelism = job.maxParallelism;
  // A heap backend whatever the job's: the probe only learns which states the function asks for, and keeps no files.
  const backend = isKeyed(node) ? createKeyedStateBackend("heap", { keyGroupRange: { start: 0, end: maxParallelism - 1 }, maxParallelism, operator: operatorIdOf(node) }) : undefined;
  const keyed = backend === undefined ? undefined : new KeyedServices(backend, node.keySelectors);
  const store = new DefaultOperatorStateStore();
  const operator = node.factory();
  try {
    if (!(await initialize(node, operator, probeContext(node, parallelism, maxParallelism, args, keyed, store)))) return undefined;
    const operatorStates = store.askedStates();
    const asked = backend === undefined ? [] : keyedStates(backend);
    const fields = backend !== undefined && operator instanceof UserFunctionOperator ? descriptorFields(operator.inspectedFunction()) : [];
    const claimed = new Set([...asked, ...operatorStates].map((s) => s.name));
    return { states: [...asked, ...fields.filter((f) => !claimed.has(f.name))], operatorStates };
  } catch (error) {
    const stage = opensInProbe(node) ? "its open" : "its initializeState";
    return { unknown: `${stage} failed without records: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    backend?.dispose();
  }
}

/** Per operator id, the states of every operator of `job` that is opened or has a user function. */
export async function declaredStates(job: JobGraph, args: readonly string[]): Promise<Map<string, OperatorStates>> {
  const jobArgs = new JobArgs(args);
  const found = new Map<string, OperatorStates>();
  for (const vertex of job.vertices) {
    for (const node of vertex.nodes) {
      if (node.kind !== "operator") continue;
      const states = await probe(node, job, jobArgs, vertex.parallelism);
      if (states !== undefined) found.set(operatorIdOf(node), states);
    }
  }
  return found;
}
