import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_RUN, nextRun } from "../../src/runtime/step-budget.ts";

/** The records a step takes when each costs `perRecordMs` on a clock that reads whole milliseconds. */
function recordsTaken(perRecordMs: number, budgetMs: number, available = 10_000): number {
  let done = 0;
  let spent = 0;
  for (;;) {
    const run = nextRun(done, Math.floor(spent), budgetMs);
    if (run === 0 || done >= available) return done;
    const taken = Math.min(run, available - done);
    done += taken;
    spent += taken * perRecordMs;
  }
}

describe("the records one step takes", () => {
  it("starts with a single record", () => {
    assert.equal(nextRun(0, 0, 5), 1);
  });

  it("hands over one record even when the clock passed the budget before the step's first", () => {
    assert.equal(nextRun(0, 2, 1), 1);
  });

  it("ends once the budget is spent", () => {
    assert.equal(nextRun(10, 5, 5), 0);
    assert.equal(nextRun(10, 9, 5), 0);
  });

  it("grows no faster than doubling while the clock shows no time passing", () => {
    assert.equal(nextRun(1, 0, 5), 1);
    assert.equal(nextRun(4, 0, 5), 4);
    assert.equal(nextRun(1000, 0, 5), MAX_RUN);
  });

  it("sizes the next run to what fits into the rest of the budget at the pace so far", () => {
    assert.equal(nextRun(8, 4, 5), 2, "half a millisecond a record, one millisecond left");
    assert.equal(nextRun(30, 3, 5), 20);
    assert.equal(nextRun(100, 1, 5), MAX_RUN);
  });

  it("takes one more record when the next would not fit, so a step always moves", () => {
    assert.equal(nextRun(2, 4, 5), 1);
  });

  it("keeps a step over slow records near its budget, not at a fixed count of records", () => {
    // Half a millisecond a record: a fixed run of 32 records would take 16 ms.
    assert.ok(recordsTaken(0.5, 5) <= 12, `${recordsTaken(0.5, 5)} records`);
    assert.ok(recordsTaken(0.5, 1) <= 4, `${recordsTaken(0.5, 1)} records`);
    // Ten milliseconds a record: one record, then the step is over.
    assert.equal(recordsTaken(10, 5), 1);
  });

  it("lets a step over fast records take a whole batch", () => {
    assert.equal(recordsTaken(0.001, 5, 1024), 1024);
  });
});
