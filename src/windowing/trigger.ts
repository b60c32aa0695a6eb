/**
 * Triggers decide when a window's contents are emitted (fired) and when they are dropped
 * (purged), as Flink's `Trigger`. A trigger is pure decision logic against a `TriggerContext`: the
 * window operator calls it for each element added to a window, for each timer of a window, when
 * windows merge, and when a window is cleared; the context gives it timers, the current times and
 * state of its own per (key, window).
 */
import type { StateDescriptor } from "../state/descriptors.ts";
import type { KeyedStateBackend } from "../state/keyed-state-backend.ts";
import { invalidWindow } from "./window-arguments.ts";
import type { Window } from "./windows.ts";

/** The descriptors of state kinds whose values merge: list, reducing, aggregating. */
export type MergeableStateDescriptor = Extract<StateDescriptor, { kind: "list" | "reducing" | "aggregating" }>;

/** What a trigger decides: whether the window fires (its function is evaluated) and whether its contents are purged. */
export class TriggerResult {
  /** Nothing happens. */
  static readonly CONTINUE = new TriggerResult("CONTINUE", false, false);
  /** The window function is evaluated on the contents, which are kept. */
  static readonly FIRE = new TriggerResult("FIRE", true, false);
  /** The contents are dropped without evaluating the function; the window itself (its trigger state, timers) stays. */
  static readonly PURGE = new TriggerResult("PURGE", false, true);
  /** The window function is evaluated, then the contents are dropped. */
  static readonly FIRE_AND_PURGE = new TriggerResult("FIRE_AND_PURGE", true, true);

  private constructor(
    readonly name: "CONTINUE" | "FIRE" | "PURGE" | "FIRE_AND_PURGE",
    private readonly fire: boolean,
    private readonly purge: boolean,
  ) {}

  isFire(): boolean {
    return this.fire;
  }

  isPurge(): boolean {
    return this.purge;
  }

  toString(): string {
    return this.name;
  }
}

/**
 * What a trigger may do and know; every call addresses the current key and the window the trigger
 * was called for. Timers are per (key, window): registering one time twice fires once.
 */
export interface TriggerContext {
  getCurrentProcessingTime(): number;
  /** The operator's current event-time watermark (−∞ as a large negative number before the first). */
  getCurrentWatermark(): number;
  registerProcessingTimeTimer(time: number): void;
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  /** The trigger's own state for the current key and window (kept until the window is cleared); typed as the backend's `getState`. */
  getPartitionedState: KeyedStateBackend["getState"];
}

/** The context of `onMerge`: the window is the merged one, and state of the merged windows can be folded into it. */
export interface OnMergeContext extends TriggerContext {
  /** Merges the trigger state named by `descriptor` of every merged window into the merged window's. */
  mergePartitionedState(descriptor: MergeableStateDescriptor): void;
}

export abstract class Trigger<T, W extends Window> {
  /** Called for every element added to `window`. */
  abstract onElement(element: T, timestamp: number | undefined, window: W, ctx: TriggerContext): TriggerResult;
  /** Called when a processing-time timer the trigger registered for `window` fires. */
  abstract onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Called when an event-time timer the trigger registered for `window` fires. */
  abstract onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;

  /** Whether the trigger supports merging windows (session windows need it). */
  canMerge(): boolean {
    return false;
  }

  /** Called when windows merged into `window`: re-register timers, merge state. */
  onMerge(window: W, ctx: OnMergeContext): void {
    void window;
    void ctx;
    throw invalidWindow(`${this.constructor.name} does not support merging windows (session windows need a trigger whose canMerge() is true)`);
  }

  /** Called when `window` is purged for good: delete the timers and state the trigger made for it. */
  abstract clear(window: W, ctx: TriggerContext): void;
}

/** A trigger that decides on elements only: its timers (it registers none) never fire it, and merging needs nothing of it unless it says so. */
export abstract class ElementTrigger<T, W extends Window> extends Trigger<T, W> {
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(_window: W, _ctx: OnMergeContext): void {}
}
