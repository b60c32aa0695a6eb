import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fieldAggregation } from "../../src/api/field-aggregations.ts";


const fold = <T>(kind: Parameters<typeof fieldAggregation>[0], field: PropertyKey, records: readonly T[]): T[] => {
  const f = fieldAggregation<T>(kind, field);
  const out: T[] = [];
  records.reduce<T | undefined>((acc, r) => {
    const next = acc === undefined ? r : f(acc, r);
    out.push(next);
    return next;
  }, undefined);
  return out;
};

const rows = fc.array(fc.record({ k: fc.constant("k"), v: fc.integer({ min: -5, max: 5 }), id: fc.nat() }), { minLength: 1, maxLength: 20 });

describe("field aggregations", () => {
  it("sum, min and max replace the field in a copy of the first record", () => {
    fc.assert(
      fc.property(rows, (rs) => {
        const first = rs[0]!;
        const frozen = rs.map((r) => Object.freeze({ ...r }));
        assert.deepEqual(fold("sum", "v", frozen).at(-1), { ...first, v: rs.reduce((s, r) => s + r.v, 0) });
        assert.deepEqual(fold("min", "v", frozen).at(-1), { ...first, v: Math.min(...rs.map((r) => r.v)) });
        assert.deepEqual(fold("max", "v", frozen).at(-1), { ...first, v: Math.max(...rs.map((r) => r.v)) });
      }),
    );
  });

  it("minBy and maxBy keep the whole record with the extreme value, the first one on ties", () => {
    fc.assert(
      fc.property(rows, (rs) => {
        const min = Math.min(...rs.map((r) => r.v));
        const max = Math.max(...rs.map((r) => r.v));
        assert.equal(fold("minBy", "v", rs).at(-1), rs.find((r) => r.v === min));
        assert.equal(fold("maxBy", "v", rs).at(-1), rs.find((r) => r.v === max));
      }),
    );
  });

  it("on tuples the field is an index, and the input tuple is not changed", () => {
    const a: [string, number] = ["k", 2];
    const b: [string, number] = ["k", 5];
    assert.deepEqual(fieldAggregation<[string, number]>("sum", 1)(a, b), ["k", 7]);
    assert.deepEqual(a, ["k", 2]);
    assert.deepEqual(fieldAggregation<[string, number]>("max", 1)(a, b), ["k", 5]);
  });

  it("a field that is not a number fails with the aggregation and the field named", () => {
    const sum = fieldAggregation<Record<string, unknown>>("sum", "k");
    assert.throws(() => sum({ k: "a" }, { k: "b" }), { name: "TypeError", message: "sum(k): field 'k' is string, not a number" });
    assert.throws(() => fieldAggregation("max", ""), { code: "WEIR_ERR_INVALID_ARGUMENT" });
  });
});

