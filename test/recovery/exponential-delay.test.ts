import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ExponentialDelayRestartStrategy, type ExponentialDelayOptions } from "../../src/recovery/exponential-delay.ts";
import type { RestartDecision } from "../../src/recovery/restart-strategy.ts";

const failure = { cause: new Error("boom") };
const middle = (): number => 0.5;

const options: ExponentialDelayOptions = {
  initialBackoffMs: 100,
  maxBackoffMs: 1_000,
  backoffMultiplier: 2,
  jitterFactor: 0,
  resetBackoffThresholdMs: 10_000,
  maxAttempts: Number.POSITIVE_INFINITY,
};

/** Fails right after each restart completes; returns the delays. */
function delaysOfQuickFailures(strategy: ExponentialDelayRestartStrategy, n: number, start = 0): number[] {
  const delays: number[] = [];
  let now = start;
  for (let i = 0; i < n; i++) {
    const decision = strategy.onFailure(now, failure);
    assert.equal(decision.kind, "restart");
    const delayMs = (decision as Extract<RestartDecision, { kind: "restart" }>).delayMs;
    delays.push(delayMs);
    now += delayMs + 1;
  }
  return delays;
}

describe("exponential-delay restart strategy", () => {
  it("waits the initial backoff first, then multiplies it at each failure", () => {
    const strategy = new ExponentialDelayRestartStrategy(options, middle);
    assert.deepEqual(delaysOfQuickFailures(strategy, 4), [100, 200, 400, 800]);
  });

  it("never waits longer than the maximum backoff", () => {
    const strategy = new ExponentialDelayRestartStrategy(options, middle);
    assert.deepEqual(delaysOfQuickFailures(strategy, 7), [100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it("counts attempts from one", () => {
    const strategy = new ExponentialDelayRestartStrategy(options, middle);
    assert.deepEqual(strategy.onFailure(0, failure), { kind: "restart", delayMs: 100, attempt: 1 });
    assert.deepEqual(strategy.onFailure(101, failure), { kind: "restart", delayMs: 200, attempt: 2 });
  });

  it("starts over at the initial backoff once the job has run the reset threshold without failing", () => {
    const strategy = new ExponentialDelayRestartStrategy(options, middle);
    strategy.onFailure(0, failure);
    strategy.onFailure(500, failure);
    assert.deepEqual(strategy.onFailure(700 + 10_000, failure), { kind: "restart", delayMs: 100, attempt: 1 });
  });

  it("measures the quiet period from the restart, not from the failure", () => {
    const strategy = new ExponentialDelayRestartStrategy(options, middle);
    strategy.onFailure(0, failure);
    strategy.onFailure(500, failure);
    assert.deepEqual(strategy.onFailure(700 + 9_999, failure), { kind: "restart", delayMs: 400, attempt: 3 });
  });

  it("jitter moves each delay within jitterFactor of the backoff, as the injected random source says", () => {
    const jittered = { ...options, jitterFactor: 0.1 };
    assert.deepEqual(new ExponentialDelayRestartStrategy(jittered, () => 0).onFailure(0, failure), { kind: "restart", delayMs: 90, attempt: 1 });
    assert.deepEqual(new ExponentialDelayRestartStrategy(jittered, () => 0.75).onFailure(0, failure), { kind: "restart", delayMs: 105, attempt: 1 });
  });

  it("once at the maximum, the backoff stays there, so jitter still spreads delays below it", () => {
    const strategy = new ExponentialDelayRestartStrategy({ ...options, jitterFactor: 0.1 }, () => 0);
    assert.deepEqual(delaysOfQuickFailures(strategy, 7), [90, 180, 360, 720, 900, 900, 900]);
  });

  it("jittered delays stay within their bounds and never above the maximum", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (jitterFactor, draws) => {
          let next = 0;
          const strategy = new ExponentialDelayRestartStrategy({ ...options, jitterFactor }, () => draws[next++ % draws.length]!);
          let backoff = options.initialBackoffMs;
          let now = 0;
          for (let i = 0; i < draws.length; i++) {
            const decision = strategy.onFailure(now, failure);
            assert.equal(decision.kind, "restart");
            const { delayMs } = decision as Extract<RestartDecision, { kind: "restart" }>;
            assert.ok(Number.isInteger(delayMs));
            assert.ok(delayMs >= Math.floor(backoff * (1 - jitterFactor)), `${delayMs} below ${backoff} - ${jitterFactor}`);
            assert.ok(delayMs <= Math.min(options.maxBackoffMs, Math.ceil(backoff * (1 + jitterFactor))), `${delayMs} above ${backoff} + ${jitterFactor}`);
            now += delayMs + 1;
            backoff = Math.min(options.maxBackoffMs, backoff * options.backoffMultiplier);
          }
        },
      ),
    );
  });

  it("fails after maxAttempts restarts without a quiet period, and keeps failing", () => {
    const strategy = new ExponentialDelayRestartStrategy({ ...options, maxAttempts: 2 }, middle);
    delaysOfQuickFailures(strategy, 2);
    const decision = strategy.onFailure(1_000, failure);
    assert.equal(decision.kind, "fail");
    assert.match((decision as Extract<RestartDecision, { kind: "fail" }>).reason, /restarted 2 time\(s\) without running 10000 ms free of failures/);
    assert.deepEqual(strategy.onFailure(1_000_000, failure), decision);
  });

  it("a quiet period gives back the attempts", () => {
    const strategy = new ExponentialDelayRestartStrategy({ ...options, maxAttempts: 2 }, middle);
    let now = 0;
    for (let round = 0; round < 5; round++) {
      assert.deepEqual(delaysOfQuickFailures(strategy, 2, now), [100, 200]);
      now += 100 + 1 + 200 + 10_000;
    }
  });
});
