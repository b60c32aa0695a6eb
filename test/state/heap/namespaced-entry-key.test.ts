import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { normalizeKey, type NormalizedKey } from "../../../src/core/key-groups.ts";
import { namespacedEntryKey, splitNamespacedEntryKey } from "../../../src/state/heap/namespaced-entry-key.ts";
import { TimeWindow } from "../../../src/windowing/windows.ts";

describe("namespaced entry keys", () => {
  const values: NormalizedKey[] = [
    0, -3, 1.5, Number.NaN, Infinity, -Infinity, "k", "", 'quote " and \\ slash', "\u0000ctl", "\ud800", true, false, null, undefined, 12n,
    normalizeKey({ user: 7 }), normalizeKey(new TimeWindow(0, 3000)), normalizeKey("\u0001starts with the composite mark"),
  ];

  it("give back the key and namespace they were made from, for every kind of normalized value", () => {
    for (const key of values) {
      for (const namespace of values) {
        const [k, ns] = splitNamespacedEntryKey(namespacedEntryKey(key, namespace));
        assert.ok(Object.is(k, key), `key ${String(key)}`);
        assert.ok(Object.is(ns, namespace), `namespace ${String(namespace)}`);
      }
    }
  });

  it("differ for different pairs", () => {
    const seen = new Set<string>();
    for (const key of values) for (const namespace of values) seen.add(namespacedEntryKey(key, namespace));
    assert.equal(seen.size, values.length * values.length);
  });

  it("refuse a stored key that is not one as a corrupt snapshot", () => {
    for (const bad of ["k", "[1]", "[1,{\"x\":1}]", 5]) {
      assert.throws(() => splitNamespacedEntryKey(bad), (e: unknown) => (e as { code?: string }).code === "WEIR_ERR_STATE_CORRUPT");
    }
  });
});
