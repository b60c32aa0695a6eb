/**
 * The interval-join example under the crash-test kit: faulted runs (exceptions in user code and
 * in snapshots, lost acknowledgements, failures before commit, kill -9) restore both join buffers,
 * their cleanup timers and the source positions from checkpoints, and commit exactly the
 * attributions of a run without faults, which are every (click, impression) pair of one user and
 * ad with the click 0–1,000 ms after the impression.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { assertRecovered, crashTestExample } from "./crash-test-example.ts";
import { ATTRIBUTION_MS, adView, clickOf, describeAttribution, impressionOf, type Impression } from "../../examples/interval-join.ts";

const JOB = new URL("../../examples/interval-join.ts", import.meta.url);
const IMPRESSIONS = 3000;
const USERS = 40;
const ADS = 5;
const args = ["--impressions", String(IMPRESSIONS), "--users", String(USERS), "--ads", String(ADS), "--rate", "6000", "--out", "{run}/out"];

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

describe("examples/interval-join.ts under the crash-test kit", () => {
  it("finds clicks that join more than one impression, and some that join none", () => {
    const expected = expectedAttributions();
    const clicksJoined = new Set(expected.map((line) => line.split(",")[0]));
    assert.ok(expected.length > clicksJoined.size, "some click is attributed to two impressions");
    assert.ok(clicksJoined.size < IMPRESSIONS / 3, "some click comes too late for every impression");
  });

  it("commits every attribution once after in-process faults, restoring both join buffers and their timers", { timeout: 300_000 }, async () => {
    const { report, reference } = await crashTestExample(JOB, "attributions", { runs: 3, seed: 5, faults: ["user", "snapshot-sync", "snapshot-async", "before-commit", "lose-ack"], parallelism: 2, args });
    assert.deepEqual((reference as string[]).slice().sort(), expectedAttributions());
    assert.deepEqual(report.sinks.map((s) => [s.id, s.check]), [["attributions", "exactly-once"]]);
    assertRecovered(report);
  });

  it("commits every attribution once when killed with kill -9 and resumed from the latest checkpoint", { timeout: 300_000 }, async () => {
    const { report } = await crashTestExample(JOB, "attributions", { runs: 1, seed: 3, faults: ["kill"], parallelism: 2, args });
    assertRecovered(report);
  });
});
