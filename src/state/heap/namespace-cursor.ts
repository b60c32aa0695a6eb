/**
 * The entry cursor of a namespaced heap state: the backend's current key in the state's current
 * namespace. Entries of a namespaced table are keyed, within the key's key group, by one string
 * that encodes the normalized key and the normalized namespace (`namespacedEntryKey`), so the
 * table's copy-on-write, snapshots and restores work on (key, namespace) entries exactly as on
 * keys, and an entry stays in its key's key group (restores and rescaling by key group hold).
 * The string is rebuilt only when the key or the namespace changed since it was last built.
 */
import { internalError } from "../../core/errors.ts";
import { normalizeKey, type NormalizedKey } from "../../core/key-groups.ts";
import type { CurrentKey, EntryCursor } from "./current-key.ts";

/** A normalized key or namespace as a JSON value that no other normalized value shares. */
function tagged(value: NormalizedKey): unknown {
  switch (typeof value) {
    case "bigint":
      return { b: value.toString() };
    case "undefined":
      return { u: 0 };
    case "number":
      return Number.isFinite(value) ? value : { n: String(value) };
    default:
      return value;
  }
}

/** The stored key of the entry of `key` in `namespace`, both normalized; equal inputs give equal strings and no others do. */
export function namespacedEntryKey(key: NormalizedKey, namespace: NormalizedKey): string {
  return JSON.stringify([tagged(key), tagged(namespace)]);
}

export class NamespaceCursor implements EntryCursor {
  private namespace: unknown = undefined;
  private normalizedNamespace: NormalizedKey = undefined;
  private hasNamespace = false;
  /** The normalized key `entryKey` was built for; meaningful only while `built`. */
  private builtFor: NormalizedKey = undefined;
  private built = false;
  private entryKey = "";

  constructor(
    private readonly stateName: string,
    private readonly key: CurrentKey,
  ) {}

  get index(): number {
    return this.key.index;
  }

  get normalized(): string {
    const key = this.key.normalized;
    if (this.built && this.builtFor === key) return this.entryKey;
    if (!this.hasNamespace) throw internalError(`namespaced state '${this.stateName}' was used before a namespace was set`);
    this.entryKey = namespacedEntryKey(key, this.normalizedNamespace);
    this.builtFor = key;
    this.built = true;
    return this.entryKey;
  }

  setNamespace(namespace: unknown): void {
    const normalized = normalizeKey(namespace);
    this.namespace = namespace;
    this.hasNamespace = true;
    if (this.normalizedNamespace !== normalized) this.built = false;
    this.normalizedNamespace = normalized;
  }

  getNamespace(): unknown {
    if (!this.hasNamespace) throw internalError(`namespaced state '${this.stateName}' has no current namespace`);
    return this.namespace;
  }

  /** Whether a namespace was set: `getNamespace` would not throw. */
  isSet(): boolean {
    return this.hasNamespace;
  }
}
