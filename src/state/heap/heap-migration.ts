/**
 * Schema migration of heap state (see descriptors.ts): the stored form of one entry written at an
 * older version, brought to the descriptor's version by its `migrate`, item by item, per kind:
 * value, reducing and aggregating — the value (accumulator); list — each element; map — each
 * value, keys kept. Under TTL the items are TtlValues, whose user value is migrated and whose
 * last access time is kept. The stored form given must be the caller's own: `migrate` may change
 * it in place.
 */
import type { StateKind } from "../descriptors.ts";
import type { TtlValue } from "../ttl/ttl-value.ts";
import type { UserMap } from "./heap-map-state.ts";

export type Migrate = (old: unknown, fromVersion: number) => unknown;

/** The entry at the new version; undefined when nothing is left of it (the entry is removed). */
export function migrateStored(kind: StateKind, stored: unknown, migrate: Migrate, fromVersion: number, ttl: boolean): unknown {
  const item = ttl
    ? (old: unknown): unknown => {
        const wrapped = old as TtlValue<unknown>;
        const userValue = migrate(wrapped.userValue, fromVersion);
        return userValue === undefined ? undefined : { userValue, lastAccessTimestamp: wrapped.lastAccessTimestamp };
      }
    : (old: unknown): unknown => migrate(old, fromVersion);
  switch (kind) {
    case "list": {
      const elements = (stored as unknown[]).map(item).filter((e) => e !== undefined);
      return elements.length === 0 ? undefined : elements;
    }
    case "map": {
      for (const entry of (stored as UserMap<unknown, unknown>).values()) entry.value = item(entry.value);
      return stored;
    }
    default:
      return item(stored);
  }
}
