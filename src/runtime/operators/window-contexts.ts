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
import type { Window } from "../../windowing/windows.ts";
import type { KeyedServices } from "../keyed-services.ts";
import type { SideOutputs } from "../side-outputs.ts";
import { CheckedKeyedStateStore } from "../runtime-context.ts";

/** The state named by `descriptor` for the current key in `window`. */
function stateInWindow(backend: KeyedStateBackend, descriptor: StateDescriptor, window: Window): State {
  const handle = backend.getNamespacedState<Window>(descriptor);
  handle.setCurrentNamespace(window);
  return handle.state;
}

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

  readonly getPartitionedState = ((descriptor: StateDescriptor) => stateInWindow(this.keyed.backend, descriptor, this.window)) as OnMergeContext["getPartitionedState"];

  mergePartitionedState(descriptor: MergeableStateDescriptor): void {
    if (this.mergedWindows.length === 0) return;
    const handle = this.keyed.backend.getNamespacedState<Window>(descriptor) as InternalMergingState<Window, State>;
    handle.mergeNamespaces(this.window, this.mergedWindows);
  }
}

/** Keyed state of the current key in one window (a ProcessWindowFunction's `windowState()`). */
class PerWindowStateStore extends CheckedKeyedStateStore {
  window!: Window;

  constructor(private readonly backend: KeyedStateBackend) {
    super();
  }

  protected stateOf(descriptor: StateDescriptor): State {
    return stateInWindow(this.backend, descriptor, this.window);
  }
}

/** What a window function sees of the window it evaluates (or clears). */
export class WindowProcessContext<W extends Window> extends WindowTime implements ProcessWindowFunctionContext<W> {
  private current!: W;
  private readonly perWindow: PerWindowStateStore;

  constructor(
    keyed: KeyedServices,
    clock: Clock,
    private readonly runtime: RuntimeContext,
    private readonly sideOutputs: SideOutputs,
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
    return this.perWindow;
  }

  globalState(): KeyedStateStore {
    return this.runtime;
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.sideOutputs.emit(tag, value);
  }
}
