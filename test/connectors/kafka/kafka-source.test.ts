import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Admin } from "@platformatic/kafka";
import { systemClock } from "../../../src/core/clock.ts";
import { kafkaSource } from "../../../src/connectors/kafka/kafka-source.ts";
import type { SourceReader } from "../../../src/sources/index.ts";
import { createReader, readToEnd } from "../../sources/reading.ts";
import { BROKERS, createTopic, produce, skipUnlessKafka } from "./broker.ts";

const skip = await skipUnlessKafka();

/** Polls an unbounded reader until it has emitted `count` records (or fails after `timeoutMs`). */
async function readSome<T>(reader: SourceReader<T>, count: number, timeoutMs = 20_000): Promise<T[]> {
  await reader.open?.();
  const records: T[] = [];
  const output = { collect: (record: T) => records.push(record) };
  const deadline = Date.now() + timeoutMs;
  while (records.length < count) {
    if (Date.now() > deadline) throw new Error(`read ${records.length} of ${count} records: ${JSON.stringify(records)}`);
    if (reader.pollNext(output, 100) === "nothing-available") await Promise.race([reader.isAvailable(), new Promise((r) => setTimeout(r, 50))]);
  }
  return records;
}

describe("Kafka source", { skip }, () => {
  it("reads every partition of a topic once, up to the latest offsets in bounded mode", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-src", 3);
    await produce(topic, [0, 1, 2, 0, 1, 2, 0].map((partition, i) => ({ partition, value: `v${i}` })));
    const reader = createReader(kafkaSource({ bootstrapServers: BROKERS, topics: [topic], stoppingOffsets: "latest" }));
    const read = await readToEnd<string>(reader, 2);
    await reader.close?.();
    assert.deepEqual([...read].sort(), ["v0", "v1", "v2", "v3", "v4", "v5", "v6"]);
  });

  it("skips the records of aborted transactions when reading committed", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-src-txn", 1);
    await produce(topic, [{ partition: 0, value: "kept-1" }], "commit");
    await produce(topic, [{ partition: 0, value: "aborted" }], "abort");
    await produce(topic, [{ partition: 0, value: "kept-2" }], "commit");
    const reader = createReader(kafkaSource({ bootstrapServers: BROKERS, topics: [topic], stoppingOffsets: "latest" }));
    const read = await readToEnd<string>(reader, 10);
    await reader.close?.();
    assert.deepEqual(read, ["kept-1", "kept-2"]);
  });

  it("reads on past the abort marker of a transaction that wrote nothing to the partition", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-src-empty-abort", 1);
    await produce(topic, [{ partition: 0, value: "aborted" }], "abort");
    // The record is larger than the broker takes: the transaction has the partition but no
    // record in it, and its abort writes a marker that no aborted transaction in the log names.
    await assert.rejects(produce(topic, [{ partition: 0, value: Buffer.alloc(2 << 20) }], "abort"));
    await produce(topic, [{ partition: 0, value: "kept" }], "commit");
    const reader = createReader(kafkaSource({ bootstrapServers: BROKERS, topics: [topic], stoppingOffsets: "latest" }));
    const read = await readToEnd<string>(reader, 10);
    await reader.close?.();
    assert.deepEqual(read, ["kept"]);
  });

  it("starts at explicit offsets and parses JSON values", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-src-json", 1);
    await produce(topic, [1, 2, 3].map((n) => ({ partition: 0, value: JSON.stringify({ n }) })));
    const reader = createReader(kafkaSource<{ n: number }>({ bootstrapServers: BROKERS, topics: [topic], deserializer: "json", startingOffsets: { offsets: { [topic]: { 0: 1 } } }, stoppingOffsets: "latest" }));
    const read = await readToEnd<{ n: number }>(reader, 10);
    await reader.close?.();
    assert.deepEqual(read, [{ n: 2 }, { n: 3 }]);
  });

  it("reads every topic whose name matches topicPattern, and no other", { timeout: 60_000 }, async () => {
    const family = `weir-pattern-${process.pid}-${Date.now().toString(36)}`;
    const [a, b, other] = [await createTopic(`${family}-a`, 2), await createTopic(`${family}-b`, 1), await createTopic(`weir-unmatched-${process.pid}`, 1)];
    await produce(a, [{ partition: 0, value: "a0" }, { partition: 1, value: "a1" }]);
    await produce(b, [{ partition: 0, value: "b0" }]);
    await produce(other, [{ partition: 0, value: "other" }]);
    const pattern = new RegExp(`^${family}-[ab]-`);
    const reader = createReader(kafkaSource({ bootstrapServers: BROKERS, topicPattern: pattern, stoppingOffsets: "latest" }));
    const read = await readToEnd<string>(reader, 10);
    assert.deepEqual([...read].sort(), ["a0", "a1", "b0"]);
  });

  it("finds a partition added to its topic while it runs and reads it from the earliest offset", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-src-grow", 1);
    await produce(topic, [{ partition: 0, value: "before" }]);
    const reader = createReader(kafkaSource({ bootstrapServers: BROKERS, topics: [topic], partitionDiscoveryIntervalMs: 200 }), 0, 1, systemClock);
    try {
      assert.deepEqual(await readSome(reader, 1), ["before"]);
      const admin = new Admin({ clientId: "weir-test", bootstrapBrokers: BROKERS });
      try {
        await admin.createPartitions({ topics: [{ name: topic, count: 2 }] });
      } finally {
        await admin.close();
      }
      await produce(topic, [{ partition: 1, value: "added-1" }, { partition: 1, value: "added-2" }, { partition: 0, value: "after" }]);
      assert.deepEqual([...(await readSome(reader, 3))].sort(), ["added-1", "added-2", "after"]);
    } finally {
      await reader.close?.();
    }
  });

  it("refuses a source that names no topic", () => {
    assert.throws(() => kafkaSource({ bootstrapServers: BROKERS }), { code: "WEIR_ERR_INVALID_ARGUMENT", message: /topics.*topicPattern/ });
  });
});
