/**
 * The entries of one namespaced disk state: per key, one store entry holding the key's map from
 * normalized namespace to value (as NamespacedStateTable holds it on the heap), so a window
 * operator's access to a key's windows is one read. Reads are copies (see DiskStateTable);
 * snapshots and `keyGroupEntries` see one entry per (key, namespace) under namespacedEntryKey.
 * Invariant: no stored namespace map is empty.
 */
import { internalError } from "../../core/errors.ts";
import { normalizeKey, type NormalizedKey } from "../../core/key-groups.ts";
import type { NamespacedEntries } from "../heap/heap-namespaced-state.ts";
import type { DiskEntry, DiskStateTable } from "./disk-state-table.ts";

type Namespaces = Map<NormalizedKey, unknown>;

export class DiskNamespacedTable implements DiskEntry<unknown>, NamespacedEntries {
  private namespace: unknown = undefined;
  private normalizedNamespace: NormalizedKey = undefined;
  private hasNamespace = false;

  constructor(readonly keys: DiskStateTable<Namespaces>) {}

  setNamespace(namespace: unknown): void {
    this.namespace = namespace;
    this.normalizedNamespace = normalizeKey(namespace);
    this.hasNamespace = true;
  }

  getNamespace(): unknown {
    if (!this.hasNamespace) throw internalError(`namespaced state '${this.keys.name}' has no current namespace`);
    return this.namespace;
  }

  isSet(): boolean {
    return this.hasNamespace;
  }

  get normalized(): NormalizedKey {
    return this.normalizedNamespace;
  }

  namespacesOfCurrentKey(): ReadonlyMap<NormalizedKey, unknown> | undefined {
    return this.keys.read();
  }

  read(): unknown {
    const namespace = this.current();
    return this.keys.read()?.get(namespace);
  }

  write(value: unknown): void {
    const namespace = this.current();
    const namespaces = this.keys.read();
    if (value === undefined) {
      if (namespaces === undefined || !namespaces.delete(namespace)) return;
      this.keys.write(namespaces.size === 0 ? undefined : namespaces);
      return;
    }
    if (namespaces === undefined) this.keys.write(new Map([[namespace, value]]));
    else this.keys.write(namespaces.set(namespace, value));
  }

  get(): unknown {
    return this.read();
  }

  getForChange(): unknown {
    return this.read();
  }

  put(value: unknown): void {
    this.write(value);
  }

  set(value: unknown): void {
    this.write(value);
  }

  remove(): void {
    this.write(undefined);
  }

  private current(): NormalizedKey {
    if (!this.hasNamespace) throw internalError(`namespaced state '${this.keys.name}' was used before a namespace was set`);
    return this.normalizedNamespace;
  }
}
