import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Each example job runs through the real `weir` command, on small inputs, and exits 0. */
function weir(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["bin/weir.js", "run", ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const lines = (stdout: string) => stdout.split("\n").filter((l) => l !== "").map((l) => l.replace(/^\d+> /, ""));

describe("the examples", () => {
  it("nexmark-hot-bidders alerts on the same hot bidders at parallelism 1 and 2", () => {
    const hot = (parallelism: string) => {
      const result = weir("examples/nexmark-hot-bidders.ts", "-p", parallelism, "--quiet", "--", "--events", "60000", "--threshold", "500", "--idle-ms", "60000");
      assert.equal(result.status, 0, result.stderr);
      return lines(result.stdout).sort();
    };
    const one = hot("1");
    assert.ok(one.length > 0 && one.every((l) => /^hot bidder \d+: 500 bids without a pause$/.test(l)), one.join("\n"));
    assert.deepEqual(hot("2"), one);
  });

  it("word-count counts the words of the file it is given", () => {
    const result = weir("examples/word-count.ts", "--single-thread", "-p", "1", "--quiet", "--", "--input", "test/fixtures/jobs/cli-no-default.ts");
    assert.equal(result.status, 0, result.stderr);
    const counts = lines(result.stdout);
    assert.ok(counts.includes("a 1") && counts.includes("export 1") && counts.includes("definejob 1") && counts.includes("definejob 2"), counts.join(", "));
  });

  it("connect emits each large bid once, with its auction's item and category", () => {
    const result = weir("examples/connect.ts", "-p", "2", "--quiet", "--", "--events", "5000", "--min-price", "100000");
    assert.equal(result.status, 0, result.stderr);
    const enriched = lines(result.stdout);
    assert.ok(enriched.length > 0);
    for (const line of enriched) assert.match(line, /^auction \d+ \([a-z ]+, category \d+\): \$[\d,]+\.\d\d from bidder \d+$/);
    assert.equal(new Set(enriched).size, enriched.length);
  });

  it("async-enrichment enriches every order once and counts each user's orders 1 … n", () => {
    const out = mkdtempSync(join(tmpdir(), "weir-example-"));
    try {
      const result = weir("examples/async-enrichment.ts", "-p", "2", "--quiet", "--", "--events", "300", "--users", "4", "--capacity", "5", "--out", out);
      assert.equal(result.status, 0, result.stderr);
      const committed = readdirSync(out).flatMap((f) => readFileSync(join(out, f), "utf8").split("\n").filter((l) => l !== ""));
      const expected: string[] = [];
      for (let user = 0; user < 4; user++) {
        for (let n = 1; n <= 75; n++) expected.push(`${user},user-${user},${user % 3 === 0 ? "gold" : "standard"},${n}`);
      }
      assert.deepEqual(committed.sort(), expected.sort());
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("event-time prints each sensor's one-second windows once, the same at parallelism 1 and 2", () => {
    const windows = (parallelism: string) => {
      const result = weir("examples/event-time.ts", "-p", parallelism, "--quiet", "--", "--readings", "30000", "--sensors", "3");
      assert.equal(result.status, 0, result.stderr);
      return lines(result.stdout).sort();
    };
    const one = windows("1");
    // 30000 readings at 10 per millisecond span 3 s of event time: windows 0, 1000 and 2000 of 3 sensors.
    assert.equal(one.length, 9, one.join("\n"));
    for (const line of one) assert.match(line, /^sensor-[0-2] \[(0|[12]000), [123]000\) \d+\.\d\d °C over \d+ readings$/);
    assert.deepEqual(windows("2"), one);
  });

  it("exactly-once refuses a count of keys below 1 with a clear error instead of writing NaN", () => {
    const out = mkdtempSync(join(tmpdir(), "weir-example-"));
    try {
      const result = weir("examples/exactly-once.ts", "--single-thread", "--quiet", "--", "--events", "10", "--keys", "0", "--out", out);
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, /^job refused: job argument --keys must be at least 1, got 0\n {2}code: WEIR_ERR_INVALID_ARGUMENT/);
      assert.deepEqual(readdirSync(out), []);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
