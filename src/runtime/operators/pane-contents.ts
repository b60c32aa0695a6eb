/**
 * The contents of sliding event-time windows with an `aggregate` function, kept as panes (see
 * windowing/panes.ts): one accumulator per (key, pane) in namespaced value state, the pane's start
 * as namespace. An element is added to its one pane, without a copy; a window's accumulator is
 * made when it fires, by `merge`-ing copies of the accumulators of its panes in time order, so the
 * panes are never changed by merge, `getResult` or the window function, whichever they change.
 *
 * What this asks of the AggregateFunction, as merging windows do: `merge(a, b)` gives the
 * accumulator of a's elements and b's. A function whose result depends on the order in which
 * elements arrive across panes (not only on which elements) sees them in pane order here.
 *
 * Checkpoints taken while windows kept one accumulator each (`_window-contents`, the window as
 * namespace) restore into panes: such a window's accumulator comes first in its merge, and goes
 * when the window is cleaned up. The state name holds the pane size and alignment, so panes of
 * another layout (the size or slide changed) are found and refused rather than combined wrongly.
 */
import { deepCopy } from "../../core/deep-copy.ts";
import { WeirError } from "../../core/errors.ts";
import { normalizeKey } from "../../core/key-groups.ts";
import { AggregatingStateDescriptor, ValueStateDescriptor, type AggregateFunction } from "../../state/descriptors.ts";
import type { KeyedStateBackend } from "../../state/keyed-state-backend.ts";
import type { InternalKvState } from "../../state/namespaced-state.ts";
import type { AggregatingState, ValueState } from "../../state/state.ts";
import type { PaneLayout } from "../../windowing/panes.ts";
import type { TimeWindow } from "../../windowing/windows.ts";
import { CONTENTS_STATE } from "./window-contents.ts";

/** What every pane state name starts with; the layout follows (see paneStateName). */
export const PANES_STATE_PREFIX = "_window-panes:";

/** The state name of panes of `layout`: its pane size and where panes start within one. */
function paneStateName(layout: PaneLayout): string {
  const phase = ((layout.offset % layout.paneSize) + layout.paneSize) % layout.paneSize;
  return `${PANES_STATE_PREFIX}${layout.paneSize}@${phase}`;
}

/** An AggregateFunction that can merge accumulators. */
export type MergingAggregate<IN> = AggregateFunction<IN, unknown, unknown> & { merge(a: unknown, b: unknown): unknown };

export class PaneContents<IN> {
  private readonly panes: InternalKvState<number, ValueState<unknown>>;
  /** The per-window accumulators of a restored checkpoint taken without panes, while any is left. */
  private readonly perWindow: InternalKvState<TimeWindow, AggregatingState<IN, unknown>> | undefined;
  /** The panes a window is over while it is cleared (the first entries, as many as counted): reused, so clearing allocates nothing per pane. */
  private readonly starts: number[] = [];
  private readonly paneSize: number;
  /** The start of the latest pane that the last `accumulatorOf` merged; NaN when it merged none. */
  latestPaneMerged = Number.NaN;

  /** Pane contents over `backend`, adopting restored per-window contents; refuses restored panes of another layout. */
  constructor(
    backend: KeyedStateBackend,
    layout: PaneLayout,
    private readonly aggregate: MergingAggregate<IN>,
    what: string,
  ) {
    this.paneSize = layout.paneSize;
    const name = paneStateName(layout);
    const restored = backend.stateNamesWithEntries();
    const other = restored.find((n) => n.startsWith(PANES_STATE_PREFIX) && n !== name);
    if (other !== undefined) {
      throw new WeirError(
        "WEIR_ERR_CHECKPOINT_MISMATCH",
        `${what}: the checkpoint holds window panes of another layout (state '${other}', this window's is '${name}'): the window's size, slide or offset changed, so its windows in flight cannot be rebuilt; restore with the window that wrote the checkpoint, or start without it`,
      );
    }
    this.panes = backend.getNamespacedState<number, unknown>(new ValueStateDescriptor<unknown>(name));
    // Asked for only when restored, so checkpoints taken with panes hold no per-window state.
    this.perWindow = restored.includes(CONTENTS_STATE)
      ? backend.getNamespacedState<TimeWindow, IN, unknown, unknown>(new AggregatingStateDescriptor(CONTENTS_STATE, aggregate))
      : undefined;
  }

  /** Adds `value` to the current key's pane starting at `paneStart`; whether that pane held nothing before. */
  add(value: IN, paneStart: number): boolean {
    const panes = this.panes;
    panes.setCurrentNamespace(paneStart);
    const state = panes.state;
    // Read for change: the accumulator is this state's own, so add may change it in place.
    const accumulator = state.value();
    const next = this.aggregate.add(value, accumulator === undefined ? this.aggregate.createAccumulator() : accumulator);
    if (next !== accumulator) state.update(next);
    return accumulator === undefined;
  }

  /**
   * The accumulator of `window` for the current key: the merge of copies of its panes', in time
   * order (after a restored per-window accumulator, if any); undefined when it holds nothing.
   */
  accumulatorOf(window: TimeWindow): unknown {
    this.latestPaneMerged = Number.NaN;
    let merged = this.perWindowAccumulator(window);
    const panes = this.panes.namespacesOfCurrentKey();
    if (panes === undefined) return merged;
    const { aggregate, paneSize } = this;
    // A window starts and ends on pane boundaries: its panes are looked up in time order, not searched for.
    for (let start = window.start; start < window.end; start += paneSize) {
      const accumulator = panes.get(start);
      if (accumulator === undefined) continue;
      // merge may change and return either accumulator: it is given copies, so panes stay as they are.
      const own = deepCopy(accumulator);
      merged = merged === undefined ? own : aggregate.merge(merged, own);
      this.latestPaneMerged = start;
    }
    return merged;
  }

  /** Whether the current key holds a pane in the window [start, end). */
  holdsAny(start: number, end: number): boolean {
    const panes = this.panes.namespacesOfCurrentKey();
    if (panes === undefined) return false;
    for (let s = start; s < end; s += this.paneSize) if (panes.has(s)) return true;
    return false;
  }

  /** `window` is over for the current key: its restored per-window accumulator goes, and every pane starting before `paneStart`. */
  clear(window: TimeWindow, paneStart: number): void {
    const { starts, panes } = this;
    let count = 0;
    const current = panes.namespacesOfCurrentKey();
    if (current !== undefined) for (const start of current.keys()) if ((start as number) < paneStart) starts[count++] = start as number;
    // Removed after the walk: a removal may replace the map walked (copy-on-write under a snapshot).
    for (let i = 0; i < count; i++) {
      panes.setCurrentNamespace(starts[i]!);
      panes.state.clear();
    }
    if (this.perWindow !== undefined) {
      this.perWindow.setCurrentNamespace(window);
      this.perWindow.state.clear();
    }
  }

  /** A copy of the window's restored per-window accumulator, if it has one. */
  private perWindowAccumulator(window: TimeWindow): unknown {
    const stored = this.perWindow?.namespacesOfCurrentKey()?.get(normalizeKey(window));
    return stored === undefined ? undefined : deepCopy(stored);
  }
}
