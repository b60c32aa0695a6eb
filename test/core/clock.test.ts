import { describe, it } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { defineJob, discardingSink, generatorSource, KeyedProcessFunction, runJob, type KeyedContext } from "../../src/index.ts";
import { MAX_TIMER_DELAY_MS, timerDelay } from "../../src/core/clock.ts";

describe("timerDelay", () => {
  it("is the time left until the deadline, never below 0 nor above what setTimeout takes", () => {
    assert.equal(timerDelay(1_500, 1_000), 500);
    assert.equal(timerDelay(900, 1_000), 0);
    assert.equal(timerDelay(1_000 + 30 * 24 * 3_600_000, 1_000), MAX_TIMER_DELAY_MS);
  });

  it("keeps a job with a processing-time timer and a checkpoint a month ahead from making Node warn of an overflowing timeout", async () => {
    class RemindNextMonth extends KeyedProcessFunction<number, number, number> {
      processElement(_value: number, ctx: KeyedContext<number>): void {
        ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 30 * 24 * 3_600_000);
      }
    }
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const job = defineJob((env) => {
        env
          .fromSource(generatorSource({ count: 20, eventsPerSecond: 100, generate: (i) => i }), "numbers")
          .keyBy((n) => n % 2)
          .process(new RemindNextMonth())
          .sinkTo(discardingSink());
      });
      const dir = mkdtempSync(join(tmpdir(), "weir-clock-"));
      try {
        await runJob(job, { runtime: "single-thread", checkpointing: { intervalMs: 30 * 24 * 3_600_000, dir } });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      process.off("warning", onWarning);
    }
    assert.deepEqual(warnings.filter((w) => w === "TimeoutOverflowWarning"), []);
  });
});
