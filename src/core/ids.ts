/** Branded identifiers: numbers and strings that must not be mixed up with each other. */

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Position of a transformation in the logical graph, in the order the job created it. */
export type NodeId = Brand<number, "NodeId">;
/** Index of a vertex (a chain of operators) in the job graph. */
export type VertexId = Brand<number, "VertexId">;
/** Zero-based index of one parallel instance of a vertex. */
export type SubtaskIndex = Brand<number, "SubtaskIndex">;
/** A key group: the unit in which keyed state is stored, snapshotted and redistributed. */
export type KeyGroup = Brand<number, "KeyGroup">;

export const nodeId = (n: number): NodeId => n as NodeId;
export const vertexId = (n: number): VertexId => n as VertexId;
export const subtaskIndex = (n: number): SubtaskIndex => n as SubtaskIndex;
export const keyGroup = (n: number): KeyGroup => n as KeyGroup;
