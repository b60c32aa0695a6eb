import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runJob } from "../../src/runtime/run-job.ts";
import { combineConnectorMetrics, sumByOperator } from "../../src/runtime/metrics.ts";
import { fixtureJob } from "./job-fixtures.ts";

describe("connector metrics", () => {
  it("adds counts over subtasks and keeps the largest lag of one", () => {
    assert.deepEqual(combineConnectorMetrics({ numRecordsIn: 3, pendingRecords: 5, "records-lag-max": 4 }, { numRecordsIn: 2, pendingRecords: 1, "records-lag-max": 1 }), {
      numRecordsIn: 5,
      pendingRecords: 6,
      "records-lag-max": 4,
    });
    assert.deepEqual(combineConnectorMetrics({ numRecordsOut: 1 }, {}), { numRecordsOut: 1 });
  });

  it("sums each operator's connector metrics over its subtasks, operators without them left without", () => {
    const op = (nodeId: number, connector?: { numRecordsOut: number }) => ({ nodeId, name: `op${nodeId}`, recordsIn: 1, recordsOut: 1, ...(connector ? { connector } : {}) });
    const summed = sumByOperator([
      { vertex: 0, subtask: 0, operators: [op(0), op(1, { numRecordsOut: 2 })] },
      { vertex: 0, subtask: 1, operators: [op(0), op(1, { numRecordsOut: 5 })] },
    ]);
    assert.deepEqual(
      summed.map((o) => o.connector),
      [undefined, { numRecordsOut: 7 }],
    );
  });

  for (const runtime of ["single-thread", "threads"] as const) {
    it(`a job's result shows what its source read and its sink wrote, summed over subtasks (${runtime})`, { timeout: 120_000 }, async () => {
      const result = await runJob(fixtureJob("rt-connector-metrics"), { runtime, parallelism: 2 });
      const byName = new Map(result.operators.map((o) => [o.name, o]));
      assert.deepEqual(byName.get("Source: numbers")?.connector, { numRecordsIn: 20, pendingRecords: 0, "records-lag-max": 0 });
      assert.deepEqual(byName.get("evens")?.connector, { numRecordsOut: 10 });
      assert.equal(byName.get("Filter")?.connector, undefined);
    });
  }
});
