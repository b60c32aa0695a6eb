import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OutputTag, WeirError } from "../../src/index.ts";

describe("OutputTag", () => {
  it("keeps its id", () => {
    assert.equal(new OutputTag<number>("late").id, "late");
    assert.equal(new OutputTag<number>("late").getId(), "late");
  });

  for (const [label, id] of [["an empty id", ""], ["a number", 5], ["undefined", undefined]] as const) {
    it(`refuses ${label} with WEIR_ERR_INVALID_OUTPUT_TAG`, () => {
      assert.throws(() => new OutputTag(id as unknown as string), (e: unknown) => {
        assert.ok(e instanceof WeirError);
        assert.equal(e.code, "WEIR_ERR_INVALID_OUTPUT_TAG");
        assert.match(e.message, /an OutputTag id must be a non-empty string/);
        return true;
      });
    });
  }
});
