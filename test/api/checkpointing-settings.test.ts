/**
 * Checkpoint settings: what `env.enableCheckpointing(interval, options)` accepts and refuses,
 * its defaults, and how run options override the job's settings (`overrideCheckpointing`).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { checkpointingSettings, overrideCheckpointing, type CheckpointingOptions } from "../../src/api/checkpointing-settings.ts";
import { StreamExecutionEnvironment } from "../../src/api/environment.ts";
import { CHECKPOINT_CONFIG_DEFAULTS } from "../../src/checkpoint/coordinator/config.ts";
import { DEFAULT_CHECKPOINT_ROOT } from "../../src/checkpoint/storage/checkpoint-paths.ts";
import { defaultLocalRecoveryRoot } from "../../src/checkpoint/local/local-state-paths.ts";
import { defineJob, discardingSink, elementsSource, runJob, WeirError } from "../../src/index.ts";
import { tempDir } from "../runtime/checkpointing/checkpointing-helpers.ts";

function invalid(...parts: readonly (string | RegExp)[]) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof WeirError, String(error));
    assert.equal(error.code, "WEIR_ERR_INVALID_ARGUMENT", error.message);
    for (const part of parts) assert.match(error.message, typeof part === "string" ? new RegExp(part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : part);
    return true;
  };
}

/** Options as a user might pass them from untyped code. */
const loose = (options: Record<string, unknown>): CheckpointingOptions => options as CheckpointingOptions;

describe("enableCheckpointing", () => {
  it("is off until an interval is set", () => {
    assert.equal(new StreamExecutionEnvironment().getCheckpointing(), undefined);
  });

  it("fills in the defaults: exactly-once, delete on cancel, the default directory, the coordinator defaults", () => {
    const settings = new StreamExecutionEnvironment().enableCheckpointing(250).getCheckpointing()!;
    assert.deepEqual(settings, {
      config: { intervalMs: 250, ...CHECKPOINT_CONFIG_DEFAULTS },
      mode: "exactly-once",
      onCancel: "delete",
      dir: DEFAULT_CHECKPOINT_ROOT,
      unaligned: false,
      alignedCheckpointTimeoutMs: 0,
      memoryThreshold: 20480,
    });
  });

  it("keeps every option given", () => {
    const settings = new StreamExecutionEnvironment()
      .enableCheckpointing(1000, {
        mode: "at-least-once",
        timeoutMs: 5000,
        minPauseMs: 100,
        maxConcurrent: 2,
        tolerableFailures: Number.POSITIVE_INFINITY,
        retained: 3,
        onCancel: "retain",
        dir: "/tmp/somewhere",
      })
      .getCheckpointing()!;
    assert.deepEqual(settings, {
      config: { intervalMs: 1000, timeoutMs: 5000, minPauseMs: 100, maxConcurrent: 2, tolerableFailures: Number.POSITIVE_INFINITY, retained: 3 },
      mode: "at-least-once",
      onCancel: "retain",
      dir: "/tmp/somewhere",
      unaligned: false,
      alignedCheckpointTimeoutMs: 0,
      memoryThreshold: 20480,
    });
  });

  it("local recovery is off by default; on, its copies go under the temp dir unless a directory is given", () => {
    assert.equal(checkpointingSettings(100).localRecoveryDir, undefined);
    assert.equal(checkpointingSettings(100, { localRecovery: true }).localRecoveryDir, defaultLocalRecoveryRoot());
    assert.equal(checkpointingSettings(100, { localRecovery: true, localRecoveryDir: "/mnt/ssd" }).localRecoveryDir, "/mnt/ssd");
    assert.equal(checkpointingSettings(100, { localRecoveryDir: "/mnt/ssd" }).localRecoveryDir, undefined, "a directory alone does not turn it on");
  });

  it("run options turn local recovery on over a job's settings, and keep it on when they change something else", () => {
    const on = overrideCheckpointing(checkpointingSettings(100), { localRecovery: true, localRecoveryDir: "/mnt/ssd" })!;
    assert.equal(on.localRecoveryDir, "/mnt/ssd");
    assert.equal(overrideCheckpointing(on, { retained: 2 })!.localRecoveryDir, "/mnt/ssd");
  });

  it("unaligned checkpoints are set with the options or with Flink's CheckpointConfig, which wins", () => {
    const byOptions = new StreamExecutionEnvironment().enableCheckpointing(100, { unaligned: true, alignedCheckpointTimeoutMs: 30 }).getCheckpointing()!;
    assert.equal(byOptions.unaligned, true);
    assert.equal(byOptions.alignedCheckpointTimeoutMs, 30);
    const env = new StreamExecutionEnvironment();
    const config = env.getCheckpointConfig().enableUnalignedCheckpoints().setAlignedCheckpointTimeout(200);
    env.enableCheckpointing(100, { alignedCheckpointTimeoutMs: 30 });
    assert.equal(config.isUnalignedCheckpointsEnabled(), true);
    assert.equal(config.getAlignedCheckpointTimeout(), 200);
    assert.equal(env.getCheckpointing()!.unaligned, true);
    assert.equal(env.getCheckpointing()!.alignedCheckpointTimeoutMs, 200);
    env.getCheckpointConfig().enableUnalignedCheckpoints(false);
    assert.equal(env.getCheckpointing()!.unaligned, false);
  });

  it("refuses unaligned checkpoints in at-least-once mode and a negative alignment timeout", () => {
    assert.throws(() => new StreamExecutionEnvironment().enableCheckpointing(100, { mode: "at-least-once", unaligned: true }), invalid("unaligned checkpoints need the exactly-once checkpoint mode"));
    assert.throws(() => new StreamExecutionEnvironment().enableCheckpointing(100, { unaligned: true, alignedCheckpointTimeoutMs: -1 }), invalid("aligned checkpoint timeout must be zero or more milliseconds, got -1"));
    assert.throws(() => new StreamExecutionEnvironment().getCheckpointConfig().setAlignedCheckpointTimeout(Number.NaN), invalid("aligned checkpoint timeout"));
  });

  it("refuses an interval that is not a whole number of milliseconds of at least 1", () => {
    for (const interval of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new StreamExecutionEnvironment().enableCheckpointing(interval), invalid("intervalMs must be a whole number of at least 1", String(interval)));
    }
  });

  it("refuses options out of range, naming the option and the value", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ timeoutMs: 0 }, "timeoutMs must be a whole number of at least 1, got 0"],
      [{ minPauseMs: -1 }, "minPauseMs must be a whole number of at least 0, got -1"],
      [{ maxConcurrent: 0 }, "maxConcurrent must be a whole number of at least 1, got 0"],
      [{ tolerableFailures: -1 }, "tolerableFailures must be a whole number of at least 0, or Infinity, got -1"],
      [{ tolerableFailures: 0.5 }, "tolerableFailures must be a whole number of at least 0, or Infinity, got 0.5"],
      [{ retained: 0 }, "retained must be a whole number of at least 1, got 0"],
      [{ mode: "exactly-twice" }, `checkpoint mode must be "exactly-once" or "at-least-once", got 'exactly-twice'`],
      [{ onCancel: "keep" }, `checkpoint retention on cancel must be "delete" or "retain", got 'keep'`],
      [{ dir: "" }, "checkpoint dir must be a non-empty path"],
      [{ dir: 7 }, "checkpoint dir must be a non-empty path"],
      [{ intervall: 10 }, "unknown option 'intervall'"],
    ];
    for (const [options, message] of cases) {
      assert.throws(() => new StreamExecutionEnvironment().enableCheckpointing(100, loose(options)), invalid(message), JSON.stringify(options));
    }
  });

  it("options set to undefined take their defaults", () => {
    const settings = checkpointingSettings(100, { mode: undefined, timeoutMs: undefined, dir: undefined });
    assert.deepEqual(settings, checkpointingSettings(100));
  });
});

describe("overrideCheckpointing", () => {
  const base = checkpointingSettings(1000, { mode: "at-least-once", retained: 3, onCancel: "retain", dir: "/base", tolerableFailures: 2, timeoutMs: 9000 });

  it("without overrides, or with only undefined ones, the job's settings stand (also when there are none)", () => {
    assert.equal(overrideCheckpointing(base, undefined), base);
    assert.equal(overrideCheckpointing(base, {}), base);
    assert.equal(overrideCheckpointing(base, { intervalMs: undefined, dir: undefined }), base);
    assert.equal(overrideCheckpointing(undefined, undefined), undefined);
    assert.equal(overrideCheckpointing(undefined, { mode: undefined }), undefined);
  });

  it("an interval alone enables checkpointing for a job that has none, with the defaults", () => {
    assert.deepEqual(overrideCheckpointing(undefined, { intervalMs: 40 }), checkpointingSettings(40));
  });

  it("options without an interval for a job without checkpointing are refused", () => {
    assert.throws(() => overrideCheckpointing(undefined, { dir: "/elsewhere" }), invalid("checkpointing is not enabled: set a checkpoint interval too"));
  });

  it("each option given replaces the job's; the others, the interval included, are kept", () => {
    assert.deepEqual(overrideCheckpointing(base, { dir: "/elsewhere", retained: 1 }), {
      ...base,
      config: { ...base.config, retained: 1 },
      dir: "/elsewhere",
    });
    assert.deepEqual(overrideCheckpointing(base, { intervalMs: 50, mode: "exactly-once" }), {
      ...base,
      config: { ...base.config, intervalMs: 50 },
      mode: "exactly-once",
    });
    assert.deepEqual(overrideCheckpointing(base, { onCancel: undefined, tolerableFailures: 0 }), {
      ...base,
      config: { ...base.config, tolerableFailures: 0 },
    });
  });

  it("overrides are validated like the job's own options", () => {
    assert.throws(() => overrideCheckpointing(base, { intervalMs: 0 }), invalid("intervalMs must be a whole number of at least 1"));
    assert.throws(() => overrideCheckpointing(base, loose({ mode: "sometimes" })), invalid("checkpoint mode"));
    assert.throws(() => overrideCheckpointing(undefined, { intervalMs: 10, maxConcurrent: -1 }), invalid("maxConcurrent"));
  });

  it("runJob applies the run options over the job's settings", async () => {
    const dir = tempDir("ck-settings");
    const withCheckpoints = defineJob((env) => {
      env.enableCheckpointing(60_000, { dir: `${dir}/from-job` });
      env.fromSource(elementsSource([1, 2, 3]), "numbers").uid("numbers").sinkTo(discardingSink());
    });
    const without = defineJob((env) => {
      env.fromSource(elementsSource([1, 2, 3]), "numbers").uid("numbers").sinkTo(discardingSink());
    });
    const plain = await runJob(without, { runtime: "single-thread" });
    assert.equal(plain.info.checkpoints, undefined, "no checkpoints unless asked for");
    const enabled = await runJob(without, { runtime: "single-thread", checkpointing: { intervalMs: 60_000, dir: `${dir}/from-run` } });
    assert.equal(enabled.info.checkpoints?.counts.completed, 1, "an interval in the run options enables checkpointing");
    const overridden = await runJob(withCheckpoints, { runtime: "single-thread", checkpointing: { dir: `${dir}/overridden` } });
    assert.deepEqual(readdirSync(`${dir}/overridden`), [overridden.info.jobId], "the run's directory replaces the job's");
    assert.equal(existsSync(`${dir}/from-job`), false);
    await assert.rejects(runJob(without, { runtime: "single-thread", checkpointing: { dir: `${dir}/x` } }), invalid("set a checkpoint interval too"));
  });
});
