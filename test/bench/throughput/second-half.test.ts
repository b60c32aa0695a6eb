import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EndOfInputReport } from "../../../bench/jobs/end-of-input-sink.ts";
import { halfOfEachSubtask, secondHalfRates } from "../../../bench/throughput/second-half.ts";

const report = (records: number, endOfInputMs: number, cpuMs: number, mark?: { ms: number; cpuMs: number }): EndOfInputReport => ({ records, endOfInputMs, cpuMs, ...(mark === undefined ? {} : { mark }) });

describe("secondHalfRates", () => {
  it("times the records after the mark, from the mark to the end of input", () => {
    // 1,000 events gave 800 records; 400 came after the mark, in 2 s of wall-clock time and 4 s of CPU time.
    const rates = secondHalfRates([report(800, 3_000, 5_000, { ms: 1_000, cpuMs: 1_000 })], 1_000, 400)!;
    assert.equal(rates.eventsPerSecond, 250);
    assert.equal(rates.cpuEventsPerSecond, 125);
  });

  it("starts the window at the earliest mark of the subtasks, and ends it at the last end of input", () => {
    const rates = secondHalfRates(
      [report(100, 2_000, 4_000, { ms: 1_000, cpuMs: 2_000 }), report(100, 3_000, 4_500, { ms: 1_500, cpuMs: 2_500 })],
      200,
      50,
    )!;
    // 100 of 200 records after the marks: 100 events, in 2 s and in 2.5 s of CPU time.
    assert.equal(rates.eventsPerSecond, 50);
    assert.equal(rates.cpuEventsPerSecond, 40);
  });

  it("counts none of a subtask that never reached its mark, so the estimate errs low", () => {
    const rates = secondHalfRates([report(100, 2_000, 2_000, { ms: 1_000, cpuMs: 1_000 }), report(40, 2_000, 2_000)], 140, 50)!;
    assert.equal(rates.eventsPerSecond, 50);
  });

  it("gives nothing when no subtask was asked to mark, or none reached its mark", () => {
    assert.equal(secondHalfRates([report(100, 2_000, 2_000)], 100, 0), undefined);
    assert.equal(secondHalfRates([report(10, 2_000, 2_000)], 100, 50), undefined);
  });
});

describe("halfOfEachSubtask", () => {
  it("marks half of each subtask's even share of the records", () => {
    assert.equal(halfOfEachSubtask(1_000, 2), 250);
    assert.equal(halfOfEachSubtask(1_001, 1), 500);
  });
});
