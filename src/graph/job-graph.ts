/**
 * The job graph: stream nodes grouped into vertices by operator chaining. A node joins its
 * input's vertex when it has exactly one input edge, that edge is forward, and both run with the
 * same parallelism: records then pass by direct call, never serialized. Every other edge becomes a
 * job edge between vertices, crossing tasks (and possibly threads).
 */
import { vertexId, type NodeId, type VertexId } from "../core/ids.ts";
import type { StateBackendName } from "../state/state-backends.ts";
import { displayName, type Partitioning, type StreamGraph, type StreamNode } from "./stream-graph.ts";

export interface JobEdge {
  readonly source: VertexId;
  /** The node inside the source vertex whose output feeds the edge. */
  readonly sourceNode: NodeId;
  readonly target: VertexId;
  readonly inputIndex: 0 | 1;
  readonly partitioning: Partitioning;
  /** The id of the source node's side output the edge reads; absent for its main output. */
  readonly outputTag?: string;
}

export interface JobVertex {
  readonly id: VertexId;
  /** Chained nodes, head first, in creation order (a topological order). */
  readonly nodes: readonly StreamNode[];
  readonly parallelism: number;
  readonly name: string;
  readonly inputs: readonly JobEdge[];
  readonly outputs: readonly JobEdge[];
}

export interface JobGraph {
  readonly vertices: readonly JobVertex[];
  readonly edges: readonly JobEdge[];
  readonly maxParallelism: number;
  /** The keyed state backend every keyed operator gets. */
  readonly stateBackend: StateBackendName;
  /** Where an on-disk backend makes its working directories; the system's temp dir when undefined. */
  readonly localStateDirectory: string | undefined;
  /** Whether checkpoints of keyed state are incremental. */
  readonly incrementalCheckpoints: boolean;
  /** Which vertex each node runs in, by node id. */
  readonly vertexOfNode: readonly VertexId[];
}

function chainsToInput(node: StreamNode, graph: StreamGraph): boolean {
  if (node.inputs.length !== 1) return false;
  const edge = node.inputs[0]!;
  return edge.partitioning.kind === "forward" && graph.nodes[edge.source]!.parallelism === node.parallelism;
}

export function buildJobGraph(graph: StreamGraph): JobGraph {
  const vertexOfNode: VertexId[] = [];
  const members: StreamNode[][] = [];
  for (const node of graph.nodes) {
    if (chainsToInput(node, graph)) {
      const v = vertexOfNode[node.inputs[0]!.source]!;
      vertexOfNode[node.id] = v;
      members[v]!.push(node);
    } else {
      vertexOfNode[node.id] = vertexId(members.length);
      members.push([node]);
    }
  }
  const edges: JobEdge[] = [];
  for (const node of graph.nodes) {
    if (chainsToInput(node, graph)) continue;
    for (const e of node.inputs) {
      edges.push({
        source: vertexOfNode[e.source]!,
        sourceNode: e.source,
        target: vertexOfNode[node.id]!,
        inputIndex: e.inputIndex,
        partitioning: e.partitioning,
        ...(e.outputTag === undefined ? {} : { outputTag: e.outputTag }),
      });
    }
  }
  const vertices: JobVertex[] = members.map((nodes, i) => ({
    id: vertexId(i),
    nodes,
    parallelism: nodes[0]!.parallelism!,
    name: nodes.map(displayName).join(" -> "),
    inputs: edges.filter((e) => e.target === i),
    outputs: edges.filter((e) => e.source === i),
  }));
  return { vertices, edges, maxParallelism: graph.maxParallelism, stateBackend: graph.stateBackend, localStateDirectory: graph.localStateDirectory, incrementalCheckpoints: graph.incrementalCheckpoints, vertexOfNode };
}

/**
 * A text that two builds of the same job share exactly: structure, names, uids, parallelism and
 * partitioning kinds. Workers compare theirs with the coordinator's before running.
 */
export function fingerprint(job: JobGraph): string {
  return JSON.stringify({
    maxParallelism: job.maxParallelism,
    vertices: job.vertices.map((v) => ({
      p: v.parallelism,
      nodes: v.nodes.map((n) => [n.id, n.kind, n.operatorType, n.name ?? null, n.uid ?? null]),
    })),
    edges: job.edges.map((e) => [e.source, e.sourceNode, e.target, e.inputIndex, e.partitioning.kind, ...(e.outputTag === undefined ? [] : [e.outputTag])]),
  });
}

/** The id by which an operator is known in results and state: its uid, else a derived name. */
export function operatorIdOf(node: StreamNode): string {
  return node.uid ?? `${node.name ?? node.operatorType}#${node.id}`;
}
