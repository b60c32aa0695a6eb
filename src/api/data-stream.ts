/**
 * The typed DataStream API. A stream is a handle on the outputs of one or more graph nodes, each
 * with the partitioning its records take to the next operator: `union` merges handles, `keyBy`,
 * `rebalance` and `broadcast` change the partitioning, and each transformation appends a node.
 */
import type { NodeId } from "../core/ids.ts";
import { InvalidJobError, invalidArgument } from "../core/errors.ts";
import { displayName, type OperatorNode, type Partitioning, type StreamEdge } from "../graph/stream-graph.ts";
import type { OperatorFactory } from "../runtime/operators/operator.ts";
import { FilterOperator } from "../runtime/operators/filter.ts";
import { FlatMapOperator } from "../runtime/operators/flat-map.ts";
import { MapOperator } from "../runtime/operators/map.ts";
import { KeyedProcessOperator } from "../runtime/operators/keyed-process.ts";
import { ReduceOperator } from "../runtime/operators/reduce.ts";
import { CoProcessOperator } from "../runtime/operators/co-process.ts";
import { NonKeyedProcessOperator } from "../runtime/operators/non-keyed-process.ts";
import { SinkOperator } from "../runtime/operators/sink.ts";
import { TimestampsAndWatermarksOperator } from "../runtime/operators/timestamps-and-watermarks.ts";
import type { WatermarkStrategy } from "./watermark-strategy.ts";
import type { Sink } from "../sinks/sink.ts";
import { printSink, type PrintSinkOptions } from "../sinks/print.ts";
import { fileSink, type FileSinkOptions } from "../sinks/file.ts";
import { collectSink } from "../sinks/collect.ts";
import type {
  CoProcessFunction,
  FilterFunction,
  FlatMapFunction,
  KeyedProcessFunction,
  KeySelector,
  MapFunction,
  ProcessFunction,
  ReduceFunction,
} from "./functions.ts";
import { checkOutputTag, type OutputTag } from "./output-tag.ts";
import { IntervalJoin } from "./interval-join.ts";
import { fieldAggregation, type FieldAggregation, type NumericField } from "./field-aggregations.ts";
import type { StreamGraphBuilder } from "./stream-graph-builder.ts";
import { checkParallelism } from "./execution-config.ts";
import type { MapStateDescriptor } from "../state/descriptors.ts";
import { checkDescriptorKind } from "../state/descriptors.ts";
import { BroadcastConnectedStream, BroadcastStream } from "./broadcast-stream.ts";
import { AllWindowedStream, WindowedStream, type WindowInput } from "./windowed-stream.ts";
import { CoGroupedStreams, JoinedStreams } from "./co-grouped-streams.ts";
import { countWindow } from "../windowing/count-windows.ts";
import type { WindowAssigner } from "../windowing/window-assigner.ts";
import type { GlobalWindow, Window } from "../windowing/windows.ts";

/** @internal */
export interface Upstream {
  readonly node: NodeId;
  readonly partitioning: Partitioning;
  /** The node's side output read; absent for its main output. */
  readonly outputTag?: string;
}

type AnySelector = (value: unknown) => unknown;

const FORWARD: Partitioning = { kind: "forward" };

/** The key selector shared by all upstreams of an input when they are all hash-partitioned by it. */
function keySelectorOf(upstreams: readonly Upstream[]): AnySelector | undefined {
  const first = upstreams[0]?.partitioning;
  if (first?.kind !== "hash") return undefined;
  return upstreams.every((u) => u.partitioning.kind === "hash" && u.partitioning.keySelector === first.keySelector)
    ? first.keySelector
    : undefined;
}

/** @internal Whether an input is keyed: all its upstreams hash-partitioned by one key selector. */
export function isKeyedInput(upstreams: readonly Upstream[]): boolean {
  return keySelectorOf(upstreams) !== undefined;
}

/** @internal */
export function addOperator(
  env: StreamGraphBuilder,
  inputs: readonly (readonly Upstream[])[],
  operatorType: string,
  factory: OperatorFactory,
  isSink = false,
): NodeId {
  const node = env.addNode((id) => {
    const edges: StreamEdge[] = [];
    inputs.forEach((upstreams, inputIndex) => {
      for (const u of upstreams) {
        edges.push({
          source: u.node,
          target: id,
          inputIndex: inputIndex as 0 | 1,
          partitioning: u.partitioning,
          ...(u.outputTag === undefined ? {} : { outputTag: u.outputTag }),
        });
      }
    });
    const operator: OperatorNode = {
      kind: "operator",
      id,
      operatorType,
      isSink,
      name: undefined,
      uid: undefined,
      parallelism: undefined,
      inputs: edges,
      inputCount: inputs.length as 1 | 2,
      keySelectors: inputs.map(keySelectorOf),
      factory,
    };
    return operator;
  });
  return node.id;
}

/** The factory of the operator that applies `strategy`; it reads the auto-watermark interval when it opens. */
export function timestampsAndWatermarks<T>(env: StreamGraphBuilder, strategy: WatermarkStrategy<T>): OperatorFactory {
  const config = env.getConfig();
  return () => new TimestampsAndWatermarksOperator(strategy, () => config.getAutoWatermarkInterval());
}

/** @internal Appends a one-input operator reading `upstream` by forward edge. */
export function appendOperator(env: StreamGraphBuilder, upstream: NodeId, operatorType: string, factory: OperatorFactory): NodeId {
  return addOperator(env, [[{ node: upstream, partitioning: FORWARD }]], operatorType, factory);
}

export class DataStream<T> {
  /** @internal */
  constructor(
    protected readonly env: StreamGraphBuilder,
    protected readonly upstreams: readonly Upstream[],
  ) {}

  /**
   * @internal Appends an operator reading this stream; the API's transformations are built on it.
   * A non-parallel operator runs with parallelism 1, which its stream refuses to change.
   */
  transform<O>(operatorType: string, factory: OperatorFactory, nonParallel = false): SingleOutputStream<O> {
    const id = addOperator(this.env, [this.upstreams], operatorType, factory);
    if (!nonParallel) return new SingleOutputStream<O>(this.env, id);
    this.env.node(id).parallelism = 1;
    return new NonParallelOutputStream<O>(this.env, id);
  }

  map<O>(fn: MapFunction<T, O>): SingleOutputStream<O> {
    return this.transform("Map", () => new MapOperator(fn));
  }

  /** Keeps the records for which `fn` is true; a type-guard predicate narrows the stream's type. */
  filter<S extends T>(fn: (value: T) => value is S): SingleOutputStream<S>;
  filter(fn: FilterFunction<T>): SingleOutputStream<T>;
  filter(fn: FilterFunction<T>): SingleOutputStream<T> {
    return this.transform("Filter", () => new FilterOperator(fn));
  }

  flatMap<O>(fn: FlatMapFunction<T, O>): SingleOutputStream<O> {
    return this.transform("FlatMap", () => new FlatMapOperator(fn));
  }

  /**
   * Runs a ProcessFunction on each record: it may emit any number of records and send records to
   * side outputs (`getSideOutput` on the returned stream reads them). Not keyed: no keyed state,
   * no timers; key the stream first for those.
   */
  process<O>(fn: ProcessFunction<T, O>): SingleOutputStream<O> {
    return this.transform("Process", () => new NonKeyedProcessOperator(fn));
  }

  /**
   * Gives records timestamps and the stream watermarks, by `strategy` (see docs/event-time.md).
   * Watermarks from upstream end here; this operator's generator is the stream's event time.
   */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): SingleOutputStream<T> {
    return this.transform("Timestamps/Watermarks", timestampsAndWatermarks(this.env, strategy));
  }

  /**
   * Windows over the whole stream, evaluated by one operator instance (parallelism 1), as Flink's
   * `windowAll`: every element goes to that instance.
   */
  windowAll<W extends Window>(assigner: WindowAssigner<T, W>): AllWindowedStream<T, W> {
    return new AllWindowedStream<T, W>(this.nonParallelWindowInput(), assigner);
  }

  /** Count windows over the whole stream: every `size` elements (tumbling), or every `slide` elements over the last `size` (sliding). */
  countWindowAll(size: number, slide?: number): AllWindowedStream<T, GlobalWindow> {
    return new AllWindowedStream<T, GlobalWindow>(this.nonParallelWindowInput(), countWindow<T>(size, slide));
  }

  private nonParallelWindowInput(): WindowInput {
    const keyed = this.keyBy(allElements);
    return { transform: (operatorType, factory) => keyed.transform(operatorType, factory, true) };
  }

  /** Partitions by key: records with equal keys reach the same subtask, which keeps their state. */
  keyBy<K>(keySelector: KeySelector<T, K>): KeyedStream<K, T> {
    const partitioning: Partitioning = { kind: "hash", keySelector: keySelector as AnySelector };
    return new KeyedStream<K, T>(this.env, this.upstreams.map((u) => ({ ...u, partitioning })));
  }

  /** Distributes records round-robin over the next operator's subtasks. */
  rebalance(): DataStream<T> {
    return this.repartition({ kind: "rebalance" });
  }

  /**
   * Sends every record to every subtask of the next operator. Given broadcast state descriptors,
   * gives a BroadcastStream instead, to `connect` another stream with: its operator holds those
   * broadcast states, written from this stream's records.
   */
  broadcast(): DataStream<T>;
  broadcast(descriptor: MapStateDescriptor<unknown, unknown>, ...more: MapStateDescriptor<unknown, unknown>[]): BroadcastStream<T>;
  broadcast(...descriptors: MapStateDescriptor<unknown, unknown>[]): DataStream<T> | BroadcastStream<T> {
    const partitioning: Partitioning = { kind: "broadcast" };
    if (descriptors.length === 0) return this.repartition(partitioning);
    for (const d of descriptors) checkDescriptorKind(d, "map", "broadcast()");
    return new BroadcastStream<T>(this.env, this.upstreams.map((u) => ({ ...u, partitioning })), descriptors);
  }

  private repartition(partitioning: Partitioning): DataStream<T> {
    return new DataStream<T>(this.env, this.upstreams.map((u) => ({ ...u, partitioning })));
  }

  /** A window join with `other`: `.where(keyOfThis).equalTo(keyOfOther).window(assigner).apply(joinFunction)`. */
  join<U>(other: DataStream<U>): JoinedStreams<T, U> {
    if (other.env !== this.env) throw invalidArgument("join() of streams from different environments");
    return new JoinedStreams<T, U>(this, other);
  }

  /** A window co-group with `other`: `.where(keyOfThis).equalTo(keyOfOther).window(assigner).apply(coGroupFunction)`. */
  coGroup<U>(other: DataStream<U>): CoGroupedStreams<T, U> {
    if (other.env !== this.env) throw invalidArgument("coGroup() of streams from different environments");
    return new CoGroupedStreams<T, U>(this, other);
  }

  /** Merges streams of the same type; the next operator reads all of them as one input. */
  union(...others: DataStream<T>[]): DataStream<T> {
    const all = [...this.upstreams];
    for (const other of others) {
      if (other.env !== this.env) throw invalidArgument("union() of streams from different environments");
      all.push(...other.upstreams);
    }
    return new DataStream<T>(this.env, all);
  }

  /**
   * Pairs this stream with another, possibly of another type, for a two-input operator; with a
   * BroadcastStream, for a (keyed) broadcast process function.
   */
  connect<U>(other: BroadcastStream<U>): BroadcastConnectedStream<T, U>;
  connect<U>(other: DataStream<U>): ConnectedStreams<T, U>;
  connect<U>(other: DataStream<U> | BroadcastStream<U>): ConnectedStreams<T, U> | BroadcastConnectedStream<T, U> {
    const otherEnv = other instanceof BroadcastStream ? other.env : other.env;
    if (otherEnv !== this.env) throw invalidArgument("connect() of streams from different environments");
    if (other instanceof BroadcastStream) return new BroadcastConnectedStream<T, U>(this.env, this.upstreams, other);
    return new ConnectedStreams<T, U>(this.env, this.upstreams, other.upstreams);
  }

  sinkTo(sink: Sink<T>): DataStreamSink {
    const id = addOperator(this.env, [this.upstreams], "Sink", () => new SinkOperator(sink), true);
    return new DataStreamSink(this.env, id);
  }

  print(options?: PrintSinkOptions): DataStreamSink {
    return this.sinkTo(printSink<T>(options)).name("Print");
  }

  writeAsText(options: FileSinkOptions): DataStreamSink {
    return this.sinkTo(fileSink<T>(options)).name("FileSink");
  }

  /** Collects records back to the caller of the job: `result.collected(id)` with this sink's uid. */
  collect(id: string): DataStreamSink {
    return this.sinkTo(collectSink<T>()).uid(id);
  }
}

/** Settings of the operator that produced a stream or consumes it as a sink. */
class OperatorSettings {
  constructor(
    protected readonly settingsEnv: StreamGraphBuilder,
    protected readonly nodeId: NodeId,
  ) {}

  /** Shown in progress output, logs and errors. */
  name(name: string): this {
    this.settingsEnv.node(this.nodeId).name = name;
    return this;
  }

  /** A stable identity for the operator, unique in the job; restored state is matched by it. */
  uid(uid: string): this {
    if (uid.length === 0) throw invalidArgument("uid must not be empty");
    this.settingsEnv.node(this.nodeId).uid = uid;
    return this;
  }

  setParallelism(parallelism: number): this {
    checkParallelism(parallelism, `parallelism of '${this.settingsEnv.node(this.nodeId).operatorType}'`);
    this.settingsEnv.node(this.nodeId).parallelism = parallelism;
    return this;
  }
}

export class DataStreamSink extends OperatorSettings {}

/** The one key of `windowAll`: every element is in the same windows. */
const allElements = (): number => 0;

/**
 * A stream produced by one operator, whose name, uid and parallelism can be set. A source read
 * with a watermark strategy is two nodes, the source and the operator applying the strategy after
 * it: name and uid then belong to the source (`settingsNode`), and the parallelism to both.
 */
export class SingleOutputStream<T> extends DataStream<T> {
  private readonly settings: OperatorSettings;
  private readonly follower: OperatorSettings | undefined;

  constructor(env: StreamGraphBuilder, readonly nodeId: NodeId, settingsNode: NodeId = nodeId) {
    super(env, [{ node: nodeId, partitioning: FORWARD }]);
    this.settings = new OperatorSettings(env, settingsNode);
    this.follower = settingsNode === nodeId ? undefined : new OperatorSettings(env, nodeId);
  }

  name(name: string): this {
    this.settings.name(name);
    return this;
  }

  uid(uid: string): this {
    this.settings.uid(uid);
    return this;
  }

  setParallelism(parallelism: number): this {
    this.settings.setParallelism(parallelism);
    this.follower?.setParallelism(parallelism);
    return this;
  }

  /**
   * The records this operator's function sent to `tag` with `ctx.output(tag, value)`, as a stream
   * of their own. Side outputs are matched by tag id; two different OutputTag objects with one id
   * on one operator are refused (WEIR_ERR_OUTPUT_TAG_CONFLICT), as their types cannot be told apart.
   */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    checkOutputTag(tag, "getSideOutput()");
    registerSideOutput(this.env, this.nodeId, tag);
    return new DataStream<X>(this.env, [{ node: this.nodeId, partitioning: FORWARD, outputTag: tag.id }]);
  }
}

/** The stream of a non-parallel operator (windowAll): its parallelism is 1, as in Flink. */
export class NonParallelOutputStream<T> extends SingleOutputStream<T> {
  override setParallelism(parallelism: number): this {
    if (parallelism !== 1) throw invalidArgument(`the parallelism of a non-parallel operator (windowAll) must be 1, got ${String(parallelism)}`);
    return super.setParallelism(parallelism);
  }
}

/** The side output tags each node was asked for, by id, per job build. */
const sideOutputTags = new WeakMap<StreamGraphBuilder, Map<NodeId, Map<string, OutputTag<unknown>>>>();

function registerSideOutput(env: StreamGraphBuilder, node: NodeId, tag: OutputTag<unknown>): void {
  let nodes = sideOutputTags.get(env);
  if (nodes === undefined) sideOutputTags.set(env, (nodes = new Map()));
  let tags = nodes.get(node);
  if (tags === undefined) nodes.set(node, (tags = new Map()));
  const known = tags.get(tag.id);
  if (known === undefined) tags.set(tag.id, tag);
  else if (known !== tag) {
    throw new InvalidJobError(
      "WEIR_ERR_OUTPUT_TAG_CONFLICT",
      `operator '${displayName(env.node(node))}' has two different OutputTag objects with the id '${tag.id}': ` +
        `side outputs are matched by id, so use one OutputTag object per side output (or different ids for different record types)`,
    );
  }
}

/** A stream partitioned by key: operators on it have keyed state and timers. */
export class KeyedStream<K, T> extends DataStream<T> {
  override process<O>(fn: KeyedProcessFunction<K, T, O>): SingleOutputStream<O> {
    return this.transform("KeyedProcess", () => new KeyedProcessOperator(fn));
  }

  /** Windows per key: the assigner puts each element in windows, evaluated by the function given to the returned stream. */
  window<W extends Window>(assigner: WindowAssigner<T, W>): WindowedStream<T, K, W> {
    return new WindowedStream<T, K, W>(this, assigner);
  }

  /** Count windows per key: every `size` elements (tumbling), or every `slide` elements over the last `size` (sliding). */
  countWindow(size: number, slide?: number): WindowedStream<T, K, GlobalWindow> {
    return new WindowedStream<T, K, GlobalWindow>(this, countWindow<T>(size, slide));
  }

  /** A rolling reduce: emits the key's new reduced value for every record. */
  reduce(fn: ReduceFunction<T>): SingleOutputStream<T> {
    return this.transform("Reduce", () => new ReduceOperator(fn));
  }

  /** Rolling sum of a numeric field; other fields are those of the key's first record. */
  sum(field: NumericField<T>): SingleOutputStream<T> {
    return this.aggregate("sum", field);
  }

  /** Rolling minimum of a field; other fields are those of the key's first record. */
  min(field: NumericField<T>): SingleOutputStream<T> {
    return this.aggregate("min", field);
  }

  /** Rolling maximum of a field; other fields are those of the key's first record. */
  max(field: NumericField<T>): SingleOutputStream<T> {
    return this.aggregate("max", field);
  }

  /** The whole record with the smallest value of a field so far (the first one on ties). */
  minBy(field: NumericField<T>): SingleOutputStream<T> {
    return this.aggregate("minBy", field);
  }

  /** The whole record with the largest value of a field so far (the first one on ties). */
  maxBy(field: NumericField<T>): SingleOutputStream<T> {
    return this.aggregate("maxBy", field);
  }

  private aggregate(kind: FieldAggregation, field: NumericField<T>): SingleOutputStream<T> {
    const reduce = fieldAggregation<T>(kind, field);
    const label = `${kind[0]!.toUpperCase()}${kind.slice(1)}`;
    return this.transform(`${label}(${String(field)})`, () => new ReduceOperator(reduce));
  }

  /**
   * Joins this stream with another keyed by the same key, by time: `.between(lower, upper)` sets
   * which of the other's records each of this stream's records pairs with (see docs/joins.md).
   */
  intervalJoin<T2>(other: KeyedStream<K, T2>): IntervalJoin<T, T2, K> {
    if (!(other instanceof KeyedStream)) throw invalidArgument("intervalJoin() joins two keyed streams: apply keyBy() to the other stream first");
    if (other.env !== this.env) throw invalidArgument("intervalJoin() of streams from different environments");
    return new IntervalJoin<T, T2, K>(this.env, this.upstreams, other.upstreams);
  }
}

/** Two streams feeding one two-input operator. Key both sides to use keyed state and timers. */
export class ConnectedStreams<A, B> {
  /** @internal */
  constructor(
    private readonly env: StreamGraphBuilder,
    private readonly first: readonly Upstream[],
    private readonly second: readonly Upstream[],
  ) {}

  keyBy<K>(first: KeySelector<A, K>, second: KeySelector<B, K>): ConnectedStreams<A, B> {
    const p1: Partitioning = { kind: "hash", keySelector: first as AnySelector };
    const p2: Partitioning = { kind: "hash", keySelector: second as AnySelector };
    return new ConnectedStreams<A, B>(
      this.env,
      this.first.map((u) => ({ ...u, partitioning: p1 })),
      this.second.map((u) => ({ ...u, partitioning: p2 })),
    );
  }

  process<O>(fn: CoProcessFunction<A, B, O>): SingleOutputStream<O> {
    const id = addOperator(this.env, [this.first, this.second], "CoProcess", () => new CoProcessOperator(fn));
    return new SingleOutputStream<O>(this.env, id);
  }
}
