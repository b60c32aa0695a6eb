/**
 * Event time through the runtime: timestamps assigned at the source, watermarks through chains,
 * keyBy edges and worker threads, event-time timers in keyed process functions, and the final
 * watermark of a bounded input.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runJob } from "../../../src/index.ts";
import { expectedSums, type Stamped } from "../../fixtures/jobs/rt-event-time.ts";
import { canonical, fixtureJob } from "../job-fixtures.ts";

describe("event time in a job", () => {
  for (const [runtime, parallelism] of [
    ["single-thread", 1],
    ["single-thread", 3],
    ["threads", 2],
  ] as const) {
    it(`event-time timers fire once per key and time, with the timer's timestamp on what they emit (${runtime}, p=${parallelism})`, { timeout: 30_000 }, async () => {
      const result = await runJob(fixtureJob("rt-event-time"), { runtime, parallelism, bufferSize: 7, args: ["--keys", "3", "--per-key", "40"] });
      assert.deepEqual(canonical(result.collected<Stamped>("out")), canonical(expectedSums(3, 40)));
    });
  }
});
