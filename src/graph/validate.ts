/**
 * Turns the nodes a job built into a runnable stream graph, or refuses it with the reason:
 * no sink, a parallelism above max parallelism, duplicate uids. Forward edges between operators
 * of different parallelism become rebalance edges.
 */
import { InvalidJobError } from "../core/errors.ts";
import { DEFAULT_STATE_BACKEND, incrementalByDefault, type StateBackendName } from "../state/state-backends.ts";
import { displayName, type Partitioning, type StreamGraph, type StreamNode } from "./stream-graph.ts";

export interface GraphSettings {
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The default backend when absent. */
  readonly stateBackend?: StateBackendName;
  /** Where an on-disk backend makes its working directories; the system's temp dir when absent. */
  readonly localStateDirectory?: string | undefined;
  /** Incremental checkpoints; the backend's default when absent (see `incrementalByDefault`). */
  readonly incrementalCheckpoints?: boolean | undefined;
}

const REBALANCE: Partitioning = { kind: "rebalance" };

export function resolveStreamGraph(nodes: readonly StreamNode[], settings: GraphSettings): StreamGraph {
  if (!nodes.some((n) => n.kind === "operator" && n.isSink)) {
    throw new InvalidJobError("WEIR_ERR_EMPTY_JOB", "the job defines no sink: add one with sinkTo(), print(), collect() or writeAsText()");
  }
  const resolved: StreamNode[] = nodes.map((n) => ({ ...n, parallelism: n.parallelism ?? settings.parallelism, inputs: [] }));
  const uids = new Map<string, StreamNode>();
  for (const node of resolved) {
    if (node.parallelism! > settings.maxParallelism) {
      throw new InvalidJobError(
        "WEIR_ERR_PARALLELISM_ABOVE_MAX",
        `operator '${displayName(node)}' has parallelism ${node.parallelism}, above the job's max parallelism ${settings.maxParallelism}; ` +
          `lower it or raise max parallelism (setMaxParallelism / --max-parallelism)`,
      );
    }
    if (node.uid !== undefined) {
      const other = uids.get(node.uid);
      if (other !== undefined) {
        throw new InvalidJobError(
          "WEIR_ERR_DUPLICATE_UID",
          `uid '${node.uid}' is given to both '${displayName(other)}' and '${displayName(node)}'; uids must be unique in a job`,
        );
      }
      uids.set(node.uid, node);
    }
  }
  nodes.forEach((original, i) => {
    const node = resolved[i]!;
    for (const edge of original.inputs) {
      const sameParallelism = resolved[edge.source]!.parallelism === node.parallelism;
      node.inputs.push(edge.partitioning.kind === "forward" && !sameParallelism ? { ...edge, partitioning: REBALANCE } : edge);
    }
  });
  return {
    nodes: resolved,
    maxParallelism: settings.maxParallelism,
    defaultParallelism: settings.parallelism,
    stateBackend: settings.stateBackend ?? DEFAULT_STATE_BACKEND,
    localStateDirectory: settings.localStateDirectory,
    incrementalCheckpoints: settings.incrementalCheckpoints ?? incrementalByDefault(settings.stateBackend ?? DEFAULT_STATE_BACKEND),
  };
}
