/**
 * The window-count example under the crash-test kit: faulted runs (exceptions in user code and in
 * snapshots, lost acknowledgements, failures before commit, kill -9) restore the windows' contents
 * and timers from checkpoints and commit exactly the counts of a run without faults, which are the
 * clicks of every page and ten-second window of event time.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { clickOf, WINDOW_MS } from "../../examples/window-count.ts";
import { assertRecovered, crashTestExample } from "./crash-test-example.ts";

const JOB = new URL("../../examples/window-count.ts", import.meta.url);
const CLICKS = 4000;
const PAGES = 3;
const args = ["--clicks", String(CLICKS), "--pages", String(PAGES), "--rate", "6000", "--out", "{run}/out"];

function expectedCounts(): string[] {
  const counts = new Map<string, number>();
  for (let seq = 0; seq < CLICKS; seq++) {
    const click = clickOf(seq, PAGES);
    const line = `${click.page},${Math.floor(click.at / WINDOW_MS) * WINDOW_MS}`;
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return [...counts].map(([line, n]) => `${line},${n}`).sort();
}

describe("examples/window-count.ts under the crash-test kit", () => {
  it("commits every page's count per window once after in-process faults, restoring window state and timers", { timeout: 300_000 }, async () => {
    const { report, reference } = await crashTestExample(JOB, "counts", { runs: 3, seed: 5, faults: ["user", "snapshot-sync", "snapshot-async", "before-commit", "lose-ack"], parallelism: 2, args });
    assert.deepEqual((reference as string[]).slice().sort(), expectedCounts());
    assert.deepEqual(report.sinks.map((s) => [s.id, s.check]), [["counts", "exactly-once"]]);
    assertRecovered(report);
  });

  it("commits every count once when killed with kill -9 and resumed from the latest checkpoint", { timeout: 300_000 }, async () => {
    const { report } = await crashTestExample(JOB, "counts", { runs: 1, seed: 8, faults: ["kill"], parallelism: 2, args });
    assertRecovered(report);
  });
});
