import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { durationIn, integerIn, oneOf, parseArgs, type OptionSpec, type ParseOutcome } from "../../src/cli/args.ts";

const SPECS: readonly OptionSpec[] = [
  { kind: "value", name: "parallelism", short: "p", placeholder: "n", parse: integerIn(1), description: "" },
  { kind: "value", name: "buffer-timeout", placeholder: "ms", parse: integerIn(0), description: "" },
  { kind: "flag", name: "quiet", description: "" },
  { kind: "value", name: "strategy", placeholder: "spec", parse: (text) => ({ ok: false, message: `invalid strategy '${text}': no such thing` }), description: "" },
];

function ok(outcome: ParseOutcome) {
  assert.ok(outcome.ok, outcome.ok ? "" : outcome.problem);
  return outcome.args;
}

function problem(outcome: ParseOutcome): string {
  assert.ok(!outcome.ok, "expected the arguments to be refused");
  return outcome.problem;
}

describe("parseArgs", () => {
  it("reads long options with a separate or an inline value, short options, and flags", () => {
    for (const argv of [["--parallelism", "3"], ["--parallelism=3"], ["-p", "3"], ["-p3"], ["-p=3"]]) {
      assert.equal(ok(parseArgs(argv, SPECS)).options.get("parallelism"), 3, argv.join(" "));
    }
    assert.equal(ok(parseArgs(["--quiet"], SPECS)).options.get("quiet"), true);
  });

  it("keeps positionals in order and passes everything after -- through untouched", () => {
    const args = ok(parseArgs(["job.ts", "--quiet", "-", "--", "--events", "5", "--quiet"], SPECS));
    assert.deepEqual(args.positionals, ["job.ts", "-"]);
    assert.deepEqual(args.passthrough, ["--events", "5", "--quiet"]);
  });

  it("lets a later occurrence of an option override an earlier one", () => {
    assert.equal(ok(parseArgs(["-p", "2", "--parallelism", "5"], SPECS)).options.get("parallelism"), 5);
  });

  it("refuses an unknown option by name and suggests a close one", () => {
    assert.equal(problem(parseArgs(["--paralelism", "2"], SPECS)), "unknown option '--paralelism' (did you mean --parallelism?)");
    assert.equal(problem(parseArgs(["-x"], SPECS)), "unknown option '-x'");
  });

  it("refuses a value option without its value, naming the placeholder", () => {
    assert.equal(problem(parseArgs(["--parallelism"], SPECS)), "option --parallelism needs a value: --parallelism <n>");
    assert.equal(problem(parseArgs(["-p", "--", "x"], SPECS)), "option -p needs a value: --parallelism <n>");
  });

  it("refuses values that are not integers in range, quoting what was given", () => {
    assert.equal(problem(parseArgs(["-p", "0"], SPECS)), "option -p must be a positive integer, got '0'");
    assert.equal(problem(parseArgs(["--parallelism=2.5"], SPECS)), "option --parallelism must be a positive integer, got '2.5'");
    assert.equal(problem(parseArgs(["--buffer-timeout", "-1"], SPECS)), "option --buffer-timeout must be a non-negative integer, got '-1'");
  });

  it("shows a parser's own message as it is, after the option's name", () => {
    assert.equal(problem(parseArgs(["--strategy", "x"], SPECS)), "option --strategy: invalid strategy 'x': no such thing");
  });

  it("refuses a value given to a flag", () => {
    assert.equal(problem(parseArgs(["--quiet=yes"], SPECS)), "option --quiet takes no value, got '--quiet=yes'");
  });
});

describe("integerIn", () => {
  it("accepts decimal digits within bounds only", () => {
    const parse = integerIn(1, 128);
    assert.deepEqual(parse("128"), { ok: true, value: 128 });
    assert.deepEqual(parse("129"), { ok: false, reason: "must be an integer from 1 to 128" });
    assert.equal(parse("1e2").ok, false);
    assert.equal(parse(" 4").ok, false);
  });
});

describe("durationIn", () => {
  it("reads whole milliseconds, or a number with a unit ms, s, m or h", () => {
    const parse = durationIn(1);
    const cases: [string, number][] = [["250", 250], ["250ms", 250], ["2s", 2000], ["1.5s", 1500], ["10m", 600_000], ["1h", 3_600_000]];
    for (const [text, ms] of cases) assert.deepEqual(parse(text), { ok: true, value: ms }, text);
  });

  it("refuses what is below the least, not a duration, or not whole milliseconds", () => {
    const reason = "must be a positive number of milliseconds or a duration like 500ms, 2s or 1m";
    for (const text of ["0", "0s", "-5", "soon", "5 s", "1.5ms", "2d", ""]) assert.deepEqual(durationIn(1)(text), { ok: false, reason }, text);
    assert.deepEqual(durationIn(0)("0"), { ok: true, value: 0 });
    assert.equal(durationIn(0)("x").ok, false);
  });
});

describe("oneOf", () => {
  it("accepts one of the values, written exactly, and names them all otherwise", () => {
    const parse = oneOf(["delete", "retain"]);
    assert.deepEqual(parse("retain"), { ok: true, value: "retain" });
    assert.deepEqual(parse("Retain"), { ok: false, reason: "must be 'delete' or 'retain'" });
    assert.deepEqual(oneOf(["a", "b", "c"])("d"), { ok: false, reason: "must be 'a', 'b' or 'c'" });
  });
});
