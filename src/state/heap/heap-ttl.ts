/**
 * What the heap backend does for TTL state besides the TTL layer: it leaves expired values out of
 * snapshots, and runs the incremental cleanup, both on the stored forms (value, reducing,
 * aggregating: a TtlValue; list: an array of them; map: a UserMap whose entries hold them).
 */
import type { NormalizedKey } from "../../core/key-groups.ts";
import type { StateKind } from "../descriptors.ts";
import { isExpired, type TtlValue } from "../ttl/ttl-value.ts";
import type { UserMap } from "./heap-map-state.ts";

/**
 * The stored value without its expired parts: undefined when nothing is left, `stored` itself
 * when nothing expired, otherwise a new array or map (the stored one is never changed).
 */
export function withoutExpired(kind: StateKind, stored: unknown, ttl: number, now: number): unknown {
  switch (kind) {
    case "list": {
      const list = stored as TtlValue<unknown>[];
      const kept = list.filter((element) => !isExpired(element, ttl, now));
      if (kept.length === list.length) return stored;
      return kept.length === 0 ? undefined : kept;
    }
    case "map": {
      const map = stored as UserMap<unknown, TtlValue<unknown>>;
      let kept: UserMap<unknown, TtlValue<unknown>> | undefined;
      for (const [key, entry] of map) {
        if (!isExpired(entry.value, ttl, now)) kept?.set(key, entry);
        else if (kept === undefined) {
          kept = new Map();
          for (const [k, e] of map) {
            if (k === key) break;
            kept.set(k, e);
          }
        }
      }
      if (kept === undefined) return stored;
      return kept.size === 0 ? undefined : kept;
    }
    default:
      return isExpired(stored as TtlValue<unknown>, ttl, now) ? undefined : stored;
  }
}

/** Where the cleanup reads and writes one state's entries, key group by key group (by position). */
export interface CleanupTarget {
  readonly groups: number;
  entries(index: number): IterableIterator<[NormalizedKey, unknown]>;
  /**
   * Replaces the value of `key` of the group by `change(value)` (removes it when undefined). `change`
   * gets the table's own copy of the value (copied first when a live snapshot may still see the
   * stored one), so what it keeps is never shared with a snapshot.
   */
  rewrite(index: number, key: NormalizedKey, change: (owned: unknown) => unknown): void;
}

/**
 * Flink's incremental cleanup: a cursor over all entries of one state that each step advances by
 * up to `size` entries, removing what expired. The cursor is a live Map iterator, which stays
 * valid while entries are written or removed.
 */
export class IncrementalCleanup {
  private index = 0;
  private cursor: IterableIterator<[NormalizedKey, unknown]> | undefined;

  constructor(
    private readonly kind: StateKind,
    private readonly ttl: number,
    private readonly size: number,
    private readonly target: CleanupTarget,
  ) {}

  step(now: number): void {
    let inspected = 0;
    let emptyGroups = 0;
    while (inspected < this.size && emptyGroups < this.target.groups) {
      this.cursor ??= this.target.entries(this.index);
      const next = this.cursor.next();
      if (next.done === true) {
        this.cursor = undefined;
        this.index = (this.index + 1) % this.target.groups;
        emptyGroups++;
        continue;
      }
      emptyGroups = 0;
      inspected++;
      const [key, stored] = next.value;
      if (withoutExpired(this.kind, stored, this.ttl, now) !== stored) {
        this.target.rewrite(this.index, key, (owned) => withoutExpired(this.kind, owned, this.ttl, now));
      }
    }
  }
}
