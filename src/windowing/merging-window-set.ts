/**
 * The windows in flight for one key of a merging (session) assigner, and which window's state
 * holds each one's contents (Flink's MergingWindowSet). When windows merge, the merged window
 * takes over the state of one of them (its *state window*), so the contents of the others are
 * merged into that one namespace instead of being copied to a new one; the state window of a
 * window therefore never changes while the window lives, which keeps its timers and state
 * addressable.
 *
 * The mapping is checkpointed: it is read from, and written back to, a keyed `ListState` of
 * [window, state window] pairs in stored form, so it survives failure and restore (and moves with
 * its key's key group on rescaling). The window operator makes one set per element or timer for
 * the current key, calls `addWindow` / `retireWindow`, then `persist`.
 */
import { internalError } from "../core/errors.ts";
import { normalizeKey, type NormalizedKey } from "../core/key-groups.ts";
import type { ListState } from "../state/state.ts";
import type { MergingWindowAssigner } from "./window-assigner.ts";
import type { Window, WindowSerializer } from "./windows.ts";

/**
 * Called for each merge `addWindow` causes, before it returns: `mergeResult` now stands for
 * `mergedWindows` (the in-flight windows and possibly the new one), and its contents live in
 * `stateWindowResult`, into which the contents of `mergedStateWindows` must be merged (merge the
 * state namespaces, merge the triggers, delete the merged windows' timers).
 */
export type MergeFunction<W extends Window> = (mergeResult: W, mergedWindows: W[], stateWindowResult: W, mergedStateWindows: W[]) => void;

/** The stored form of the mapping: [window, state window] pairs, as the window serializer stores them. */
export type StoredWindowMapping = [unknown, unknown][];

export class MergingWindowSet<W extends Window> {
  /** In-flight window → [the window, its state window], by the window's normalized form. */
  private readonly mapping = new Map<NormalizedKey, [W, W]>();
  private changed = false;

  /** Reads the current key's mapping from `state` (empty when it has none). */
  constructor(
    private readonly assigner: MergingWindowAssigner<unknown, W>,
    private readonly state: ListState<StoredWindowMapping[number]>,
    private readonly serializer: WindowSerializer<W> = assigner.getWindowSerializer(),
  ) {
    for (const [window, stateWindow] of state.get()) {
      const w = serializer.fromStored(window);
      this.mapping.set(normalizeKey(w), [w, serializer.fromStored(stateWindow)]);
    }
  }

  /** The window whose state namespace holds `window`'s contents, or undefined when `window` is not in flight. */
  getStateWindow(window: W): W | undefined {
    return this.mapping.get(normalizeKey(window))?.[1];
  }

  /** The in-flight windows, each with its state window. */
  entries(): [W, W][] {
    return [...this.mapping.values()].map(([w, s]) => [w, s]);
  }

  /** Forgets a window that was purged for good; WEIR_ERR_INTERNAL when it is not in flight. */
  retireWindow(window: W): void {
    if (!this.mapping.delete(normalizeKey(window))) throw internalError(`window ${String(window)} is not in the merging window set`);
    this.changed = true;
  }

  /**
   * Adds `newWindow`, merging it with the in-flight windows it overlaps (and those that then
   * overlap), reporting each merge to `merge` before returning. Returns the window `newWindow`
   * ended up in: itself, or the merged window that covers it. A new window that merges with
   * nothing becomes its own state window.
   */
  addWindow(newWindow: W, merge: MergeFunction<W>): W {
    const windows = [...this.mapping.values()].map(([w]) => w);
    windows.push(newWindow);
    const merges: [W, W[]][] = [];
    this.assigner.mergeWindows(windows, (toBeMerged, mergeResult) => merges.push([mergeResult, toBeMerged.slice()]));

    const newKey = normalizeKey(newWindow);
    let resultWindow = newWindow;
    let mergedNewWindow = false;
    for (const [mergeResult, mergedWindows] of merges) {
      const at = mergedWindows.findIndex((w) => normalizeKey(w) === newKey);
      if (at >= 0) {
        mergedWindows.splice(at, 1);
        mergedNewWindow = true;
        resultWindow = mergeResult;
      }
      // The merged windows still listed were all in flight: the first one's state window carries on.
      const stateWindowResult = this.mapping.get(normalizeKey(mergedWindows[0]!))![1];
      const stateResultKey = normalizeKey(stateWindowResult);
      const mergedStateWindows: W[] = [];
      for (const window of mergedWindows) {
        const key = normalizeKey(window);
        const stateWindow = this.mapping.get(key)![1];
        this.mapping.delete(key);
        if (normalizeKey(stateWindow) !== stateResultKey) mergedStateWindows.push(stateWindow);
      }
      this.mapping.set(normalizeKey(mergeResult), [mergeResult, stateWindowResult]);
      this.changed = true;
      // A new window merged into one in-flight window that already covers it changes nothing.
      const onlyItself = mergedWindows.length === 1 && normalizeKey(mergedWindows[0]!) === normalizeKey(mergeResult);
      if (!onlyItself) merge(mergeResult, mergedWindows, stateWindowResult, mergedStateWindows);
    }
    // Not merged into anything: the new window is in flight on its own.
    if (!mergedNewWindow) {
      this.mapping.set(newKey, [newWindow, newWindow]);
      this.changed = true;
    }
    return resultWindow;
  }

  /** Writes the mapping back to the current key's state, if it changed; an empty mapping leaves no entry. */
  persist(): void {
    if (!this.changed) return;
    const stored: StoredWindowMapping = [];
    for (const [window, stateWindow] of this.mapping.values()) stored.push([this.serializer.toStored(window), this.serializer.toStored(stateWindow)]);
    this.state.update(stored);
    this.changed = false;
  }
}
