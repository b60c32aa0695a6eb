/**
 * The logical graph a job builds: operator nodes and the edges between them, each edge with the
 * partitioning that decides which downstream subtask receives a record. The DataStream API appends
 * to it; the job graph (chaining) and the runtime read it. Nodes are numbered in creation order,
 * which is deterministic because every worker runs the same job code.
 */
import type { NodeId } from "../core/ids.ts";
import type { AnySource } from "../sources/split-source.ts";
import type { OperatorFactory } from "../runtime/operators/operator.ts";
import type { StateBackendName } from "../state/state-backends.ts";

export type Partitioning =
  | { readonly kind: "forward" }
  | { readonly kind: "rebalance" }
  | { readonly kind: "broadcast" }
  | { readonly kind: "hash"; readonly keySelector: (value: unknown) => unknown };

export interface StreamEdge {
  readonly source: NodeId;
  readonly target: NodeId;
  /** Which input of the target the edge feeds: 0, or 1 for the second input of connected streams. */
  readonly inputIndex: 0 | 1;
  readonly partitioning: Partitioning;
  /** The id of the source's side output the edge reads; absent for its main output. */
  readonly outputTag?: string;
}

interface NodeCommon {
  readonly id: NodeId;
  /** What the node does, e.g. "Map", "KeyedProcess"; shown when no name was given. */
  readonly operatorType: string;
  name: string | undefined;
  uid: string | undefined;
  /** Undefined until resolved against the environment's default at build time. */
  parallelism: number | undefined;
  readonly inputs: StreamEdge[];
}

export interface SourceNode extends NodeCommon {
  readonly kind: "source";
  readonly source: AnySource<unknown>;
}

export interface OperatorNode extends NodeCommon {
  readonly kind: "operator";
  /** Sinks are operators that emit nothing; a job needs at least one. */
  readonly isSink: boolean;
  readonly inputCount: 1 | 2;
  /** Key selectors per input when the operator runs on keyed input(s); keyed state needs them. */
  readonly keySelectors: readonly (((value: unknown) => unknown) | undefined)[];
  readonly factory: OperatorFactory;
}

export type StreamNode = SourceNode | OperatorNode;

export function displayName(node: StreamNode): string {
  return node.name ?? node.operatorType;
}

/** A graph whose parallelisms are resolved; what the job graph is built from. */
export interface StreamGraph {
  readonly nodes: readonly StreamNode[];
  readonly maxParallelism: number;
  readonly defaultParallelism: number;
  /** The keyed state backend every keyed operator gets. */
  readonly stateBackend: StateBackendName;
  /** Where an on-disk backend makes its working directories; the system's temp dir when undefined. */
  readonly localStateDirectory: string | undefined;
  /** Whether checkpoints of keyed state are incremental (resolved: the backend's default applied). */
  readonly incrementalCheckpoints: boolean;
}

export function outgoingEdges(graph: StreamGraph, id: NodeId): StreamEdge[] {
  const out: StreamEdge[] = [];
  for (const node of graph.nodes) for (const edge of node.inputs) if (edge.source === id) out.push(edge);
  return out;
}
