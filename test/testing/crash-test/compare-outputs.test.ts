import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compareOutputs, parseOutputKey } from "../../../src/testing/crash-test/compare-outputs.ts";

const byFirstField = parseOutputKey("csv:0");

describe("compareOutputs", () => {
  it("exactly-once holds for the same records in another interleaving of keys", () => {
    assert.equal(compareOutputs(["a,1", "b,1", "a,2"], ["b,1", "a,1", "a,2"], "exactly-once", byFirstField), undefined);
  });

  it("exactly-once names a duplicated record, with its key", () => {
    assert.deepEqual(compareOutputs(["a,1", "a,2"], ["a,1", "a,2", "a,2"], "exactly-once", byFirstField), { key: "a", expected: "a,2 once", got: "a,2 2 times" });
  });

  it("exactly-once names a lost record", () => {
    assert.deepEqual(compareOutputs(["a,1", "b,1"], ["a,1"], "exactly-once"), { key: undefined, expected: "b,1 once", got: "b,1 missing" });
  });

  it("exactly-once names a record the reference never committed", () => {
    assert.deepEqual(compareOutputs(["a,1"], ["a,1", "a,7"], "exactly-once", byFirstField), { key: "a", expected: "no a,7", got: "a,7 once" });
  });

  it("exactly-once with a key finds records of one key out of order", () => {
    assert.deepEqual(compareOutputs(["a,1", "a,2", "b,1"], ["a,2", "b,1", "a,1"], "exactly-once", byFirstField), {
      key: "a",
      expected: "record 1 of this key: a,1",
      got: "record 1 of this key: a,2",
    });
  });

  it("without a key, order is not compared", () => {
    assert.equal(compareOutputs(["a,1", "a,2"], ["a,2", "a,1"], "exactly-once"), undefined);
  });

  it("at-least-once accepts duplicates and extra records but not a loss", () => {
    assert.equal(compareOutputs(["a,1", "a,2"], ["a,1", "a,1", "a,2", "a,3"], "at-least-once"), undefined);
    assert.deepEqual(compareOutputs(["a,1", "a,2"], ["a,1"], "at-least-once"), { key: undefined, expected: "a,2 once", got: "a,2 missing" });
  });

  it("compares records by value, objects included", () => {
    assert.equal(compareOutputs([{ k: 1, n: 2 }], [{ k: 1, n: 2 }], "exactly-once", parseOutputKey("field:k")), undefined);
    assert.deepEqual(compareOutputs([{ k: 1, n: 2 }], [{ k: 1, n: 3 }], "exactly-once", parseOutputKey("field:k")), { key: "1", expected: '{"k":1,"n":2} once', got: '{"k":1,"n":2} missing' });
  });
});

describe("parseOutputKey", () => {
  it("reads a field of a record or of a JSON line, and a comma-separated field of a line", () => {
    assert.equal(parseOutputKey("field:user")({ user: "ada" }), "ada");
    assert.equal(parseOutputKey("field:user")('{"user":"bob"}'), "bob");
    assert.equal(parseOutputKey("csv:1")("x,y,z"), "y");
  });

  it("refuses other forms", () => {
    assert.throws(() => parseOutputKey("column:1"), /not csv:<n> or field:<name>/);
    assert.throws(() => parseOutputKey("csv:x"), /not csv:<n> or field:<name>/);
  });
});
