/**
 * Runs a BroadcastProcessFunction or KeyedBroadcastProcessFunction: input 0 is the (keyed or
 * not) stream, input 1 the broadcast stream. The broadcast states the `broadcast(...)` call
 * declared live in the operator state store, registered at open so that every checkpoint holds
 * them; input 0 and timers see them through read-only views, input 1 may write them.
 */
import type {
  BroadcastProcessFunction,
  KeyedBroadcastContext,
  KeyedBroadcastOnTimerContext,
  KeyedBroadcastProcessFunction,
  KeyedStateFunction,
} from "../../api/broadcast-functions.ts";
import type { OutputTag } from "../../api/output-tag.ts";
import { WeirError } from "../../core/errors.ts";
import { denormalizeKey, type NormalizedKey } from "../../core/key-groups.ts";
import type { MapStateDescriptor, StateDescriptor } from "../../state/descriptors.ts";
import type { BroadcastState, ReadOnlyBroadcastState } from "../../state/operator-state.ts";
import type { HeapBroadcastState } from "../../state/operator/broadcast-state.ts";
import { checkDescriptorKind } from "../../state/descriptors.ts";
import { DefaultOperatorStateStore } from "../../state/operator/operator-state-store.ts";
import type { State } from "../../state/state.ts";
import type { KeyedServices } from "../keyed-services.ts";
import { OperatorKeyedContext } from "./keyed-context.ts";
import type { OperatorContext, Output, StreamOperator } from "./operator.ts";
import { ProcessOperator } from "./process-operator.ts";
import { userCallable } from "./user-function.ts";

/** Both kinds, seen as the keyed one: a non-keyed function has no onTimer and never gets timers. */
type AnyBroadcastFunction = KeyedBroadcastProcessFunction<unknown, unknown, unknown, unknown>;

/** The declared broadcast states of one operator instance, and the checks on asking for them. */
class DeclaredBroadcastStates {
  private readonly states = new Map<string, HeapBroadcastState<unknown, unknown>>();
  private readonly readOnlyViews = new Map<string, ReadOnlyBroadcastState<unknown, unknown>>();

  constructor(
    store: DefaultOperatorStateStore,
    descriptors: readonly MapStateDescriptor<unknown, unknown>[],
    private readonly operatorName: string,
  ) {
    for (const d of descriptors) this.states.set(d.name, store.getBroadcastState(d) as HeapBroadcastState<unknown, unknown>);
  }

  writable(descriptor: MapStateDescriptor<unknown, unknown>): BroadcastState<unknown, unknown> {
    return this.lookup(descriptor);
  }

  readOnly(descriptor: MapStateDescriptor<unknown, unknown>): ReadOnlyBroadcastState<unknown, unknown> {
    const state = this.lookup(descriptor);
    let view = this.readOnlyViews.get(state.name);
    if (view === undefined) {
      view = state.readOnly(`processElement and onTimer of operator '${this.operatorName}'`);
      this.readOnlyViews.set(state.name, view);
    }
    return view;
  }

  private lookup(descriptor: MapStateDescriptor<unknown, unknown>): HeapBroadcastState<unknown, unknown> {
    checkDescriptorKind(descriptor, "map", "getBroadcastState");
    const state = this.states.get(descriptor.name);
    if (state !== undefined) return state;
    throw new WeirError(
      "WEIR_ERR_UNKNOWN_BROADCAST_STATE",
      `operator '${this.operatorName}' asked for broadcast state '${descriptor.name}', which its broadcast input did not declare ` +
        `(declared: ${[...this.states.keys()].map((n) => `'${n}'`).join(", ")}); pass its descriptor to broadcast(...)`,
    );
  }
}

/** Input 0's context (and the timers'): keyed services and timers as a keyed process function has them, broadcast state read-only. */
class ReadOnlyContext extends OperatorKeyedContext<unknown> implements KeyedBroadcastOnTimerContext<unknown> {
  constructor(
    keyed: KeyedServices | undefined,
    context: OperatorContext,
    private readonly states: DeclaredBroadcastStates,
  ) {
    super(keyed, context);
  }

  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V> {
    return this.states.readOnly(descriptor as MapStateDescriptor<unknown, unknown>) as ReadOnlyBroadcastState<K, V>;
  }
}

/**
 * Input 1's context: broadcast state writable, and every key's keyed state on a keyed stream;
 * time, watermark and side outputs as input 0's context has them (`base`).
 */
class WritableContext implements KeyedBroadcastContext {
  constructor(
    private readonly keyed: KeyedServices | undefined,
    private readonly base: OperatorKeyedContext<unknown>,
    private readonly operatorName: string,
    private readonly states: DeclaredBroadcastStates,
  ) {}

  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    return this.states.writable(descriptor as MapStateDescriptor<unknown, unknown>) as BroadcastState<K, V>;
  }

  timestamp(): number | null {
    return this.base.timestamp();
  }

  currentProcessingTime(): number {
    return this.base.currentProcessingTime();
  }

  currentWatermark(): number {
    return this.base.currentWatermark();
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.base.output(tag, value);
  }

  applyToKeyedState(descriptor: StateDescriptor, fn: KeyedStateFunction<unknown, never>): void {
    const keyed = this.keyed;
    if (keyed === undefined) {
      throw new WeirError(
        "WEIR_ERR_KEYED_STATE_OUTSIDE_KEYED_STREAM",
        `operator '${this.operatorName}' called applyToKeyedState, but its input is not keyed: apply keyBy() before connect()`,
      );
    }
    const backend = keyed.backend;
    const state = backend.getState(descriptor);
    const keys: NormalizedKey[] = [];
    for (let group = backend.keyGroupRange.start; group <= backend.keyGroupRange.end; group++) {
      for (const [key] of backend.keyGroupEntries(descriptor.name, group)) keys.push(key);
    }
    const apply = userCallable<(key: unknown, state: State) => void>(fn, "process");
    for (const normalized of keys) {
      const key = denormalizeKey(normalized);
      backend.setCurrentKey(key);
      apply(key, state);
    }
  }
}

export class BroadcastProcessOperator extends ProcessOperator<AnyBroadcastFunction, unknown, unknown> implements StreamOperator {
  private writable!: WritableContext;

  constructor(
    userFunction: AnyBroadcastFunction | BroadcastProcessFunction<unknown, unknown, unknown>,
    private readonly descriptors: readonly MapStateDescriptor<unknown, unknown>[],
  ) {
    super(userFunction as AnyBroadcastFunction);
  }

  override async open(context: OperatorContext, output: Output<unknown>): Promise<void> {
    const name = context.runtime.operatorName;
    const store = context.operatorStateStore ?? new DefaultOperatorStateStore();
    const states = new DeclaredBroadcastStates(store, this.descriptors, name);
    this.keyed = context.keyed;
    const readOnly = new ReadOnlyContext(context.keyed, context, states);
    this.ctx = readOnly;
    this.writable = new WritableContext(context.keyed, readOnly, name, states);
    await super.open(context.operatorStateStore === undefined ? { ...context, operatorStateStore: store } : context, output);
  }

  processElement(record: unknown, inputIndex: 0 | 1): void {
    try {
      if (inputIndex === 0) {
        this.keyed?.setCurrentKeyOf(record, 0);
        this.userFunction.processElement(record, this.ctx as ReadOnlyContext & KeyedBroadcastOnTimerContext<unknown>, this.output);
      } else {
        this.userFunction.processBroadcastElement(record, this.writable, this.output);
      }
    } catch (e) {
      this.fail(e);
    }
  }
}
