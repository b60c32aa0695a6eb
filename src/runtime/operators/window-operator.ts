/**
 * The window operator (Flink's WindowOperator, and EvictingWindowOperator when an evictor is set):
 * places each element of a keyed stream in the windows its assigner gives, keeps each window's
 * contents in namespaced keyed state, asks the trigger after each element and timer whether the
 * window fires or is purged, evaluates the window function when it fires, and drops a window's
 * state at its cleanup time (`window.maxTimestamp() + allowedLateness` in event time, its end in
 * processing time).
 *
 * Everything the operator keeps is checkpointed keyed state or a timer: window contents, trigger
 * state and per-window state (namespace: the window), the windows in flight of a merging assigner
 * (a MergingWindowSet per key) and timers per (key, window, time). Nothing lives only in fields.
 *
 * Semantics, as Flink's:
 * - an element is dropped for a window that is late (its cleanup time is at or below the
 *   watermark); an element dropped for all its windows that is itself late (`timestamp +
 *   allowedLateness <= watermark`) goes to the late-data side output if one is set;
 * - FIRE evaluates the function on the contents, PURGE drops them, FIRE_AND_PURGE does both; a
 *   window whose contents are empty does not fire;
 * - what the window function emits carries `window.maxTimestamp()` as its timestamp;
 * - merging windows (sessions) merge their contents into the state window of one of them, merge
 *   their trigger state, and drop the timers of the windows merged away.
 *
 * Sliding event-time windows with an `aggregate` function whose accumulators merge, the default
 * trigger and no evictor keep panes instead of one accumulator per window (see pane-contents.ts):
 * an element is added once, and a window's accumulator is merged from its panes when it fires.
 * The decisions above are the same; what differs is how the timers are kept: a key has the timer
 * of the first window of each new pane that the watermark has not passed, and each window that
 * fires sets the next window's timer when the key holds a pane in it. Every window holding a pane
 * is reached: the windows holding a pane are consecutive, and the first is timed.
 */
import { deepCopy } from "../../core/deep-copy.ts";
import type { Lifecycle } from "../../api/functions.ts";
import type { OutputTag } from "../../api/output-tag.ts";
import { WeirError, internalError } from "../../core/errors.ts";
import { ListStateDescriptor } from "../../state/descriptors.ts";
import type { TimeDomain } from "../../state/internal-timer-service.ts";
import type { ListState } from "../../state/state.ts";
import { EventTimeTrigger } from "../../windowing/event-time-trigger.ts";
import { TimestampedValue, type Evictor } from "../../windowing/evictor.ts";
import { cleanupTime, eventTimeCleanupTime, isElementLate, isWindowLate } from "../../windowing/lateness.ts";
import { MergingWindowSet, type MergeFunction, type StoredWindowMapping } from "../../windowing/merging-window-set.ts";
import type { Trigger, TriggerResult } from "../../windowing/trigger.ts";
import { invalidWindow } from "../../windowing/window-arguments.ts";
import { isMergingWindowAssigner, type MergingWindowAssigner, type WindowAssigner, type WindowAssignerContext } from "../../windowing/window-assigner.ts";
import type { InternalWindowFunction } from "../../windowing/window-functions.ts";
import { PaneLayout, PanePosition } from "../../windowing/panes.ts";
import { requireTimestamp } from "../../windowing/record-timestamp.ts";
import { SlidingEventTimeWindows } from "../../windowing/sliding-windows.ts";
import { MAX_TIMESTAMP, TimeWindow, Window, type WindowSerializer } from "../../windowing/windows.ts";
import type { KeyedServices } from "../keyed-services.ts";
import type { RecordTimestamp } from "../record-timestamp.ts";
import type { SideOutputs } from "../side-outputs.ts";
import { requireKeyed } from "./keyed-context.ts";
import type { OperatorContext, Output, StreamOperator } from "./operator.ts";
import { PANES_STATE_PREFIX, PaneContents, type MergingAggregate } from "./pane-contents.ts";
import { evictingContents, foldElements, plainContents, type ContentsState, type StoredElement, type WindowContents } from "./window-contents.ts";
import { WindowProcessContext, WindowTriggerContext } from "./window-contexts.ts";
import { UserFunctionOperator } from "./user-function.ts";

/** The state name of the windows in flight of a merging assigner, per key. */
const MERGING_WINDOWS_STATE = "_window-merging-windows";

/** Everything a window operator is made of; the windowed-stream API builds it. */
export interface WindowOperatorSpec<IN, OUT, K, W extends Window> {
  readonly assigner: WindowAssigner<IN, W>;
  readonly trigger: Trigger<IN, W>;
  readonly evictor: Evictor<IN, W> | undefined;
  /** Milliseconds an event-time window is kept after the watermark passed its end. */
  readonly allowedLateness: number;
  /** Where late elements go; undefined drops them. */
  readonly lateDataOutputTag: OutputTag<IN> | undefined;
  readonly contents: WindowContents<IN>;
  readonly windowFunction: InternalWindowFunction<unknown, OUT, K, W>;
}

/** Window contents with an evictor: all elements, evicted from before and after the function. */
interface Evicting<IN, W extends Window> {
  readonly evictor: Evictor<IN, W>;
  readonly elements: ListState<StoredElement<IN>>;
}

export class WindowOperator<IN, OUT, K, W extends Window> extends UserFunctionOperator<Lifecycle | undefined, OUT> implements StreamOperator {
  private readonly assigner: WindowAssigner<IN, W>;
  private readonly merging: MergingWindowAssigner<IN, W> | undefined;
  private readonly serializer: WindowSerializer<W>;
  private readonly trigger: Trigger<IN, W>;
  private readonly isEventTime: boolean;
  private readonly windowFunction: InternalWindowFunction<unknown, OUT, K, W>;
  /**
   * Whether the trigger's own timer is the cleanup timer: the event-time trigger sets one at
   * `maxTimestamp()` for every window that is not late (on each element, and on merges), which
   * without lateness is the cleanup time. Registering it again would change nothing but cost.
   */
  private readonly triggerSetsCleanupTimer: boolean;
  /**
   * Whether elements take the event-time trigger's path inline: the trigger is Flink's
   * EventTimeTrigger (which fires a window the watermark passed, else sets its timer at
   * `maxTimestamp()`), the assigner does not merge and no evictor is set. Same decisions, without
   * a call through the trigger context per element and window.
   */
  private readonly eventTimeFastPath: boolean;
  /** The panes of sliding windows whose contents are kept as panes (see the header); undefined for every other window. */
  private readonly paneLayout: PaneLayout | undefined;
  private panes: PaneContents<IN> | undefined;
  /** Where the last element's time fell in the panes (undefined without panes). */
  private readonly panePosition: PanePosition | undefined;
  /** The window `windowAfter` gave last. */
  private lastWindowAfter: TimeWindow | undefined;
  /** The window's name in errors about its records (made once: the assigner's toString builds a string). */
  private readonly owner: string;

  private keyed!: KeyedServices;
  private time!: RecordTimestamp;
  private sideOutputs!: SideOutputs;
  private contents!: ContentsState<IN>;
  private evicting: Evicting<IN, W> | undefined;
  private mergingWindows: ListState<StoredWindowMapping[number]> | undefined;
  private triggerContext!: WindowTriggerContext<W>;
  private processContext!: WindowProcessContext<W>;
  private assignerContext!: WindowAssignerContext;
  /**
   * Whether elements are copied where user functions could otherwise change what windows keep
   * (off with object reuse, whose contract is that the job changes nothing it was given).
   */
  private copiesElements = true;
  /** Late elements dropped because no late-data side output was set (Flink's numLateRecordsDropped). */
  private lateRecordsDropped = 0;

  constructor(private readonly spec: WindowOperatorSpec<IN, OUT, K, W>) {
    super(spec.windowFunction.userFunction);
    this.assigner = spec.assigner;
    this.merging = isMergingWindowAssigner(spec.assigner) ? spec.assigner : undefined;
    this.serializer = spec.assigner.getWindowSerializer();
    this.trigger = spec.trigger;
    this.isEventTime = spec.assigner.isEventTime();
    this.windowFunction = spec.windowFunction;
    this.triggerSetsCleanupTimer = this.isEventTime && spec.allowedLateness === 0 && spec.trigger === EventTimeTrigger.create();
    this.eventTimeFastPath = spec.trigger === EventTimeTrigger.create() && this.merging === undefined && spec.evictor === undefined;
    this.paneLayout = paneLayoutOf(spec);
    this.panePosition = this.paneLayout === undefined ? undefined : new PanePosition(this.paneLayout);
    this.owner = String(spec.assigner);
  }

  override async open(context: OperatorContext, output: Output<unknown>): Promise<void> {
    const keyed = (this.keyed = requireKeyed(context, "a window operator"));
    this.time = context.recordTimestamp;
    this.sideOutputs = context.sideOutputs;
    this.copiesElements = context.objectReuse !== true;
    const backend = keyed.backend;
    const { evictor, contents } = this.spec;
    if (this.paneLayout !== undefined) this.panes = new PaneContents(backend, this.paneLayout, (contents as { aggregate: MergingAggregate<IN> }).aggregate, `the ${String(this.assigner)} window`);
    else if (backend.stateNamesWithEntries().some((name) => name.startsWith(PANES_STATE_PREFIX))) {
      throw new WeirError(
        "WEIR_ERR_CHECKPOINT_MISMATCH",
        `the ${String(this.assigner)} window: the checkpoint holds the panes of sliding windows with an aggregate function and the default trigger, but this window keeps one state per window (its trigger, evictor or function changed), so its windows in flight cannot be rebuilt; restore with the window that wrote the checkpoint, or start without it`,
      );
    } else if (evictor === undefined) this.contents = plainContents(backend, contents);
    else {
      const evicting = evictingContents<IN>(backend);
      this.contents = evicting;
      this.evicting = { evictor, elements: evicting.elements };
    }
    if (this.merging !== undefined) this.mergingWindows = backend.getState(new ListStateDescriptor<StoredWindowMapping[number]>(MERGING_WINDOWS_STATE));
    this.triggerContext = new WindowTriggerContext<W>(keyed, context.clock);
    this.processContext = new WindowProcessContext<W>(keyed, context.clock, context.runtime, context.sideOutputs, this.merging === undefined ? undefined : String(this.merging));
    const clock = context.clock;
    this.assignerContext = { getCurrentProcessingTime: () => clock.now() };
    await super.open(context, output);
  }

  /** How many late elements were dropped (no late-data side output set) since the operator opened. */
  getLateRecordsDropped(): number {
    return this.lateRecordsDropped;
  }

  processElement(record: unknown): void {
    try {
      this.keyed.setCurrentKeyOf(record, 0);
      const value = record as IN;
      const at = this.time.at;
      const timestamp = at === at ? at : undefined;
      if (this.panes !== undefined) {
        if (!this.addToPanes(this.panes, this.paneLayout!.size, value, requireTimestamp(this.owner, timestamp))) this.dropLate(value, timestamp!);
        return;
      }
      const windows = this.assigner.assignWindows(value, timestamp, this.assignerContext);
      const added = this.merging === undefined ? this.addToWindows(value, timestamp, windows) : this.addToMergingWindows(this.merging, value, timestamp, windows);
      if (!added && timestamp !== undefined) this.dropLate(value, timestamp);
    } catch (e) {
      this.fail(e);
    }
  }

  /** An element no window took: when it is late itself, to the late-data side output or counted as dropped. */
  private dropLate(value: IN, timestamp: number): void {
    if (!isElementLate(timestamp, this.spec.allowedLateness, this.currentWatermark(), this.isEventTime)) return;
    const tag = this.spec.lateDataOutputTag;
    if (tag === undefined) this.lateRecordsDropped++;
    else this.sideOutputs.emit(tag, value);
  }

  /**
   * Adds the element to its pane unless all its windows are late; whether it was added. Windows
   * the watermark passed but lateness keeps fire at once, as the event-time trigger does; a new
   * pane times the first of its windows the watermark has not passed.
   */
  private addToPanes(panes: PaneContents<IN>, size: number, value: IN, timestamp: number): boolean {
    const watermark = this.currentWatermark();
    const position = this.panePosition!.at(timestamp);
    // The latest window holding the element is cleaned up last: when it is late, all are.
    if (eventTimeCleanupTime(position.lastWindowStart + size - 1, this.spec.allowedLateness) <= watermark) return false;
    const isNewPane = panes.add(value, position.paneStart);
    if (!isNewPane && position.firstWindowEnd - 1 > watermark) return true;
    let first: W | undefined;
    // Latest start first, as the per-window path fires them.
    for (const window of this.assigner.assignWindows(value, timestamp, this.assignerContext)) {
      if (this.isLate(window)) continue;
      if (window.maxTimestamp() > watermark) first = window;
      else {
        this.fireFromPanes(panes, window);
        this.registerCleanupTimer(window);
      }
    }
    if (isNewPane && first !== undefined) this.keyed.timers.registerEventTimeTimer(first, first.maxTimestamp());
    return true;
  }

  /** Evaluates the window function on the window's accumulator merged from its panes; whether it held anything. */
  private fireFromPanes(panes: PaneContents<IN>, window: W): boolean {
    const accumulator = panes.accumulatorOf(window as unknown as TimeWindow);
    if (accumulator === undefined) return false;
    this.emit(window, (this.spec.contents as { aggregate: MergingAggregate<IN> }).aggregate.getResult(accumulator));
    return true;
  }

  /**
   * A timer of a window kept in panes: it fires at its end (and times the next window), and is
   * cleaned up at its cleanup time. The next window holds a pane when the window merged one that
   * the next window also covers (from its start on), or the key holds one after the window's end.
   */
  private onPaneTimer(panes: PaneContents<IN>, layout: PaneLayout, time: number, window: W): void {
    const timeWindow = window as unknown as TimeWindow;
    if (time === window.maxTimestamp()) {
      const fired = this.fireFromPanes(panes, window);
      const next = this.windowAfter(timeWindow, layout.slide);
      if (panes.latestPaneMerged >= next.start || panes.holdsAny(timeWindow.end, next.end)) this.keyed.timers.registerEventTimeTimer(next as unknown as W, next.maxTimestamp());
      if (fired) this.registerCleanupTimer(window);
    }
    if (time === this.cleanupTime(window)) {
      panes.clear(timeWindow, layout.firstPaneStartAfter(timeWindow));
      this.windowFunction.clear(window, this.processContext.at(window));
    }
  }

  /**
   * The window one slide after `window`. The keys whose timers fire at one time fire the same
   * window, so the one object made for the first serves the rest (and, as a timer namespace, its
   * normalized form is built once).
   */
  private windowAfter(window: TimeWindow, slide: number): TimeWindow {
    const last = this.lastWindowAfter;
    if (last !== undefined && last.start === window.start + slide && last.end === window.end + slide) return last;
    return (this.lastWindowAfter = new TimeWindow(window.start + slide, window.end + slide));
  }

  /** Adds the element to each of its windows that is not late; whether any took it. */
  private addToWindows(value: IN, timestamp: number | undefined, windows: readonly W[]): boolean {
    let added = false;
    const contents = this.contents;
    const handle = contents.handle;
    const fastPath = this.eventTimeFastPath;
    const watermark = this.currentWatermark();
    for (let i = 0; i < windows.length; i++) {
      const window = windows[i]!;
      if (isWindowLate(window, this.spec.allowedLateness, watermark, this.isEventTime)) continue;
      handle.setCurrentNamespace(window);
      const element = added ? this.ownCopy(value) : value;
      added = true;
      if (!fastPath) {
        this.addAndTrigger(window, element, timestamp);
        continue;
      }
      // EventTimeTrigger.onElement inline; its timer at maxTimestamp() is also the cleanup timer
      // without lateness, and a later cleanup timer is registered as addAndTrigger does. Without
      // lateness, a window holding contents has its timer pending (it fires and clears them at
      // once, restored or not), so registering it again would change nothing.
      const timerPending = this.triggerSetsCleanupTimer && handle.hasValue();
      contents.add(element, timestamp);
      if (timerPending) continue;
      const maxTimestamp = window.maxTimestamp();
      if (maxTimestamp <= watermark) this.fire(window);
      else this.keyed.timers.registerEventTimeTimer(window, maxTimestamp);
      this.registerCleanupTimer(window);
    }
    return added;
  }

  /** Adds the element to each window, merged with the windows in flight of its key; whether any took it. */
  private addToMergingWindows(assigner: MergingWindowAssigner<IN, W>, value: IN, timestamp: number | undefined, windows: readonly W[]): boolean {
    const set = new MergingWindowSet<W>(assigner as MergingWindowAssigner<unknown, W>, this.mergingWindows!, this.serializer);
    let added = false;
    for (const window of windows) {
      const actual = set.addWindow(window, this.mergeWindows);
      if (this.isLate(actual)) {
        set.retireWindow(actual);
        continue;
      }
      const stateWindow = set.getStateWindow(actual);
      if (stateWindow === undefined) throw internalError(`window ${String(actual)} has no state window in the merging window set`);
      this.contents.handle.setCurrentNamespace(stateWindow);
      this.addAndTrigger(actual, added ? this.ownCopy(value) : value, timestamp);
      added = true;
    }
    set.persist();
    return added;
  }

  /**
   * Merges windows of the current key (MergingWindowSet calls it): the trigger merges its state
   * and timers into the merged window, the merged-away windows lose their trigger state and
   * cleanup timers, and their contents move into the state window that carries on.
   */
  private readonly mergeWindows: MergeFunction<W> = (mergeResult, mergedWindows, stateWindowResult, mergedStateWindows) => {
    if (this.isEventTime && isWindowLate(mergeResult, this.spec.allowedLateness, this.currentWatermark(), true)) {
      throw invalidWindow(`${String(this.assigner)} merged windows into ${String(mergeResult)}, whose end is behind the watermark ${this.currentWatermark()}: a merge may not make a window end earlier`);
    }
    const ctx = this.triggerContext.at(mergeResult);
    ctx.mergedWindows = mergedWindows;
    try {
      this.trigger.onMerge(mergeResult, ctx);
    } finally {
      ctx.mergedWindows = [];
    }
    for (const merged of mergedWindows) {
      this.trigger.clear(merged, this.triggerContext.at(merged));
      this.deleteCleanupTimer(merged);
    }
    this.contents.handle.mergeNamespaces(stateWindowResult, mergedStateWindows);
  };

  /** Adds to the contents namespace already set, then acts on what the trigger says. */
  private addAndTrigger(window: W, value: IN, timestamp: number | undefined): void {
    this.contents.add(value, timestamp);
    const result = this.trigger.onElement(value, timestamp, window, this.triggerContext.at(window));
    this.act(result, window);
    this.registerCleanupTimer(window);
  }

  /** FIRE evaluates the function on the window's contents (namespace already set), PURGE drops them. */
  private act(result: TriggerResult, window: W): void {
    if (result.isFire()) this.fire(window);
    if (result.isPurge()) this.contents.handle.state.clear();
  }

  private fire(window: W): void {
    if (this.evicting !== undefined) {
      this.fireEvicting(window, this.evicting);
      return;
    }
    const input = this.contents.read();
    if (input !== undefined) this.emit(window, input);
  }

  /** Evicts before, evaluates the function on what is left (folded for reduce and aggregate), evicts after, and keeps what remains. */
  private fireEvicting(window: W, { evictor, elements: state }: Evicting<IN, W>): void {
    const stored = state.get();
    if (stored.length === 0) return;
    const elements = stored.map(([value, timestamp]) => new TimestampedValue(value, timestamp ?? undefined));
    evictor.evictBefore(elements, elements.length, window, this.triggerContext);
    const input = foldElements(this.spec.contents, elements.map((e) => e.value), this.copiesElements);
    if (input !== undefined) this.emit(window, input);
    evictor.evictAfter(elements, elements.length, window, this.triggerContext);
    state.update(elements.map((e): StoredElement<IN> => [e.value, e.timestamp ?? null]));
  }

  /** Evaluates the window function; what it emits carries the window's max timestamp. */
  private emit(window: W, input: unknown): void {
    const time = this.time;
    const previous = time.at;
    time.at = window.maxTimestamp();
    try {
      this.windowFunction.process(this.keyed.backend.getCurrentKey() as K, window, this.processContext.at(window), input, this.output);
    } finally {
      time.at = previous;
    }
  }

  private readonly onTimer = (time: number, namespace: unknown, domain: TimeDomain): void => {
    try {
      // Restored timers hold the window in its stored form.
      const window = namespace instanceof Window ? (namespace as W) : this.serializer.fromStored(namespace);
      if (this.panes !== undefined) {
        this.onPaneTimer(this.panes, this.paneLayout!, time, window);
        return;
      }
      let set: MergingWindowSet<W> | undefined;
      if (this.merging !== undefined) {
        set = new MergingWindowSet<W>(this.merging as MergingWindowAssigner<unknown, W>, this.mergingWindows!, this.serializer);
        const stateWindow = set.getStateWindow(window);
        // A timer of a window merged away since it was set: nothing to do.
        if (stateWindow === undefined) return;
        this.contents.handle.setCurrentNamespace(stateWindow);
      } else this.contents.handle.setCurrentNamespace(window);
      const ctx = this.triggerContext.at(window);
      const eventTime = domain === "EVENT_TIME";
      this.act(eventTime ? this.trigger.onEventTime(time, window, ctx) : this.trigger.onProcessingTime(time, window, ctx), window);
      if (eventTime === this.isEventTime && time === this.cleanupTime(window)) this.clearAllState(window, set);
      set?.persist();
    } catch (e) {
      this.fail(e);
    }
  };

  /** The window's time is over: its contents, trigger state, per-window state and place in the merging set go. */
  private clearAllState(window: W, set: MergingWindowSet<W> | undefined): void {
    this.contents.handle.state.clear();
    this.trigger.clear(window, this.triggerContext.at(window));
    this.windowFunction.clear(window, this.processContext.at(window));
    set?.retireWindow(window);
  }

  private cleanupTime(window: W): number {
    return cleanupTime(window, this.spec.allowedLateness, this.isEventTime);
  }

  /** Registers the timer that drops the window's state; none for windows that never end (the global window). */
  private registerCleanupTimer(window: W): void {
    if (this.triggerSetsCleanupTimer) return;
    const time = this.cleanupTime(window);
    if (time === MAX_TIMESTAMP) return;
    if (this.isEventTime) this.keyed.timers.registerEventTimeTimer(window, time);
    else this.keyed.timers.registerProcessingTimeTimer(window, time);
  }

  private deleteCleanupTimer(window: W): void {
    const time = this.cleanupTime(window);
    if (time === MAX_TIMESTAMP) return;
    if (this.isEventTime) this.keyed.timers.deleteEventTimeTimer(window, time);
    else this.keyed.timers.deleteProcessingTimeTimer(window, time);
  }

  private isLate(window: W): boolean {
    return isWindowLate(window, this.spec.allowedLateness, this.currentWatermark(), this.isEventTime);
  }

  private currentWatermark(): number {
    return this.keyed.timers.currentWatermark();
  }

  /**
   * A copy of an element for its second and later windows: every form of contents may keep it (a
   * list, the first value of a reduce, an accumulator that holds its input), and a reduce,
   * aggregate or window function changing it in one window must not change it in another.
   */
  private ownCopy(value: IN): IN {
    return this.copiesElements ? deepCopy(value) : value;
  }

  nextTimerTime(): number | undefined {
    return this.keyed.timers.nextProcessingTime();
  }

  onProcessingTime(now: number): void {
    this.keyed.timers.onProcessingTime(now, this.onTimer);
  }

  processWatermark(watermark: number): void {
    this.keyed.timers.advanceWatermark(watermark, this.onTimer);
    this.output.emitWatermark?.(watermark);
  }
}

/**
 * The panes of the operator's windows when they are kept as panes: sliding event-time windows,
 * the default trigger (whose decisions the pane path makes), no evictor (it needs every element),
 * an aggregate function that can merge accumulators, and a layout whose panes pay.
 */
function paneLayoutOf<IN, OUT, K, W extends Window>(spec: WindowOperatorSpec<IN, OUT, K, W>): PaneLayout | undefined {
  const { assigner, contents } = spec;
  if (!(assigner instanceof SlidingEventTimeWindows) || spec.trigger !== EventTimeTrigger.create() || spec.evictor !== undefined) return undefined;
  if (contents.kind !== "aggregate" || typeof contents.aggregate.merge !== "function") return undefined;
  return PaneLayout.of(assigner.size, assigner.slide, assigner.offset);
}
