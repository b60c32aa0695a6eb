import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { JobArgs } from "../../src/api/job-args.ts";

describe("JobArgs", () => {
  it("parses named values, --name=value, flags and positionals", () => {
    const args = new JobArgs(["a", "--events", "1000", "--out=dir", "--verbose", "--mode", "fast", "b", "--dry"]);
    assert.equal(args.string("events"), "1000");
    assert.equal(args.number("events"), 1000);
    assert.equal(args.string("out"), "dir");
    assert.equal(args.flag("verbose"), true);
    assert.equal(args.flag("dry"), true);
    assert.equal(args.string("mode"), "fast");
    assert.deepEqual(args.positionals, ["a", "b"]);
    assert.deepEqual(args.toJSON(), ["a", "--events", "1000", "--out=dir", "--verbose", "--mode", "fast", "b", "--dry"]);
  });

  it("a flag followed by a positional takes it as its value", () => {
    const args = new JobArgs(["--verbose", "a"]);
    assert.equal(args.string("verbose"), "a");
    assert.equal(args.flag("verbose"), false);
    assert.deepEqual(args.positionals, []);
  });

  it("absent names give the fallback, or undefined", () => {
    const args = new JobArgs([]);
    assert.equal(args.has("x"), false);
    assert.equal(args.string("x"), undefined);
    assert.equal(args.string("x", "fallback"), "fallback");
    assert.equal(args.number("x", 7), 7);
    assert.equal(args.flag("x"), false);
    assert.equal(new JobArgs(["--x", "true"]).flag("x"), true);
  });

  it("refuses a value for a bare flag, and a number that is not one", () => {
    assert.throws(() => new JobArgs(["--out"]).string("out"), { code: "WEIR_ERR_INVALID_ARGUMENT", message: "job argument --out needs a value" });
    assert.throws(() => new JobArgs(["--n", "ten"]).number("n"), { code: "WEIR_ERR_INVALID_ARGUMENT", message: "job argument --n must be a number, got 'ten'" });
    assert.throws(() => new JobArgs(["--n=Infinity"]).number("n"), { code: "WEIR_ERR_INVALID_ARGUMENT" });
  });

  it("keeps its own copy of the arguments", () => {
    const raw = ["--a", "1"];
    const args = new JobArgs(raw);
    raw[1] = "2";
    assert.equal(args.string("a"), "1");
  });

  it("names the arguments given that were neither read nor declared, in the order given", () => {
    const args = new JobArgs(["--events", "10", "--bogus", "1", "--out=x", "--verbose", "--later", "y", "pos"]);
    args.number("events", 5);
    args.flag("verbose");
    args.has("missing");
    args.declare("later");
    assert.deepEqual(args.unknown(), ["bogus", "out"]);
    assert.deepEqual(args.knownNames(), ["events", "later", "missing", "verbose"]);
  });

  it("number refuses values outside its bounds, or not whole when asked, naming the argument", () => {
    const args = new JobArgs(["--keys", "0", "--rate", "2.5", "--big", "11", "--empty="]);
    assert.throws(() => args.number("keys", 10, { min: 1 }), { code: "WEIR_ERR_INVALID_ARGUMENT", message: "job argument --keys must be at least 1, got 0" });
    assert.throws(() => args.number("rate", undefined, { integer: true }), { message: "job argument --rate must be a whole number, got 2.5" });
    assert.throws(() => args.number("big", 1, { max: 10 }), { message: "job argument --big must be at most 10, got 11" });
    assert.throws(() => args.number("empty", 1), { message: "job argument --empty must be a number, got ''" });
    assert.equal(args.number("absent", 0, { min: 1 }), 0, "the fallback is the job's own choice and is not checked");
    assert.equal(new JobArgs(["--keys", "3"]).number("keys", 10, { min: 1, max: 5, integer: true }), 3);
  });
});
