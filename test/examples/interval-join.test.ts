/**
 * The interval-join example under the crash-test kit: faulted runs (exceptions in user code and
 * in snapshots, lost acknowledgements, failures before commit, kill -9) restore both join buffers,
 * their cleanup timers and the source positions from checkpoints, and commit exactly the
 * attributions of a run without faults, which are every (click, impression) pair of one user and
 * ad with the click 0–1,000 ms after the impression.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crashTest, describeRun, type CrashTestReport } from "../../src/testing/index.ts";
import { ATTRIBUTION_MS, adView, clickOf, describeAttribution, impressionOf, type Impression } from "../../examples/interval-join.ts";

const JOB = new URL("../../examples/interval-join.ts", import.meta.url);
const IMPRESSIONS = 3000;
const USERS = 40;
const ADS = 5;

/** Every attribution, found by comparing each click with every impression of its user and ad. */
function expectedAttributions(): string[] {
  const byView = new Map<string, Impression[]>();
  for (let i = 0; i < IMPRESSIONS; i++) {
    const impression = impressionOf(i, USERS, ADS);
    byView.set(adView(impression), [...(byView.get(adView(impression)) ?? []), impression]);
  }
  const lines: string[] = [];
  for (let j = 0; j < IMPRESSIONS / 3; j++) {
    const click = clickOf(j, USERS, ADS);
    for (const impression of byView.get(adView(click)) ?? []) {
      const delay = click.at - impression.at;
      if (delay >= 0 && delay <= ATTRIBUTION_MS) lines.push(describeAttribution(click, impression));
    }
  }
  return lines.sort();
}

async function run(options: Parameters<typeof crashTest>[1]): Promise<{ report: CrashTestReport; reference: unknown[] }> {
  const workDir = mkdtempSync(join(tmpdir(), "weir-interval-join-"));
  let reference: unknown[] = [];
  try {
    const report = await crashTest(JOB, {
      ...options,
      workDir,
      onReference: (sinkId, records) => {
        if (sinkId === "attributions") reference = [...records];
      },
      args: ["--impressions", String(IMPRESSIONS), "--users", String(USERS), "--ads", String(ADS), "--rate", "6000", "--out", "{run}/out"],
    });
    return { report, reference };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

describe("examples/interval-join.ts under the crash-test kit", () => {
  it("finds clicks that join more than one impression, and some that join none", () => {
    const expected = expectedAttributions();
    const clicksJoined = new Set(expected.map((line) => line.split(",")[0]));
    assert.ok(expected.length > clicksJoined.size, "some click is attributed to two impressions");
    assert.ok(clicksJoined.size < IMPRESSIONS / 3, "some click comes too late for every impression");
  });

  it("commits every attribution once after in-process faults, restoring both join buffers and their timers", { timeout: 300_000 }, async () => {
    const { report, reference } = await run({ runs: 3, seed: 5, faults: ["user", "snapshot-sync", "snapshot-async", "before-commit", "lose-ack"], parallelism: 2 });
    assert.equal(report.referenceProblem, undefined);
    assert.deepEqual((reference as string[]).slice().sort(), expectedAttributions());
    assert.deepEqual(report.sinks.map((s) => [s.id, s.check]), [["attributions", "exactly-once"]]);
    for (const [i, r] of report.runs.entries()) assert.ok(r.ok, describeRun(r, i + 1, report.runs.length));
    assert.ok(report.runs.some((r) => r.recoveries >= 1), report.runs.map((r, i) => describeRun(r, i + 1, report.runs.length)).join("\n"));
  });

  it("commits every attribution once when killed with kill -9 and resumed from the latest checkpoint", { timeout: 300_000 }, async () => {
    const { report } = await run({ runs: 1, seed: 3, faults: ["kill"], parallelism: 2 });
    const r = report.runs[0]!;
    assert.ok(r.faultsFired >= 1 && r.recoveries >= 1, describeRun(r, 1, 1));
    assert.ok(report.ok, describeRun(r, 1, 1));
  });
});
