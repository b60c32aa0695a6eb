/**
 * The contexts a window operator hands to triggers, evictors and window functions. Each is one
 * reused object per operator, pointed at the window being handled: timers are (current key,
 * window, time), and trigger state and per-window state are namespaced keyed state with the
 * window as namespace, so all of it is checkpointed with the key.
 */
import type { KeyedStateStore, RuntimeContext } from "../../api/functions.ts";
import type { OutputTag } from "../../api/output-tag.ts";
import type { Clock } from "../../core/clock.ts";
import type { StateDescriptor } from "../../state/descriptors.ts";
import type { KeyedStateBackend } from "../../state/keyed-state-backend.ts";
import type { InternalMergingState } from "../../state/namespaced-state.ts";
import type { State } from "../../state/state.ts";
import type { EvictorContext } from "../../windowing/evictor.ts";
import type { MergeableStateDescriptor, OnMergeContext } from "../../windowing/trigger.ts";
import type { ProcessWindowFunctionContext } from "../../windowing/window-functions.ts";
import { invalidWindow } from "../../windowing/window-arguments.ts";
import type { Window } from "../../windowing/windows.ts";
import type { KeyedServices } from "../keyed-services.ts";
import type { SideOutputs } from "../side-outputs.ts";
import { CheckedKeyedStateStore } from "../runtime-context.ts";

/**
 * Namespaced state of one owner (the trigger, or the window function's per-window state), stored
 * under the owner's prefix plus the descriptor's name: so a trigger's "count" and a function's
 * own "count", per window or per key, are different states.
 */
class OwnedStates {
  private readonly renamed = new WeakMap<StateDescriptor, StateDescriptor>();

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly prefix: string,
  ) {}

  /** The namespaced state of `descriptor`, as stored for this owner. */
  handle(descriptor: StateDescriptor): InternalMergingState<Window, State> {
    let own = this.renamed.get(descriptor);
    if (own === undefined) {
      // A copy of the descriptor (its kind, functions and TTL) under the owner's name.
      own = Object.assign(Object.create(Object.getPrototypeOf(descriptor) as object) as StateDescriptor, descriptor, { name: this.prefix + descriptor.name });
      this.renamed.set(descriptor, own);
    }
    return this.backend.getNamespacedState<Window>(own) as InternalMergingState<Window, State>;
  }

  /** The state of `descriptor` for the current key in `window`. */
  inWindow(descriptor: StateDescriptor, window: Window): State {
    const handle = this.handle(descriptor);
    handle.setCurrentNamespace(window);
    return handle.state;
  }
}

/** Where a trigger's state and a window function's per-window state are stored: the prefix, then the descriptor's name. */
export const TRIGGER_STATE_PREFIX = "_trigger-state:";
export const WINDOW_STATE_PREFIX = "_window-state:";

/** Time as the window's helpers see it: the task's clock and the operator's watermark. */
abstract class WindowTime implements EvictorContext {
  constructor(
    protected readonly keyed: KeyedServices,
    protected readonly clock: Clock,
  ) {}

  getCurrentProcessingTime(): number {
    return this.clock.now();
  }

  getCurrentWatermark(): number {
    return this.keyed.timers.currentWatermark();
  }
}

/** The trigger's view, for the current key and `window`; `mergedWindows` are those merged into it during `onMerge`. */
export class WindowTriggerContext<W extends Window> extends WindowTime implements OnMergeContext {
  window!: W;
  mergedWindows: readonly W[] = [];
  private readonly states: OwnedStates;

  constructor(keyed: KeyedServices, clock: Clock) {
    super(keyed, clock);
    this.states = new OwnedStates(keyed.backend, TRIGGER_STATE_PREFIX);
  }

  /** Points the context at `window` and returns it. */
  at(window: W): this {
    this.window = window;
    return this;
  }

  registerProcessingTimeTimer(time: number): void {
    this.keyed.timers.registerProcessingTimeTimer(this.window, time);
  }

  registerEventTimeTimer(time: number): void {
    this.keyed.timers.registerEventTimeTimer(this.window, time);
  }

  deleteProcessingTimeTimer(time: number): void {
    this.keyed.timers.deleteProcessingTimeTimer(this.window, time);
  }

  deleteEventTimeTimer(time: number): void {
    this.keyed.timers.deleteEventTimeTimer(this.window, time);
  }

  readonly getPartitionedState = ((descriptor: StateDescriptor) => this.states.inWindow(descriptor, this.window)) as OnMergeContext["getPartitionedState"];

  mergePartitionedState(descriptor: MergeableStateDescriptor): void {
    if (this.mergedWindows.length > 0) this.states.handle(descriptor).mergeNamespaces(this.window, this.mergedWindows);
  }
}

/** Keyed state of the current key in one window (a ProcessWindowFunction's `windowState()`). */
class PerWindowStateStore extends CheckedKeyedStateStore {
  window!: Window;
  private readonly states: OwnedStates;

  constructor(backend: KeyedStateBackend) {
    super();
    this.states = new OwnedStates(backend, WINDOW_STATE_PREFIX);
  }

  protected stateOf(descriptor: StateDescriptor): State {
    return this.states.inWindow(descriptor, this.window);
  }
}

/**
 * What a window function sees of the window it evaluates (or clears). With a merging assigner
 * there is no per-window state, as in Flink: it would have to follow every merge of sessions.
 */
export class WindowProcessContext<W extends Window> extends WindowTime implements ProcessWindowFunctionContext<W> {
  private current!: W;
  private readonly perWindow: PerWindowStateStore;

  constructor(
    keyed: KeyedServices,
    clock: Clock,
    private readonly runtime: RuntimeContext,
    private readonly sideOutputs: SideOutputs,
    private readonly mergingAssigner: string | undefined,
  ) {
    super(keyed, clock);
    this.perWindow = new PerWindowStateStore(keyed.backend);
  }

  /** Points the context at `window` and returns it. */
  at(window: W): this {
    this.current = window;
    this.perWindow.window = window;
    return this;
  }

  window(): W {
    return this.current;
  }

  currentProcessingTime(): number {
    return this.clock.now();
  }

  currentWatermark(): number {
    return this.keyed.timers.currentWatermark();
  }

  windowState(): KeyedStateStore {
    if (this.mergingAssigner !== undefined) {
      throw invalidWindow(`Per-window state is not allowed when using merging windows (${this.mergingAssigner}): windowState() has no state that follows merges; keep what the function needs in globalState()`);
    }
    return this.perWindow;
  }

  globalState(): KeyedStateStore {
    return this.runtime;
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.sideOutputs.emit(tag, value);
  }
}
