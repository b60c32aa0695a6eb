/**
 * The custom split-based source of examples/custom-split-source.ts under the crash-test kit:
 * faulted runs (exceptions in user code and in snapshots, lost acknowledgements, failures before
 * commit, kill -9) restore the enumerator's pending batches and each reader's batches with their
 * positions, and commit exactly what a run without faults commits: every counter's counts once.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { describeRun } from "../../src/testing/index.ts";
import { assertRecovered, crashTestExample } from "./crash-test-example.ts";

const JOB = new URL("../../examples/custom-split-source.ts", import.meta.url);
const BATCHES = 12;
const BATCH_SIZE = 250;
const KEYS = 4;

/** Counter k counts the tickets of batches k, k + KEYS, …: lines "k,1" … "k,n_k". */
function expectedCounts(): string[] {
  const lines: string[] = [];
  for (let k = 0; k < KEYS; k++) {
    const n = Array.from({ length: BATCHES }, (_, b) => b).filter((b) => b % KEYS === k).length * BATCH_SIZE;
    for (let c = 1; c <= n; c++) lines.push(`${k},${c}`);
  }
  return lines.sort();
}

const run = (options: Parameters<typeof crashTestExample>[2]) =>
  crashTestExample(JOB, "committed-counts", {
    ...options,
    args: ["--batches", String(BATCHES), "--batch-size", String(BATCH_SIZE), "--keys", String(KEYS), "--rate", "6000", "--out", "{run}/out"],
  });

describe("examples/custom-split-source.ts under the crash-test kit", () => {
  it("commits every counter's counts once after in-process faults, restoring split positions and pending splits", { timeout: 300_000 }, async () => {
    const { report, reference } = await run({ runs: 3, seed: 17, faults: ["user", "snapshot-sync", "snapshot-async", "before-commit", "lose-ack"], parallelism: 2 });
    assertRecovered(report);
    assert.deepEqual((reference as string[]).slice().sort(), expectedCounts());
    assert.deepEqual(report.sinks.map((s) => [s.id, s.check]), [["committed-counts", "exactly-once"]]);
  });

  it("commits every counter's counts once when killed with kill -9 and resumed from the latest checkpoint", { timeout: 300_000 }, async () => {
    const { report } = await run({ runs: 1, seed: 4, faults: ["kill"], parallelism: 2 });
    assert.equal(report.referenceProblem, undefined);
    for (const [i, r] of report.runs.entries()) assert.ok(r.ok, describeRun(r, i + 1, report.runs.length));
    assert.ok(report.runs.every((r) => r.faultsFired >= 1), report.runs.map((r, i) => describeRun(r, i + 1, report.runs.length)).join("\n"));
  });
});
