import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FixedDelayRestartStrategy } from "../../src/recovery/fixed-delay.ts";

const failure = { cause: new Error("boom") };

describe("fixed-delay restart strategy", () => {
  it("restarts after the same delay, counting attempts from one, up to `attempts` times", () => {
    const strategy = new FixedDelayRestartStrategy({ attempts: 3, delayMs: 250 });
    assert.deepEqual(
      [0, 10, 20].map((t) => strategy.onFailure(t, failure)),
      [1, 2, 3].map((attempt) => ({ kind: "restart", delayMs: 250, attempt })),
    );
  });

  it("fails the job at the failure after the last allowed restart, however much later it comes", () => {
    const strategy = new FixedDelayRestartStrategy({ attempts: 2, delayMs: 0 });
    strategy.onFailure(0, failure);
    strategy.onFailure(1, failure);
    const decision = strategy.onFailure(100 * 3_600_000, failure);
    assert.deepEqual(decision, { kind: "fail", reason: "the job already restarted 2 time(s), the most the fixed-delay strategy allows" });
  });

  it("keeps failing once it has failed", () => {
    const strategy = new FixedDelayRestartStrategy({ attempts: 0, delayMs: 0 });
    assert.equal(strategy.onFailure(0, failure).kind, "fail");
    assert.equal(strategy.onFailure(1, failure).kind, "fail");
  });

  it("with unlimited attempts never fails", () => {
    const strategy = new FixedDelayRestartStrategy({ attempts: Number.POSITIVE_INFINITY, delayMs: 5 });
    for (let i = 1; i <= 1_000; i++) assert.deepEqual(strategy.onFailure(i, failure), { kind: "restart", delayMs: 5, attempt: i });
  });
});
