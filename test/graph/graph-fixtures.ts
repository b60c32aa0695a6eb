/** Builds stream and job graphs from a pipeline written against a fresh environment. */
import { StreamExecutionEnvironment, type EnvironmentConfig } from "../../src/api/environment.ts";
import { buildJobGraph, type JobGraph, type JobVertex } from "../../src/graph/job-graph.ts";
import type { StreamGraph } from "../../src/graph/stream-graph.ts";
import { elementsSource } from "../../src/sources/index.ts";

export function graphs(build: (env: StreamExecutionEnvironment) => void, config: Partial<EnvironmentConfig> = { parallelism: 2 }): { graph: StreamGraph; job: JobGraph } {
  const env = new StreamExecutionEnvironment(config);
  build(env);
  const graph = env.buildGraph();
  return { graph, job: buildJobGraph(graph) };
}

export const numbers = (env: StreamExecutionEnvironment, name = "n") => env.fromSource(elementsSource([1, 2, 3]), name);

/** Each vertex as the display names of its nodes. */
export function chains(job: JobGraph): string[][] {
  return job.vertices.map((v: JobVertex) => v.nodes.map((n) => n.name ?? n.operatorType));
}

/** Each job edge as "source vertex -> target vertex (partitioning, input)". */
export function edges(job: JobGraph): string[] {
  return job.edges.map((e) => `${e.source} -> ${e.target} (${e.partitioning.kind}, input ${e.inputIndex})`);
}
