/**
 * What a stream needs from the environment that made it: the graph it appends its operators to.
 * StreamExecutionEnvironment implements it; streams know only this, so the API's modules import
 * one way (environment → streams).
 */
import type { NodeId } from "../core/ids.ts";
import type { StreamNode } from "../graph/stream-graph.ts";

export interface StreamGraphBuilder {
  /** Appends a node; the DataStream API's only way into the graph. */
  addNode(create: (id: NodeId) => StreamNode): StreamNode;
  node(id: number): StreamNode;
}
