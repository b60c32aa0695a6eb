/**
 * The async enrichment example under the crash-test kit: lookups in flight at a checkpoint are
 * issued again after a restore, so what the committing sink holds after faults (kill -9 included)
 * equals what a run without faults commits, each user's counts in order.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crashTest, describeRun, type CrashTestOptions } from "../../../src/testing/index.ts";
import { parseOutputKey } from "../../../src/testing/crash-test/compare-outputs.ts";

const EXAMPLE = new URL("../../../examples/async-enrichment.ts", import.meta.url);
const USERS = 7;

async function run(options: CrashTestOptions, extraArgs: readonly string[] = []) {
  const workDir = mkdtempSync(join(tmpdir(), "weir-async-crash-"));
  try {
    const users = new Map<string, number>();
    const report = await crashTest(EXAMPLE, {
      key: parseOutputKey("csv:0"),
      workDir,
      onReference: (_sink, records) => {
        for (const line of records) {
          const [user, , , count] = String(line).split(",");
          users.set(user!, Math.max(users.get(user!) ?? 0, Number(count)));
        }
      },
      args: ["--events", "4000", "--rate", "8000", "--users", String(USERS), "--max-delay-ms", "4", "--capacity", "16", "--out", "{run}/out", ...extraArgs],
      ...options,
    });
    return { report, users };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

describe("the async enrichment example under faults", () => {
  // Seeds whose faults restore checkpoints taken with lookups in flight: a restore that dropped them would lose records.
  it("holds under user-function exceptions (unordered, single thread, three seeds)", { timeout: 240_000 }, async () => {
    const { report, users } = await run({ runs: 3, seed: 11, faults: ["user"], runtime: "single-thread" });
    assert.equal(report.referenceProblem, undefined);
    assert.deepEqual(report.sinks.map((s) => [s.id, s.check, s.records]), [["committed-lines", "exactly-once", 4000]]);
    // Every user's orders were counted: 4000 orders over 7 users.
    assert.equal([...users.values()].reduce((a, b) => a + b, 0), 4000);
    assert.equal(users.size, USERS);
    for (const [i, r] of report.runs.entries()) assert.ok(r.ok, describeRun(r, i + 1, report.runs.length));
    assert.ok(report.runs.some((r) => r.faultsFired >= 1 && r.recoveries >= 1));
  });

  it("holds under failed snapshots (unordered, single thread, two seeds)", { timeout: 240_000 }, async () => {
    const { report } = await run({ runs: 2, seed: 21, faults: ["snapshot-sync", "snapshot-async"], runtime: "single-thread" });
    assert.equal(report.referenceProblem, undefined);
    assert.equal(report.runs.length, 2);
    for (const [i, r] of report.runs.entries()) assert.ok(r.ok, describeRun(r, i + 1, report.runs.length));
    assert.ok(report.runs.some((r) => r.faultsFired >= 1 && r.recoveries >= 1));
  });

  it("holds when the process is killed with kill -9 and resumed (ordered, two threads, two seeds)", { timeout: 300_000 }, async () => {
    const { report } = await run({ runs: 2, seed: 3, faults: ["kill"], parallelism: 2 }, ["--ordered"]);
    assert.equal(report.referenceProblem, undefined);
    for (const [i, r] of report.runs.entries()) assert.ok(r.ok, describeRun(r, i + 1, report.runs.length));
    assert.ok(report.runs.some((r) => r.faultsFired >= 1 && r.recoveries >= 1), report.runs.map((r, i) => describeRun(r, i + 1, 2)).join("\n"));
  });
});
