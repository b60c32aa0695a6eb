import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { collectSink, discardingSink } from "../../src/sinks/collect.ts";
import { CollectedRecords, JobResult } from "../../src/runtime/job-result.ts";
import type { SinkContext } from "../../src/sinks/sink.ts";
import { sinkContext } from "./sink-context.ts";

function recordingContext(): { context: SinkContext; sent: [string, unknown[]][] } {
  const sent: [string, unknown[]][] = [];
  const context = sinkContext({ operatorId: "results", client: { send: (id, records) => void sent.push([id, [...records]]) } });
  return { context, sent };
}

describe("collect sink", () => {
  it("hands records back in batches under the sink's operator id, the rest when closed, in order", async () => {
    const { context, sent } = recordingContext();
    const writer = await collectSink<number>().createWriter(context);
    const records = Array.from({ length: 2500 }, (_, i) => i);
    for (const r of records) writer.write(r);
    assert.deepEqual(sent.map(([id, batch]) => [id, batch.length]), [
      ["results", 1024],
      ["results", 1024],
    ]);
    await writer.flush?.();
    await writer.close?.();
    assert.deepEqual(sent.flatMap(([, batch]) => batch), records);
    assert.ok(sent.every(([id]) => id === "results"));
  });

  it("reports once when closed even if it received nothing, so an empty sink is still known", async () => {
    const { context, sent } = recordingContext();
    const writer = await collectSink<number>().createWriter(context);
    await writer.flush?.();
    await writer.close?.();
    assert.deepEqual(sent, [["results", []]]);
    const collected = new CollectedRecords();
    for (const [id, batch] of sent) collected.add(id, batch);
    assert.deepEqual(new JobResult(0, [], collected.bySink, { jobId: "test", restarts: 0, checkpoints: undefined }).collected("results"), []);
  });

  it("the job result refuses an unknown sink id, listing the known ones", () => {
    const collected = new CollectedRecords();
    collected.add("a", [1]);
    collected.add("b", [2]);
    collected.add("a", [3]);
    const result = new JobResult(0, [], collected.bySink, { jobId: "test", restarts: 0, checkpoints: undefined });
    assert.deepEqual(result.collected("a"), [1, 3]);
    assert.throws(() => result.collected("c"), { code: "WEIR_ERR_INVALID_ARGUMENT", message: /no collecting sink 'c'.*'a', 'b'/ });
  });

  it("a discarding sink accepts records and sends nothing", async () => {
    const { context, sent } = recordingContext();
    const writer = await discardingSink<number>().createWriter(context);
    writer.write(1);
    await writer.close?.();
    assert.deepEqual(sent, []);
  });
});
