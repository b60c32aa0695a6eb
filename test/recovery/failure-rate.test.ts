import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { FailureRateRestartStrategy } from "../../src/recovery/failure-rate.ts";

const failure = { cause: new Error("boom") };

describe("failure-rate restart strategy", () => {
  it("restarts with the fixed delay while the failures within an interval stay at the maximum", () => {
    const strategy = new FailureRateRestartStrategy({ maxFailuresPerInterval: 2, failureRateIntervalMs: 1_000, delayMs: 50 });
    assert.deepEqual(strategy.onFailure(0, failure), { kind: "restart", delayMs: 50, attempt: 1 });
    assert.deepEqual(strategy.onFailure(500, failure), { kind: "restart", delayMs: 50, attempt: 2 });
  });

  it("fails the job at the failure that puts one more than the maximum within an interval", () => {
    const strategy = new FailureRateRestartStrategy({ maxFailuresPerInterval: 2, failureRateIntervalMs: 1_000, delayMs: 50 });
    strategy.onFailure(0, failure);
    strategy.onFailure(500, failure);
    assert.deepEqual(strategy.onFailure(1_000, failure), {
      kind: "fail",
      reason: "3 failures within 1000 ms, more than the 2 the failure-rate strategy allows",
    });
  });

  it("counts an interval with both ends included", () => {
    const atEdge = new FailureRateRestartStrategy({ maxFailuresPerInterval: 1, failureRateIntervalMs: 1_000, delayMs: 0 });
    atEdge.onFailure(0, failure);
    assert.equal(atEdge.onFailure(1_000, failure).kind, "fail");
    const past = new FailureRateRestartStrategy({ maxFailuresPerInterval: 1, failureRateIntervalMs: 1_000, delayMs: 0 });
    past.onFailure(0, failure);
    assert.deepEqual(past.onFailure(1_001, failure), { kind: "restart", delayMs: 0, attempt: 2 });
  });

  it("failures further apart than the interval never fail the job", () => {
    const strategy = new FailureRateRestartStrategy({ maxFailuresPerInterval: 1, failureRateIntervalMs: 1_000, delayMs: 0 });
    for (let i = 0; i < 500; i++) assert.equal(strategy.onFailure(i * 1_001, failure).kind, "restart");
  });

  it("keeps failing once it has failed", () => {
    const strategy = new FailureRateRestartStrategy({ maxFailuresPerInterval: 1, failureRateIntervalMs: 10, delayMs: 0 });
    strategy.onFailure(0, failure);
    const decision = strategy.onFailure(5, failure);
    assert.equal(decision.kind, "fail");
    assert.deepEqual(strategy.onFailure(1_000_000, failure), decision);
  });

  it("never allows more than maxFailuresPerInterval restarts in any interval, and fails only when the rate is exceeded", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 2_000 }),
        fc.array(fc.integer({ min: 0, max: 1_500 }), { maxLength: 60 }),
        (max, interval, gaps) => {
          const strategy = new FailureRateRestartStrategy({ maxFailuresPerInterval: max, failureRateIntervalMs: interval, delayMs: 0 });
          const failures: number[] = [];
          const restarts: number[] = [];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            failures.push(now);
            const decision = strategy.onFailure(now, failure);
            if (decision.kind === "fail") {
              const recent = failures.filter((t) => now - t <= interval);
              assert.ok(recent.length > max, `failed with ${recent.length} failures in the interval`);
              break;
            }
            restarts.push(now);
            assert.equal(decision.attempt, restarts.length);
          }
          for (let i = 0; i + max < restarts.length; i++) {
            assert.ok(restarts[i + max]! - restarts[i]! > interval, `restarts ${restarts.slice(i, i + max + 1).join(",")} within ${interval} ms`);
          }
        },
      ),
    );
  });
});
