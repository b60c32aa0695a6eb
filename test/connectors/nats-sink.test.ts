import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { natsSink } from "../../src/connectors/nats/nats-sink.ts";
import { readStream } from "../../src/connectors/nats/read-stream.ts";
import { deserializerFunction } from "../../src/connectors/nats/nats-codec.ts";
import { sinkOperator } from "../sinks/sink-context.ts";
import { NATS, skipUnless } from "./services.ts";
import { createStream, deleteStream, NATS_SERVER, uniqueStream } from "./nats-streams.ts";

type Count = [key: string, count: number];

const counts = (n: number, from = 0): Count[] => Array.from({ length: n }, (_, i) => [`k${(from + i) % 4}`, from + i]);

describe("natsSink", { skip: await skipUnless(NATS) }, () => {
  const stream = uniqueStream("weir_sink");
  let next = 0;
  /** A subject of its own for each test, in the shared stream. */
  const subject = () => `${stream}.t${next++}`;
  const published = (subject: string) => readStream({ servers: NATS_SERVER }, stream, subject, deserializerFunction<Count>("json", "test"));

  before(() => createStream(stream));
  after(() => deleteStream(stream));

  it("with a messageId, records are published as they come and a checkpoint waits until all are acknowledged", async () => {
    const to = subject();
    const sink = natsSink<Count>({ servers: NATS_SERVER, subject: to, messageId: ([k, c]) => `${to}:${k}:${c}`, maxInFlight: 8 });
    const writer = await sinkOperator(sink);
    const records = counts(300);
    for (const r of records) writer.processElement(r);
    await writer.snapshotState(1);
    assert.deepEqual(await published(to), records);
    await writer.close();
  });

  it("records replayed after a restore get their ids again and the stream keeps them once", async () => {
    const to = subject();
    const sink = natsSink<Count>({ servers: NATS_SERVER, subject: to, messageId: ([k, c]) => `${to}:${k}:${c}` });
    const first = await sinkOperator(sink);
    for (const r of counts(20)) first.processElement(r);
    await first.snapshotState(1);
    // The job fails after ten more records; the restore from checkpoint 1 replays them, then goes on.
    for (const r of counts(10, 20)) first.processElement(r);
    await first.endInput();
    await first.close();
    const restored = await sinkOperator(sink, { restoredCheckpointId: 1, restoredState: { runId: "x", pending: [] } });
    for (const r of counts(15, 20)) restored.processElement(r);
    await restored.endInput();
    await restored.close();
    assert.deepEqual(await published(to), counts(35));
    assert.equal(sink.metrics.duplicates, 10);
    // Each writer counts what the stream acknowledged; the sink's metrics sum them.
    assert.deepEqual(first.connectorMetrics(), { numRecordsOut: 30 });
    assert.deepEqual(restored.connectorMetrics(), { numRecordsOut: 15 });
    assert.equal(sink.metrics.recordsOut, 45);
  });

  it("without a messageId, a checkpoint's records appear when it completes, and a restore publishes its batches again under the same ids", async () => {
    const to = subject();
    const sink = natsSink<Count>({ servers: NATS_SERVER, subject: to });
    const writer = await sinkOperator(sink);
    for (const r of counts(5)) writer.processElement(r);
    await writer.snapshotState(1);
    assert.deepEqual(await published(to), [], "nothing is visible before the checkpoint completes");
    await writer.notifyCheckpointComplete(1);
    assert.deepEqual(await published(to), counts(5));
    for (const r of counts(5, 5)) writer.processElement(r);
    const state = await writer.snapshotState(2);
    // Checkpoint 2 completes, its batch is published, and the job fails before the next one.
    await writer.notifyCheckpointComplete(2);
    await writer.close();
    for (let attempt = 0; attempt < 2; attempt++) {
      const restored = await sinkOperator(sink, { restoredCheckpointId: 2, restoredState: structuredClone(state) });
      await restored.close();
    }
    assert.deepEqual(await published(to), counts(10));
    assert.equal(sink.metrics.duplicates, 10);
  });

  it("a record changed in place after it was written is published as it was when written", async () => {
    const to = subject();
    const sink = natsSink<{ n: number }>({ servers: NATS_SERVER, subject: to });
    const writer = await sinkOperator(sink);
    const record = { n: 1 };
    writer.processElement(record);
    record.n = 2;
    await writer.notifyCheckpointComplete(await writer.snapshotState(1).then(() => 1));
    assert.deepEqual(await published(to), [{ n: 1 }]);
    await writer.close();
  });

  it("refuses to start when the stream's duplicate window does not exceed checkpoint interval plus restart time", async () => {
    const short = uniqueStream("weir_short");
    await createStream(short, { duplicate_window: 2_000 * 1e6 });
    try {
      const sink = natsSink({ servers: NATS_SERVER, subject: `${short}.out`, checkpointIntervalMs: 1_000, restartTimeMs: 1_500 });
      await assert.rejects(sinkOperator(sink), (e: Error & { code?: string }) => {
        assert.equal(e.code, "WEIR_ERR_SINK_SERVER_CONFIG");
        assert.match(e.message, new RegExp(`stream ${short} cannot keep the sink exactly-once: its duplicate window \\(2000 ms\\) does not exceed the checkpoint interval \\(1000 ms\\) plus the restart time \\(1500 ms\\)`));
        return true;
      });
      // Without checkpoints there is no replay to guard against.
      await (await sinkOperator(sink, { checkpointing: false })).close();
    } finally {
      await deleteStream(short);
    }
  });

  it("refuses to start when no stream captures its subject", async () => {
    await assert.rejects(sinkOperator(natsSink({ servers: NATS_SERVER, subject: "weir.nobody.listens" })), (e: Error & { code?: string }) => {
      assert.equal(e.code, "WEIR_ERR_SINK_SERVER_CONFIG");
      assert.match(e.message, /no stream on NATS at 127\.0\.0\.1:\d+ captures subject weir\.nobody\.listens/);
      return true;
    });
  });
});
