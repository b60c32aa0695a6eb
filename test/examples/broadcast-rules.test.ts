/**
 * The broadcast-rules example under the crash-test kit: faulted runs (exceptions in user code and
 * in snapshots, lost acknowledgements, failures before commit, kill -9) restore broadcast state,
 * keyed state and source positions from checkpoints and commit exactly the matches of a run
 * without faults, which are every (payment, rule) match once.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { describeRun, type crashTest, type CrashTestReport } from "../../src/testing/index.ts";
import { crashTestExample } from "./example-crash-test.ts";
import { amountOf, ruleOf } from "../../examples/broadcast-rules.ts";

const JOB = new URL("../../examples/broadcast-rules.ts", import.meta.url);
const PAYMENTS = 3000;
const USERS = 7;
const RULES = 4;

function expectedMatches(): string[] {
  const lines: string[] = [];
  for (let seq = 0; seq < PAYMENTS; seq++) {
    for (let i = 0; i < RULES; i++) {
      const rule = ruleOf(i);
      if (amountOf(seq) >= rule.minAmount) lines.push(`${rule.name},${seq % USERS},${seq},${amountOf(seq)}`);
    }
  }
  return lines.sort();
}

function run(options: Parameters<typeof crashTest>[1]): Promise<{ report: CrashTestReport; reference: unknown[] }> {
  return crashTestExample(JOB, "matches", ["--payments", String(PAYMENTS), "--users", String(USERS), "--rules", String(RULES), "--rate", "6000", "--out", "{run}/out"], options);
}

describe("examples/broadcast-rules.ts under the crash-test kit", () => {
  it("commits every (payment, rule) match once after in-process faults, restoring broadcast and keyed state", { timeout: 300_000 }, async () => {
    const { report, reference } = await run({ runs: 3, seed: 11, faults: ["user", "snapshot-sync", "snapshot-async", "before-commit", "lose-ack"], parallelism: 2 });
    assert.equal(report.referenceProblem, undefined);
    assert.deepEqual((reference as string[]).slice().sort(), expectedMatches());
    assert.deepEqual(report.sinks.map((s) => [s.id, s.check]), [["matches", "exactly-once"]]);
    for (const [i, r] of report.runs.entries()) assert.ok(r.ok, describeRun(r, i + 1, report.runs.length));
    assert.ok(report.runs.some((r) => r.recoveries >= 1), report.runs.map((r, i) => describeRun(r, i + 1, report.runs.length)).join("\n"));
  });

  it("commits every match once when killed with kill -9 and resumed from the latest checkpoint", { timeout: 300_000 }, async () => {
    const { report } = await run({ runs: 1, seed: 3, faults: ["kill"], parallelism: 2 });
    const r = report.runs[0]!;
    assert.ok(r.faultsFired >= 1 && r.recoveries >= 1, describeRun(r, 1, 1));
    assert.ok(report.ok, describeRun(r, 1, 1));
  });
});
