import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Producer } from "@platformatic/kafka";
import { kafkaSource } from "../../../src/connectors/kafka/kafka-source.ts";
import { createReader, readToEnd } from "../../sources/reading.ts";
import { BROKERS, createTopic, skipUnlessKafka } from "./broker.ts";

const skip = await skipUnlessKafka();

async function produce(topic: string, messages: { partition: number; value: string }[], transaction?: "commit" | "abort"): Promise<void> {
  const producer = new Producer({ clientId: "weir-test", bootstrapBrokers: BROKERS, ...(transaction ? { idempotent: true, transactionalId: `${topic}-${Math.random()}` } : {}) });
  try {
    const send = messages.map((m) => ({ topic, partition: m.partition, value: Buffer.from(m.value) }));
    if (transaction === undefined) {
      await producer.send({ messages: send });
      return;
    }
    const tx = await producer.beginTransaction();
    await tx.send({ messages: send });
    await (transaction === "commit" ? tx.commit() : tx.abort());
  } finally {
    await producer.close();
  }
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

  it("starts at explicit offsets and parses JSON values", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-src-json", 1);
    await produce(topic, [1, 2, 3].map((n) => ({ partition: 0, value: JSON.stringify({ n }) })));
    const reader = createReader(kafkaSource<{ n: number }>({ bootstrapServers: BROKERS, topics: [topic], deserializer: "json", startingOffsets: { offsets: { [topic]: { 0: 1 } } }, stoppingOffsets: "latest" }));
    const read = await readToEnd<{ n: number }>(reader, 10);
    await reader.close?.();
    assert.deepEqual(read, [{ n: 2 }, { n: 3 }]);
  });

  it("refuses a source that names no topic", () => {
    assert.throws(() => kafkaSource({ bootstrapServers: BROKERS }), { code: "WEIR_ERR_INVALID_ARGUMENT", message: /topics.*topicPattern/ });
  });
});
