/**
 * The stored key of one (key, namespace) entry of a namespaced state in a snapshot: one string that
 * encodes the normalized key and the normalized namespace, so a snapshot lists namespaced entries
 * per key group exactly as it lists keys (restores and rescaling by key group hold). The live
 * state never builds it: it keeps namespaces per key (see NamespacedStateTable); only snapshots,
 * restores and `keyGroupEntries` translate between the two.
 *
 * Form: the JSON of the pair [tagged key, tagged namespace], where a normalized value that JSON
 * cannot tell from another (bigint, undefined, non-finite numbers) is tagged as an object. Equal
 * pairs give equal strings and no others do.
 */
import { WeirError } from "../../core/errors.ts";
import type { NormalizedKey } from "../../core/key-groups.ts";

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

/** The normalized value `tagged` gave `json`, given back. */
function untagged(json: unknown): NormalizedKey {
  if (typeof json !== "object" || json === null) return json as NormalizedKey;
  const tag = json as { b?: string; u?: number; n?: string };
  if (typeof tag.b === "string") return BigInt(tag.b);
  if (tag.u === 0) return undefined;
  if (typeof tag.n === "string") return Number(tag.n);
  throw corrupt(JSON.stringify(json));
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

/** The stored key of the entry of `key` in `namespace`. */
export function namespacedEntryKey(key: NormalizedKey, namespace: NormalizedKey): string {
  return `[${encodedPart(key)},${encodedPart(namespace)}]`;
}

/** The (key, namespace) a stored entry key names; WEIR_ERR_STATE_CORRUPT when it is not one. */
export function splitNamespacedEntryKey(entryKey: NormalizedKey): [key: NormalizedKey, namespace: NormalizedKey] {
  let pair: unknown;
  try {
    pair = typeof entryKey === "string" ? JSON.parse(entryKey) : undefined;
  } catch {
    pair = undefined;
  }
  if (!Array.isArray(pair) || pair.length !== 2) throw corrupt(String(entryKey));
  return [untagged(pair[0]), untagged(pair[1])];
}

function corrupt(entryKey: string): WeirError {
  return new WeirError("WEIR_ERR_STATE_CORRUPT", `keyed state snapshot is unreadable: ${entryKey.slice(0, 80)} is not the entry key of a namespaced state`);
}
