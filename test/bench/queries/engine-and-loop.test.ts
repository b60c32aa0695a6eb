import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runJob } from "../../../src/index.ts";
import { keptResults, type EndOfInputReport } from "../../../bench/jobs/end-of-input-sink.ts";
import { END_OF_INPUT } from "../../../bench/jobs/nexmark.ts";
import { compareResults } from "../../../bench/queries/results.ts";
import { expectedResults, WINDOWED_QUERY_NAMES } from "../../../bench/queries/windowed.ts";

const JOB = new URL("../../../bench/jobs/nexmark.ts", import.meta.url);
/** 6 s of event time: windows of every query fire, some only at the end of input. */
const EVENTS = 60_000;

describe("the windowed Nexmark queries", () => {
  for (const query of WINDOWED_QUERY_NAMES) {
    const expected = expectedResults(query, EVENTS);
    for (const parallelism of [1, 2]) {
      it(`${query} gives in the engine at parallelism ${parallelism} the results of its loop`, async () => {
        const result = await runJob(JOB, { runtime: "single-thread", parallelism, args: ["--query", query, "--events", String(EVENTS)] });
        const actual = keptResults(result.collected<EndOfInputReport>(END_OF_INPUT));
        assert.ok(expected.length > 0);
        assert.deepEqual(compareResults(expected, actual ?? []), { unexpected: [], missing: [] });
      });
    }
  }
});
