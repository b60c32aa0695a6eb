/**
 * Builds the operators of one subtask of a vertex and wires them: chained operators by direct
 * call, edges to other vertices through record writers, copying records where sharing them could
 * let one operator change another's (record-ownership.ts). An operator's main output and each of
 * its side outputs are wired the same way, each to the consumers that read it. Every operator's
 * outputs are counted.
 */
import type { JobArgs } from "../api/job-args.ts";
import type { Clock } from "../core/clock.ts";
import { keyGroupRangeForSubtask } from "../core/key-groups.ts";
import type { JobGraph, JobVertex } from "../graph/job-graph.ts";
import { operatorIdOf } from "../graph/job-graph.ts";
import { displayName, type StreamNode } from "../graph/stream-graph.ts";
import { createKeyedStateBackend } from "../state/state-backends.ts";
import { DefaultOperatorStateStore } from "../state/operator/operator-state-store.ts";
import { KeyedServices } from "./keyed-services.ts";
import type { RecordWriter } from "./network/record-writer.ts";
import type { ClientChannel, OperatorContext, Output, StreamOperator } from "./operators/operator.ts";
import { withRecordFaults } from "./fault-hooks.ts";
import { ChainedInput, combineOutputs, CountingOutput } from "./outputs.ts";
import { protectedOutputs, type RecordTarget } from "./record-ownership.ts";
import { StreamingRuntimeContext } from "./runtime-context.ts";
import { SideOutputs } from "./side-outputs.ts";
import type { RestoredOperatorState } from "./task-checkpointing.ts";
import type { RecordTimestamp } from "./record-timestamp.ts";

export interface ChainMember {
  readonly node: StreamNode;
  readonly name: string;
  /** Undefined for the source at the head of a source vertex. */
  readonly operator: StreamOperator | undefined;
  readonly context: OperatorContext;
  readonly output: CountingOutput;
  /** The operator's side outputs that something reads, by tag id. */
  readonly sideOutputs: ReadonlyMap<string, CountingOutput>;
  recordsIn: number;
}

export interface ChainEnvironment {
  readonly job: JobGraph;
  readonly subtaskIndex: number;
  readonly args: JobArgs;
  readonly clock: Clock;
  readonly client: ClientChannel;
  /** The writer for each outgoing job edge of the vertex, by index into `vertex.outputs`. */
  readonly writers: readonly RecordWriter[];
  readonly checkpointing: boolean;
  /** The job's checkpoint interval; undefined without checkpoints. */
  readonly checkpointIntervalMs: number | undefined;
  /** Records pass between operators without copies; the job promises not to change what it shares. */
  readonly objectReuse: boolean;
  /** The task's current record timestamp, shared by its operators and writers. */
  readonly recordTimestamp: RecordTimestamp;
  /** An operator's restored state for this subtask, by operator id. */
  readonly restored: (operatorId: string) => RestoredOperatorState | undefined;
  /** Asks the task for a step from outside one (see OperatorContext.requestStep). */
  readonly requestStep: () => void;
}

function keyedServicesFor(node: StreamNode, vertex: JobVertex, env: ChainEnvironment, restored: RestoredOperatorState | undefined): KeyedServices | undefined {
  if (node.kind !== "operator" || node.keySelectors.every((s) => s === undefined)) return undefined;
  const maxParallelism = env.job.maxParallelism;
  const keyGroupRange = keyGroupRangeForSubtask(env.subtaskIndex, vertex.parallelism, maxParallelism);
  const backend = createKeyedStateBackend(env.job.stateBackend, { keyGroupRange, maxParallelism, clock: env.clock, operator: operatorIdOf(node), localDirectory: env.job.localStateDirectory, changelog: env.job.incrementalCheckpoints });
  const services = new KeyedServices(backend, node.keySelectors, env.job.incrementalCheckpoints && backend.snapshotChanges !== undefined);
  if (restored !== undefined) {
    backend.restore(restored.keyed, restored.keyedFrom);
    services.timers.restore(restored.timers, keyGroupRange, maxParallelism);
  }
  return services;
}

/** Chain members head first. Members are built tail first, so each output target exists. */
export function buildOperatorChain(vertex: JobVertex, env: ChainEnvironment): ChainMember[] {
  const members = new Map<number, ChainMember>();
  for (let i = vertex.nodes.length - 1; i >= 0; i--) {
    const node = vertex.nodes[i]!;
    const name = displayName(node);
    const operator = node.kind === "operator" ? withRecordFaults(node.factory(), name) : undefined;
    // Consumers by the output they read: the main output (tag undefined) or a side output.
    const targets = new Map<string | undefined, RecordTarget[]>();
    const addTarget = (tag: string | undefined, target: RecordTarget): void => {
      const list = targets.get(tag);
      if (list === undefined) targets.set(tag, [target]);
      else list.push(target);
    };
    for (const child of vertex.nodes) {
      if (child !== node && child.inputs.length === 1 && child.inputs[0]!.source === node.id && members.has(child.id)) {
        const consumer = members.get(child.id)!;
        const operator = consumer.operator!;
        addTarget(child.inputs[0]!.outputTag, { output: new ChainedInput(operator, consumer.output), readsRecordsOnly: operator.readsRecordsOnly === true });
      }
    }
    vertex.outputs.forEach((edge, k) => {
      if (edge.sourceNode === node.id) addTarget(edge.outputTag, { output: env.writers[k]!, readsRecordsOnly: false });
    });
    const ownsRecords = node.kind === "source" ? node.source.emitsOwnedRecords === true : operator!.emitsOwnedRecords === true;
    const combined = (tag: string | undefined, owns: boolean): Output<unknown> => combineOutputs(protectedOutputs(targets.get(tag) ?? [], owns, env.objectReuse));
    // A side output's records come from user code that may keep them: never the producer's own.
    const sideOutputs = new Map<string, CountingOutput>();
    for (const tag of targets.keys()) if (tag !== undefined) sideOutputs.set(tag, new CountingOutput(combined(tag, false)));
    const operatorId = operatorIdOf(node);
    const restored = env.restored(operatorId);
    const keyed = keyedServicesFor(node, vertex, env, restored);
    const runtime = new StreamingRuntimeContext(name, env.subtaskIndex, vertex.parallelism, env.job.maxParallelism, env.args, keyed);
    members.set(node.id, {
      node,
      name,
      operator,
      context: {
        runtime,
        keyed,
        clock: env.clock,
        client: env.client,
        operatorId,
        checkpointing: env.checkpointing,
        checkpointIntervalMs: env.checkpointIntervalMs,
        objectReuse: env.objectReuse,
        restored: restored === undefined ? undefined : { checkpointId: restored.checkpointId, state: restored.state, states: restored.states },
        sideOutputs: new SideOutputs(name, sideOutputs),
        requestStep: env.requestStep,
        recordTimestamp: env.recordTimestamp,
        operatorStateStore: new DefaultOperatorStateStore(restored?.operatorState, operatorId),
      },
      // Watermarks go to every output, side outputs included (their readers keep event time too).
      output: new CountingOutput(combined(undefined, ownsRecords), [...sideOutputs.values()]),
      sideOutputs,
      recordsIn: 0,
    });
  }
  return vertex.nodes.map((n) => members.get(n.id)!);
}
