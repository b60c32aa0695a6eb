import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { multisetDifference } from "../../bench/results-check.ts";

describe("multisetDifference", () => {
  it("finds none between the same records in another order", () => {
    assert.equal(multisetDifference([{ id: 1 }, { id: 2 }, { id: 1 }], [{ id: 2 }, { id: 1 }, { id: 1 }]), undefined);
  });

  it("counts a record missing once of twice, and one that should not be there, with an example of each", () => {
    assert.equal(
      multisetDifference([{ id: 1 }, { id: 1 }, { id: 2 }], [{ id: 1 }, { id: 2 }, { id: 3 }]),
      '3 expected, 3 got: 1 missing, e.g. {"id":1}; 1 unexpected, e.g. {"id":3}',
    );
  });
});
