/**
 * Nexmark q3 of the benchmark: the benchmark's job gives the hand-written loop's results, on one
 * subtask and on two, where auctions may reach the join before their seller.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { NexmarkConfig, nexmarkEvent, runJob } from "../../../src/index.ts";
import { keptResults, type EndOfInputReport } from "../../../bench/jobs/end-of-input-sink.ts";
import { END_OF_INPUT } from "../../../bench/jobs/nexmark.ts";
import { q3ExpectedResults, type Q3Result } from "../../../bench/queries/q3.ts";
import { compareResults } from "../../../bench/queries/results.ts";

const JOB = new URL("../../../bench/jobs/nexmark.ts", import.meta.url);
const EVENTS = 30_000;

describe("Nexmark q3 in the benchmark", () => {
  const expected = q3ExpectedResults(EVENTS);

  it("finds sellers of the three states with auctions in category 10, some with several", () => {
    const results = expected.map((r) => JSON.parse(r) as Q3Result);
    assert.ok(results.length > 50, `${results.length} results`);
    assert.ok(results.every((r) => ["OR", "ID", "CA"].includes(r.state)));
    const config = new NexmarkConfig();
    const sellerOf = new Map<number, number>();
    for (let i = 0; i < EVENTS; i++) {
      const e = nexmarkEvent(i, config);
      if (e.kind === "auction") sellerOf.set(e.id, e.seller);
    }
    const sellers = results.map((r) => sellerOf.get(r.id));
    assert.ok(sellers.every((s) => s !== undefined));
    assert.ok(new Set(sellers).size < results.length, "some seller has two auctions");
  });

  for (const parallelism of [1, 2]) {
    it(`gives in the engine at parallelism ${parallelism} the results of its loop`, { timeout: 60_000 }, async () => {
      const result = await runJob(JOB, { runtime: "single-thread", parallelism, args: ["--query", "q3", "--events", String(EVENTS)] });
      const actual = keptResults(result.collected<EndOfInputReport>(END_OF_INPUT));
      assert.deepEqual(compareResults(expected, actual ?? []), { unexpected: [], missing: [] });
    });
  }
});
