import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createRestartStrategy } from "../../src/recovery/create-restart-strategy.ts";
import { ExponentialDelayRestartStrategy } from "../../src/recovery/exponential-delay.ts";
import { FailureRateRestartStrategy } from "../../src/recovery/failure-rate.ts";
import { FixedDelayRestartStrategy } from "../../src/recovery/fixed-delay.ts";
import { NoRestartStrategy } from "../../src/recovery/no-restart.ts";
import { RESTART_STRATEGY_DEFAULTS, resolveRestartStrategyConfig, type RestartStrategyConfig } from "../../src/recovery/restart-config.ts";
import { WeirError } from "../../src/core/errors.ts";

const random = (): number => 0.5;
const failure = { cause: new Error("boom") };

function rejects(config: unknown, mentioning: RegExp): void {
  assert.throws(
    () => resolveRestartStrategyConfig(config as RestartStrategyConfig),
    (error: unknown) => error instanceof WeirError && error.code === "WEIR_ERR_INVALID_ARGUMENT" && mentioning.test(error.message),
  );
}

describe("restart strategy configuration", () => {
  it("fills in Flink's defaults", () => {
    assert.deepEqual(resolveRestartStrategyConfig({ kind: "fixed-delay" }), { kind: "fixed-delay", attempts: 1, delayMs: 1_000 });
    assert.deepEqual(resolveRestartStrategyConfig({ kind: "exponential-delay" }), {
      kind: "exponential-delay",
      initialBackoffMs: 1_000,
      maxBackoffMs: 60_000,
      backoffMultiplier: 1.5,
      jitterFactor: 0.1,
      resetBackoffThresholdMs: 3_600_000,
      maxAttempts: Number.POSITIVE_INFINITY,
    });
    assert.deepEqual(resolveRestartStrategyConfig({ kind: "failure-rate" }), {
      kind: "failure-rate",
      maxFailuresPerInterval: 1,
      failureRateIntervalMs: 60_000,
      delayMs: 1_000,
    });
    assert.deepEqual(resolveRestartStrategyConfig({ kind: "none" }), { kind: "none" });
    assert.deepEqual(Object.keys(RESTART_STRATEGY_DEFAULTS), ["none", "fixed-delay", "exponential-delay", "failure-rate"]);
  });

  it("keeps given values and treats undefined as not given", () => {
    assert.deepEqual(resolveRestartStrategyConfig({ kind: "fixed-delay", attempts: 7, delayMs: undefined }), { kind: "fixed-delay", attempts: 7, delayMs: 1_000 });
  });

  it("names the option whose value is out of range, and the value", () => {
    const cases: [RestartStrategyConfig, RegExp][] = [
      [{ kind: "fixed-delay", attempts: -1 }, /invalid fixed-delay restart strategy: attempts must be a whole number of at least 0, or unlimited, got -1/],
      [{ kind: "fixed-delay", delayMs: 0.5 }, /delayMs must be a whole number of milliseconds, at least 0, got 0\.5/],
      [{ kind: "exponential-delay", initialBackoffMs: 0 }, /initialBackoffMs must be .* at least 1, got 0/],
      [{ kind: "exponential-delay", backoffMultiplier: 1 }, /backoffMultiplier must be a number greater than 1, got 1/],
      [{ kind: "exponential-delay", backoffMultiplier: Number.POSITIVE_INFINITY }, /backoffMultiplier .* got Infinity/],
      [{ kind: "exponential-delay", jitterFactor: 1.1 }, /jitterFactor must be a number from 0 to 1, got 1\.1/],
      [{ kind: "exponential-delay", jitterFactor: Number.NaN }, /jitterFactor .* got NaN/],
      [{ kind: "exponential-delay", resetBackoffThresholdMs: 0 }, /resetBackoffThresholdMs .* got 0/],
      [{ kind: "exponential-delay", maxAttempts: 0 }, /maxAttempts must be a whole number of at least 1, or unlimited, got 0/],
      [{ kind: "failure-rate", maxFailuresPerInterval: 0 }, /maxFailuresPerInterval .* got 0/],
      [{ kind: "failure-rate", failureRateIntervalMs: 0 }, /failureRateIntervalMs .* got 0/],
      [{ kind: "failure-rate", delayMs: -5 }, /delayMs .* got -5/],
      [{ kind: "failure-rate", delayMs: "1s" as unknown as number }, /delayMs .* got 1s/],
    ];
    for (const [config, message] of cases) rejects(config, message);
  });

  it("refuses an initial backoff above the maximum", () => {
    rejects({ kind: "exponential-delay", initialBackoffMs: 5_000, maxBackoffMs: 1_000 }, /initialBackoffMs \(5000 ms\) must not exceed maxBackoffMs \(1000 ms\)/);
  });

  it("refuses an unknown strategy or option, listing the known ones", () => {
    rejects({ kind: "sometimes" }, /unknown strategy "sometimes" \(strategies: none, fixed-delay, exponential-delay, failure-rate\)/);
    rejects(null, /unknown strategy/);
    rejects({ kind: "fixed-delay", delay: 5 }, /fixed-delay has no option 'delay' \(options: attempts, delayMs\)/);
    rejects({ kind: "none", attempts: 1 }, /none has no option 'attempts' \(it takes none\)/);
  });

  it("is frozen", () => {
    assert.ok(Object.isFrozen(resolveRestartStrategyConfig({ kind: "none" })));
  });
});

describe("createRestartStrategy", () => {
  it("builds the strategy each kind names", () => {
    assert.ok(createRestartStrategy({ kind: "none" }, { random }) instanceof NoRestartStrategy);
    assert.ok(createRestartStrategy({ kind: "fixed-delay" }, { random }) instanceof FixedDelayRestartStrategy);
    assert.ok(createRestartStrategy({ kind: "exponential-delay" }, { random }) instanceof ExponentialDelayRestartStrategy);
    assert.ok(createRestartStrategy({ kind: "failure-rate" }, { random }) instanceof FailureRateRestartStrategy);
  });

  it("passes the options and the random source on", () => {
    const fixed = createRestartStrategy({ kind: "fixed-delay", attempts: 1, delayMs: 42 }, { random });
    assert.deepEqual(fixed.onFailure(0, failure), { kind: "restart", delayMs: 42, attempt: 1 });
    assert.equal(fixed.onFailure(1, failure).kind, "fail");
    const exponential = createRestartStrategy({ kind: "exponential-delay", initialBackoffMs: 100, jitterFactor: 0.5 }, { random: () => 0 });
    assert.deepEqual(exponential.onFailure(0, failure), { kind: "restart", delayMs: 50, attempt: 1 });
    const rate = createRestartStrategy({ kind: "failure-rate", maxFailuresPerInterval: 1, failureRateIntervalMs: 10, delayMs: 3 }, { random });
    assert.deepEqual(rate.onFailure(0, failure), { kind: "restart", delayMs: 3, attempt: 1 });
  });

  it("a job under 'none' fails at its first failure", () => {
    assert.deepEqual(createRestartStrategy({ kind: "none" }, { random }).onFailure(0, failure), {
      kind: "fail",
      reason: "restarts are disabled (restart strategy 'none')",
    });
  });

  it("validates the configuration", () => {
    assert.throws(() => createRestartStrategy({ kind: "fixed-delay", attempts: -1 }, { random }), WeirError);
  });
});
