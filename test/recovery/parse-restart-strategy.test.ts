import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { formatRestartStrategy, parseRestartStrategy } from "../../src/recovery/parse-restart-strategy.ts";
import { resolveRestartStrategyConfig, type ResolvedRestartStrategyConfig } from "../../src/recovery/restart-config.ts";
import { WeirError } from "../../src/core/errors.ts";

function rejects(text: string, message: string): void {
  assert.throws(
    () => parseRestartStrategy(text),
    (error: unknown) => {
      assert.ok(error instanceof WeirError && error.code === "WEIR_ERR_INVALID_ARGUMENT");
      assert.equal(error.message, `invalid restart strategy '${text}': ${message}`);
      return true;
    },
  );
}

describe("parseRestartStrategy", () => {
  it("reads each strategy with its options", () => {
    assert.deepEqual(parseRestartStrategy("fixed-delay:attempts=3,delay=1s"), { kind: "fixed-delay", attempts: 3, delayMs: 1_000 });
    assert.deepEqual(parseRestartStrategy("exponential-delay:initial=100ms,max=10s,multiplier=2,jitter=0.1,reset=1m"), {
      kind: "exponential-delay",
      initialBackoffMs: 100,
      maxBackoffMs: 10_000,
      backoffMultiplier: 2,
      jitterFactor: 0.1,
      resetBackoffThresholdMs: 60_000,
      maxAttempts: Number.POSITIVE_INFINITY,
    });
    assert.deepEqual(parseRestartStrategy("failure-rate:max=3,interval=1m,delay=1s"), {
      kind: "failure-rate",
      maxFailuresPerInterval: 3,
      failureRateIntervalMs: 60_000,
      delayMs: 1_000,
    });
    assert.deepEqual(parseRestartStrategy("none"), { kind: "none" });
  });

  it("fills in defaults for options left out, including all of them", () => {
    assert.deepEqual(parseRestartStrategy("fixed-delay"), resolveRestartStrategyConfig({ kind: "fixed-delay" }));
    assert.deepEqual(parseRestartStrategy("fixed-delay:"), resolveRestartStrategyConfig({ kind: "fixed-delay" }));
    assert.deepEqual(parseRestartStrategy("failure-rate:delay=5s"), resolveRestartStrategyConfig({ kind: "failure-rate", delayMs: 5_000 }));
  });

  it("takes options in any order, with spaces around the parts", () => {
    assert.deepEqual(parseRestartStrategy(" fixed-delay : delay = 2s , attempts = unlimited "), {
      kind: "fixed-delay",
      attempts: Number.POSITIVE_INFINITY,
      delayMs: 2_000,
    });
    assert.equal((parseRestartStrategy("exponential-delay:attempts=4") as { maxAttempts: number }).maxAttempts, 4);
  });

  it("names the unknown strategy and lists the known ones", () => {
    rejects("fixed:attempts=3", "unknown strategy 'fixed' (strategies: none, fixed-delay, exponential-delay, failure-rate)");
    rejects("", "unknown strategy '' (strategies: none, fixed-delay, exponential-delay, failure-rate)");
  });

  it("names the part that is not key=value", () => {
    rejects("fixed-delay:attempts3", "'attempts3' is not key=value");
    rejects("fixed-delay:attempts=3,", "'' is not key=value");
  });

  it("names an unknown option and lists the strategy's options", () => {
    rejects("failure-rate:max=3,window=1m", "failure-rate has no option 'window' (options: max, interval, delay)");
    rejects("none:attempts=1", "none has no option 'attempts' (it takes none)");
  });

  it("names an option given twice", () => {
    rejects("fixed-delay:delay=1s,delay=2s", "option 'delay' is given twice");
  });

  it("names a value that does not parse, and says what it should be", () => {
    rejects("fixed-delay:delay=10", "delay=10: '10' is not a number with a unit ms, s, m or h, like 500ms, 1.5s or 10m, that makes whole milliseconds");
    rejects("fixed-delay:attempts=many", "attempts=many: 'many' is not a whole number or 'unlimited'");
    rejects("failure-rate:max=unlimited", "max=unlimited: 'unlimited' is not a whole number");
    rejects("exponential-delay:jitter=a", "jitter=a: 'a' is not a decimal number");
  });

  it("names an out-of-range value by its command-line key", () => {
    rejects("exponential-delay:multiplier=1", "multiplier must be a number greater than 1, got 1");
    rejects("exponential-delay:jitter=2", "jitter must be a number from 0 to 1, got 2");
    rejects("exponential-delay:initial=10s,max=1s", "initial (10000 ms) must not exceed max (1000 ms)");
    rejects("failure-rate:interval=0", "interval must be a whole number of milliseconds, at least 1, got 0");
  });
});

describe("formatRestartStrategy", () => {
  it("writes every option in the documented order", () => {
    assert.equal(formatRestartStrategy(parseRestartStrategy("fixed-delay")), "fixed-delay:attempts=1,delay=1s");
    assert.equal(
      formatRestartStrategy(parseRestartStrategy("exponential-delay")),
      "exponential-delay:initial=1s,max=1m,multiplier=1.5,jitter=0.1,reset=1h,attempts=unlimited",
    );
    assert.equal(formatRestartStrategy(parseRestartStrategy("failure-rate")), "failure-rate:max=1,interval=1m,delay=1s");
    assert.equal(formatRestartStrategy({ kind: "none" }), "none");
  });

  it("writes what parseRestartStrategy reads back", () => {
    const count = (min: number) => fc.oneof(fc.integer({ min, max: 1_000 }), fc.constant(Number.POSITIVE_INFINITY));
    const config: fc.Arbitrary<ResolvedRestartStrategyConfig> = fc.oneof(
      fc.constant({ kind: "none" as const }),
      fc.record({ kind: fc.constant("fixed-delay" as const), attempts: count(0), delayMs: fc.nat() }),
      fc
        .record({
          kind: fc.constant("exponential-delay" as const),
          initialBackoffMs: fc.integer({ min: 1, max: 100_000 }),
          maxBackoffMs: fc.integer({ min: 1, max: 100_000 }),
          backoffMultiplier: fc.double({ min: 1, max: 10, minExcluded: true, noNaN: true }),
          jitterFactor: fc.double({ min: 0, max: 1, noNaN: true }),
          resetBackoffThresholdMs: fc.integer({ min: 1, max: 10_000_000 }),
          maxAttempts: count(1),
        })
        .filter((c) => c.initialBackoffMs <= c.maxBackoffMs),
      fc.record({
        kind: fc.constant("failure-rate" as const),
        maxFailuresPerInterval: fc.integer({ min: 1, max: 100 }),
        failureRateIntervalMs: fc.integer({ min: 1, max: 10_000_000 }),
        delayMs: fc.nat(),
      }),
    );
    fc.assert(fc.property(config, (c) => assert.deepEqual(parseRestartStrategy(formatRestartStrategy(c)), { ...c })));
  });
});
