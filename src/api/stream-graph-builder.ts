/**
 * What a stream needs from the environment that made it: the graph it appends its operators to.
 * StreamExecutionEnvironment implements it; streams know only this, so the API's modules import
 * one way (environment → streams).
 */
import type { NodeId } from "../core/ids.ts";
import type { StreamNode } from "../graph/stream-graph.ts";
import type { ExecutionConfig } from "./execution-config.ts";

export interface StreamGraphBuilder {
  /** The job's settings; operators read them when they open, after the job was built. */
  getConfig(): ExecutionConfig;
  /** Appends a node; the DataStream API's only way into the graph. */
  addNode(create: (id: NodeId) => StreamNode): StreamNode;
  node(id: number): StreamNode;
}
