/**
 * Nexmark q3 of the benchmark: the engine's join gives the hand-written loop's results, on one
 * thread and on two subtasks, where auctions may reach the join before their seller.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { NexmarkConfig, defineJob, discardingSink, nexmarkEvent, nexmarkSource, runJob } from "../../../src/index.ts";
import { addQ3, q3Loop, Q3_RESULTS, type Q3Result } from "../../../bench/queries/q3.ts";
import { multisetDifference } from "../../../bench/results-check.ts";

const EVENTS = 30_000;

function loopResults(): Q3Result[] {
  const config = new NexmarkConfig();
  const results: Q3Result[] = [];
  q3Loop(EVENTS, (i) => nexmarkEvent(i, config), (r) => results.push(r));
  return results;
}

describe("Nexmark q3 in the benchmark", () => {
  it("finds sellers of the three states with auctions in category 10, some with several", () => {
    const results = loopResults();
    assert.ok(results.length > 50, `${results.length} results`);
    assert.ok(results.every((r) => ["OR", "ID", "CA"].includes(r.state)));
    assert.ok(new Set(results.map((r) => r.name + r.city)).size < results.length, "some seller has two auctions");
  });

  for (const parallelism of [1, 2]) {
    it(`runs through the engine with the loop's results (single-thread, p=${parallelism})`, { timeout: 60_000 }, async () => {
      const job = defineJob((env) => {
        addQ3(env.fromSource(nexmarkSource({ events: EVENTS }), "nexmark"), discardingSink());
      });
      const result = await runJob(job, { runtime: "single-thread", parallelism });
      assert.equal(multisetDifference(loopResults(), result.collected<Q3Result>(Q3_RESULTS)), undefined);
    });
  }
});
