import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CHECKPOINT_CONFIG_DEFAULTS, checkpointConfig, type CheckpointConfigOptions } from "../../../src/checkpoint/coordinator/config.ts";
import { taskId } from "../../../src/checkpoint/coordinator/task-id.ts";
import { WeirError } from "../../../src/core/errors.ts";

function rejects(options: unknown, mentioning: RegExp): void {
  assert.throws(
    () => checkpointConfig(options as CheckpointConfigOptions),
    (error: unknown) => error instanceof WeirError && error.code === "WEIR_ERR_INVALID_ARGUMENT" && mentioning.test(error.message),
  );
}

describe("checkpoint config", () => {
  it("fills in the defaults: 10 min timeout, no pause, one at a time, no failure tolerated, one retained", () => {
    assert.deepEqual(checkpointConfig({ intervalMs: 5_000 }), {
      intervalMs: 5_000,
      timeoutMs: 600_000,
      minPauseMs: 0,
      maxConcurrent: 1,
      tolerableFailures: 0,
      retained: 1,
    });
    assert.equal(CHECKPOINT_CONFIG_DEFAULTS.timeoutMs, 600_000);
  });

  it("keeps given values, and treats undefined as not given", () => {
    const options = { intervalMs: 1, timeoutMs: 2, minPauseMs: 3, maxConcurrent: 4, tolerableFailures: 5, retained: 6 };
    assert.deepEqual(checkpointConfig(options), options);
    assert.equal(checkpointConfig({ intervalMs: 1, timeoutMs: undefined }).timeoutMs, 600_000);
  });

  it("allows an unlimited failure tolerance", () => {
    assert.equal(checkpointConfig({ intervalMs: 1, tolerableFailures: Number.POSITIVE_INFINITY }).tolerableFailures, Number.POSITIVE_INFINITY);
  });

  it("is frozen", () => {
    assert.ok(Object.isFrozen(checkpointConfig({ intervalMs: 1 })));
  });

  it("names the option whose value is out of range, and the value", () => {
    const cases: [Partial<CheckpointConfigOptions>, RegExp][] = [
      [{ intervalMs: 0 }, /intervalMs must be a whole number of at least 1, got 0/],
      [{ intervalMs: 1.5 }, /intervalMs .* got 1\.5/],
      [{ timeoutMs: 0 }, /timeoutMs must be .* at least 1, got 0/],
      [{ minPauseMs: -1 }, /minPauseMs must be a whole number of at least 0, got -1/],
      [{ maxConcurrent: 0 }, /maxConcurrent .* got 0/],
      [{ tolerableFailures: -1 }, /tolerableFailures must be a whole number of at least 0, or Infinity, got -1/],
      [{ retained: 0 }, /retained .* got 0/],
      [{ timeoutMs: Number.NaN }, /timeoutMs .* got NaN/],
      [{ maxConcurrent: "2" as unknown as number }, /maxConcurrent .* got 2/],
    ];
    for (const [options, message] of cases) rejects({ intervalMs: 1_000, ...options }, message);
  });

  it("requires the interval", () => {
    rejects({}, /intervalMs is required/);
  });

  it("refuses unknown options, listing the known ones", () => {
    rejects({ intervalMs: 1, intervall: 5 }, /unknown option 'intervall' \(options: intervalMs, timeoutMs/);
  });

  it("refuses anything but an object", () => {
    rejects(null, /must be an object/);
  });
});

describe("task ids", () => {
  it("are written vertex:subtask", () => {
    assert.equal(taskId(3, 0), "3:0");
  });

  it("refuse negative or fractional parts", () => {
    for (const [v, s] of [[-1, 0], [0, 1.5], [Number.NaN, 0]] as const) {
      assert.throws(() => taskId(v, s), (error: unknown) => error instanceof WeirError && error.code === "WEIR_ERR_INVALID_ARGUMENT");
    }
  });
});
