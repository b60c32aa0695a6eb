/**
 * The entry cursor of a namespaced heap state: the backend's current key in the state's current
 * namespace. Entries of a namespaced table are keyed, within the key's key group, by one string
 * that encodes the normalized key and the normalized namespace (`namespacedEntryKey`), so the
 * table's copy-on-write, snapshots and restores work on (key, namespace) entries exactly as on
 * keys, and an entry stays in its key's key group (restores and rescaling by key group hold).
 * The string is rebuilt only when the key or the namespace changed since it was last built, from
 * the encoded key and namespace, each encoded only when it changed.
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

/** Characters JSON.stringify escapes in a string (lone surrogates among them). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * One normalized key or namespace as its part of an entry key: its tagged form as JSON. Numbers
 * and strings with nothing to escape but a composite key's marker (a TimeWindow namespace is
 * "\u0001[start,end]") are written directly, which is several times faster than JSON.stringify.
 */
function encodedPart(value: NormalizedKey): string {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "string") {
    const marked = value.charCodeAt(0) === 1;
    const rest = marked ? value.slice(1) : value;
    if (!ESCAPED.test(rest)) return marked ? `"\\u0001${rest}"` : `"${rest}"`;
  }
  return JSON.stringify(tagged(value));
}

/** The stored key of the entry of `key` in `namespace`, from their encoded parts; equal inputs give equal strings and no others do (it is the JSON of the pair). */
function namespacedEntryKey(key: string, namespace: string): string {
  return `[${key},${namespace}]`;
}

export class NamespaceCursor implements EntryCursor {
  private namespace: unknown = undefined;
  private normalizedNamespace: NormalizedKey = undefined;
  private encodedNamespace = "";
  private hasNamespace = false;
  /** The normalized key `encodedKey` encodes; meaningful only once `keyEncoded`. */
  private encodedFor: NormalizedKey = undefined;
  private encodedKey = "";
  private keyEncoded = false;
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
    if (!this.keyEncoded || !Object.is(this.encodedFor, key)) {
      this.encodedKey = encodedPart(key);
      this.encodedFor = key;
      this.keyEncoded = true;
    }
    this.entryKey = namespacedEntryKey(this.encodedKey, this.encodedNamespace);
    this.builtFor = key;
    this.built = true;
    return this.entryKey;
  }

  setNamespace(namespace: unknown): void {
    const normalized = normalizeKey(namespace);
    this.namespace = namespace;
    this.hasNamespace = true;
    if (this.built && Object.is(this.normalizedNamespace, normalized)) return;
    this.normalizedNamespace = normalized;
    this.encodedNamespace = encodedPart(normalized);
    this.built = false;
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
