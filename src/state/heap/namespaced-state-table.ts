/**
 * The entries of one namespaced heap state as a two-level map: per key group, key → namespace →
 * value. The first level is a StateTable whose value for a key is the key's map from normalized
 * namespace to value, so a namespaced access costs what a plain one does plus one lookup of the
 * namespace in a small map, and no composite (key, namespace) form is built while records are
 * processed.
 *
 * Copy-on-write is the StateTable's, per key: before a key's namespaces change under a live
 * snapshot (a value written, removed, or read for change), the key's namespace map is deep-copied
 * once for that snapshot, so nothing a snapshot can see is ever changed (objects changed in place
 * included). Snapshots, restores and `entries` see one entry per (key, namespace), under the
 * stored entry key of namespacedEntryKey, so the snapshot format is that of (key, namespace)
 * entries per key group.
 *
 * Invariant: no namespace map is empty or holds `undefined`, so a key has an entry in the first
 * level exactly when it holds a value in some namespace.
 */
import { internalError } from "../../core/errors.ts";
import { normalizeKey, type KeyGroupRange, type NormalizedKey } from "../../core/key-groups.ts";
import type { EntryCursor } from "./current-key.ts";
import { namespacedEntryKey, splitNamespacedEntryKey } from "./namespaced-entry-key.ts";
import { StateTable, type CurrentEntry, type FrozenChanges, type FrozenTable, type KeyGroupTable } from "./state-table.ts";

/** One key's values, by normalized namespace. */
type Namespaces<V> = Map<NormalizedKey, V>;

export class NamespacedStateTable<V> implements CurrentEntry<V>, KeyGroupTable {
  private readonly keys: StateTable<Namespaces<V>>;
  private namespace: unknown = undefined;
  private normalizedNamespace: NormalizedKey = undefined;
  private hasNamespace = false;

  constructor(
    readonly name: string,
    private readonly range: KeyGroupRange,
    current: EntryCursor,
  ) {
    this.keys = new StateTable<Namespaces<V>>(name, range, current);
  }

  /** Makes `namespace` (compared by content, as keys are) the one reads and writes address. */
  setNamespace(namespace: unknown): void {
    this.namespace = namespace;
    this.normalizedNamespace = normalizeKey(namespace);
    this.hasNamespace = true;
  }

  getNamespace(): unknown {
    if (!this.hasNamespace) throw internalError(`namespaced state '${this.name}' has no current namespace`);
    return this.namespace;
  }

  /** Whether a namespace was set: `getNamespace` would not throw. */
  isSet(): boolean {
    return this.hasNamespace;
  }

  /** The current namespace as stored; equal for namespaces equal in content. */
  get normalized(): NormalizedKey {
    return this.normalizedNamespace;
  }

  get(): V | undefined {
    return this.keys.get()?.get(this.current());
  }

  /** The current key's namespace map, read-only (see InternalKvState.namespacesOfCurrentKey). */
  namespacesOfCurrentKey(): ReadonlyMap<NormalizedKey, V> | undefined {
    return this.keys.get();
  }

  getForChange(): V | undefined {
    const namespace = this.current();
    return this.keys.getForChange()?.get(namespace);
  }

  put(value: V): void {
    const namespace = this.current();
    const namespaces = this.keys.getForChange();
    if (namespaces !== undefined) {
      namespaces.set(namespace, value);
      return;
    }
    const created: Namespaces<V> = new Map();
    created.set(namespace, value);
    this.keys.put(created);
  }

  set(value: V | undefined): void {
    if (value === undefined) this.remove();
    else this.put(value);
  }

  remove(): void {
    const namespace = this.current();
    // Looked up first so that removing what is not there copies nothing under a snapshot.
    if (this.keys.get()?.has(namespace) !== true) return;
    const namespaces = this.keys.getForChange()!;
    namespaces.delete(namespace);
    if (namespaces.size === 0) this.keys.remove();
  }

  *entries(keyGroup: number): IterableIterator<[NormalizedKey, unknown]> {
    yield* perNamespace(this.keys.entries(keyGroup));
  }

  load(keyGroup: number, entries: Iterable<readonly [NormalizedKey, unknown]>): void {
    const byKey = new Map<NormalizedKey, Namespaces<V>>();
    for (const [entryKey, value] of entries) {
      const [key, namespace] = splitNamespacedEntryKey(entryKey);
      let namespaces = byKey.get(key);
      if (namespaces === undefined) byKey.set(key, (namespaces = new Map()));
      namespaces.set(namespace, value as V);
    }
    this.keys.load(keyGroup, byKey);
  }

  held(keyGroup: number): boolean {
    return this.keys.held(keyGroup);
  }

  /** Number of (key, namespace) entries over all key groups. */
  size(): number {
    let n = 0;
    for (let group = this.range.start; group <= this.range.end; group++) for (const [, namespaces] of this.keys.entries(group)) n += namespaces.size;
    return n;
  }

  freeze(): FrozenTable<unknown> {
    const frozen = this.keys.freeze();
    return {
      group: (index) => {
        const group = frozen.group(index);
        if (group === undefined) return undefined;
        return {
          /** Counted when asked for: only numeric encodings need it, and namespaced entries never are. */
          get sizeBound() {
            let n = 0;
            group.forEach((namespaces) => {
              n += namespaces.size;
            });
            return n;
          },
          forEach: (visit) => group.forEach((namespaces, key) => namespaces.forEach((value, namespace) => visit(value, namespacedEntryKey(key, namespace)))),
        };
      },
      release: (index) => frozen.release(index),
    };
  }

  trackChanges(): void {
    this.keys.trackChanges();
  }

  /** Changes per key: a changed key's namespaces, all of them, replace what it had. */
  freezeChanges(): FrozenChanges {
    const changes = this.keys.freezeChanges();
    return {
      changed: (index) => changes.changed(index),
      forEachChange: (index, put, removed) =>
        changes.forEachChange(
          index,
          (namespaces, key) => {
            removed(key);
            (namespaces as Namespaces<V>).forEach((value, namespace) => put(value, namespacedEntryKey(key, namespace)));
          },
          removed,
        ),
      release: (index) => changes.release(index),
    };
  }

  private current(): NormalizedKey {
    if (!this.hasNamespace) throw internalError(`namespaced state '${this.name}' was used before a namespace was set`);
    return this.normalizedNamespace;
  }
}

/** Per-key namespace maps as one entry per (key, namespace) under its stored entry key. */
function* perNamespace<V>(keys: Iterable<[NormalizedKey, Namespaces<V>]>): Generator<[NormalizedKey, unknown]> {
  for (const [key, namespaces] of keys) for (const [namespace, value] of namespaces) yield [namespacedEntryKey(key, namespace), value];
}
