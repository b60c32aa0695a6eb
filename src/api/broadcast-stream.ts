/**
 * The broadcast state pattern's streams: `stream.broadcast(descriptor, ...)` gives a
 * BroadcastStream, whose records reach every parallel instance of the operator it feeds and
 * which declares the broadcast states that operator holds; `other.connect(broadcastStream)` gives
 * a BroadcastConnectedStream, processed by a KeyedBroadcastProcessFunction when `other` is keyed
 * and by a BroadcastProcessFunction when it is not.
 */
import { invalidArgument } from "../core/errors.ts";
import type { MapStateDescriptor } from "../state/descriptors.ts";
import { BroadcastProcessOperator } from "../runtime/operators/broadcast-process.ts";
import { BroadcastProcessFunction, KeyedBroadcastProcessFunction } from "./broadcast-functions.ts";
import { addOperator, isKeyedInput, SingleOutputStream, type Upstream } from "./data-stream.ts";
import type { StreamGraphBuilder } from "./stream-graph-builder.ts";

export class BroadcastStream<T> {
  declare readonly __type?: T;

  /** @internal */
  constructor(
    /** @internal */ readonly env: StreamGraphBuilder,
    /** @internal */ readonly upstreams: readonly Upstream[],
    /** @internal */ readonly descriptors: readonly MapStateDescriptor<unknown, unknown>[],
  ) {}

  /** The broadcast state descriptors given to `broadcast(...)`. */
  getBroadcastStateDescriptors(): readonly MapStateDescriptor<unknown, unknown>[] {
    return this.descriptors;
  }
}

export class BroadcastConnectedStream<IN1, IN2> {
  /** @internal */
  constructor(
    private readonly env: StreamGraphBuilder,
    private readonly nonBroadcast: readonly Upstream[],
    private readonly broadcast: BroadcastStream<IN2>,
  ) {}

  process<K, O>(fn: KeyedBroadcastProcessFunction<K, IN1, IN2, O>): SingleOutputStream<O>;
  process<O>(fn: BroadcastProcessFunction<IN1, IN2, O>): SingleOutputStream<O>;
  process<O>(fn: KeyedBroadcastProcessFunction<unknown, IN1, IN2, O> | BroadcastProcessFunction<IN1, IN2, O>): SingleOutputStream<O> {
    const keyed = isKeyedInput(this.nonBroadcast);
    checkFunction(fn, keyed);
    const descriptors = this.broadcast.descriptors;
    const operatorType = keyed ? "KeyedBroadcastProcess" : "BroadcastProcess";
    const id = addOperator(this.env, [this.nonBroadcast, this.broadcast.upstreams], operatorType, () => new BroadcastProcessOperator(fn as never, descriptors));
    return new SingleOutputStream<O>(this.env, id);
  }
}

/** Flink's rules: a keyed stream takes a KeyedBroadcastProcessFunction, any other a BroadcastProcessFunction. */
function checkFunction(fn: unknown, keyed: boolean): void {
  const f = fn as { processElement?: unknown; processBroadcastElement?: unknown } | null;
  if (f === null || typeof f !== "object" || typeof f.processElement !== "function" || typeof f.processBroadcastElement !== "function") {
    throw invalidArgument("process() of a stream connected with a broadcast stream needs a function object with processElement and processBroadcastElement methods");
  }
  if (keyed && fn instanceof BroadcastProcessFunction) {
    throw invalidArgument("a BroadcastProcessFunction cannot process a keyed stream connected with a broadcast stream: extend KeyedBroadcastProcessFunction");
  }
  if (!keyed && fn instanceof KeyedBroadcastProcessFunction) {
    throw invalidArgument("a KeyedBroadcastProcessFunction needs a keyed stream: apply keyBy() before connect(), or extend BroadcastProcessFunction");
  }
}
