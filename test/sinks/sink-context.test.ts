import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineJob, runJob, type Sink, type SinkContext } from "../../src/index.ts";

/** A sink that keeps the contexts its writers were created with. */
function contextRecorder(seen: SinkContext[]): Sink<number> {
  return {
    createWriter(context) {
      seen.push(context);
      return { write: () => {} };
    },
  };
}

describe("the sink context", () => {
  it("carries the job's checkpoint interval, so that sinks check their timeouts against it, and none without checkpoints", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-sink-context-"));
    try {
      for (const checkpointing of [{ intervalMs: 250, dir }, undefined]) {
        const seen: SinkContext[] = [];
        const job = defineJob((env) => {
          env.fromElements(1, 2, 3).sinkTo(contextRecorder(seen)).uid("recorder");
        });
        await runJob(job, { runtime: "single-thread", parallelism: 2, ...(checkpointing === undefined ? {} : { checkpointing }) });
        assert.deepEqual(
          seen.map((c) => [c.checkpointing, c.checkpointIntervalMs]),
          checkpointing === undefined ? [[false, undefined], [false, undefined]] : [[true, 250], [true, 250]],
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
