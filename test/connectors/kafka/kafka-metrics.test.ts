import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineJob } from "../../../src/api/define-job.ts";
import { kafkaSink } from "../../../src/connectors/kafka/kafka-sink.ts";
import { kafkaSource } from "../../../src/connectors/kafka/kafka-source.ts";
import { runJob } from "../../../src/runtime/run-job.ts";
import { createReader, poll } from "../../sources/reading.ts";
import { BROKERS, createTopic, produce, skipUnlessKafka } from "./broker.ts";

const skip = await skipUnlessKafka();

/** Sends `count` records to each partition named in `counts`, valued "p<partition>-<i>". */
function fill(topic: string, counts: readonly number[]): Promise<void> {
  return produce(topic, counts.flatMap((count, partition) => Array.from({ length: count }, (_, i) => ({ partition, value: `p${partition}-${i}` }))));
}

describe("Kafka connector metrics", { skip }, () => {
  it("a source reader's lag is each partition's end offset minus its position, summed and at most", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-metrics-lag", 2);
    await fill(topic, [5, 3]);
    // No periodic discovery: the test harness would keep its timer.
    const reader = createReader(kafkaSource({ bootstrapServers: BROKERS, topics: [topic], partitionDiscoveryIntervalMs: 0 }));
    try {
      const read: string[] = [];
      const deadline = Date.now() + 30_000;
      while (read.length < 2 && Date.now() < deadline) {
        const { status, records } = poll<string>(reader, 2 - read.length);
        read.push(...records);
        if (status === "nothing-available") await Promise.race([reader.isAvailable(), new Promise((resolve) => setTimeout(resolve, 100))]);
      }
      // The end offsets come with the fetches, which go on beside the task.
      while (reader.metrics?.()?.pendingRecords !== 6 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const fromP0 = read.filter((r) => r.startsWith("p0-")).length;
      assert.deepEqual(reader.metrics?.(), { numRecordsIn: 2, pendingRecords: 6, "records-lag-max": Math.max(5 - fromP0, 3 - (2 - fromP0)) });
    } finally {
      await reader.close?.();
    }
  });

  for (const guarantee of ["at-least-once", "exactly-once"] as const) {
    it(`a job's result counts the records its Kafka source read and its ${guarantee} sink wrote, with no lag left`, { timeout: 60_000 }, async () => {
      const input = await createTopic("weir-metrics-in", 2);
      const output = await createTopic("weir-metrics-out", 1);
      await fill(input, [4, 3]);
      const dir = mkdtempSync(join(tmpdir(), "weir-kafka-metrics-"));
      try {
        const job = defineJob((env) => {
          env.enableCheckpointing(200, { dir });
          env
            .fromSource(kafkaSource({ bootstrapServers: BROKERS, topics: [input], stoppingOffsets: "latest" }), "in")
            .sinkTo(kafkaSink<string>({ bootstrapServers: BROKERS, topic: output, deliveryGuarantee: guarantee, value: (v) => v }))
            .name("out");
        });
        const result = await runJob(job, { runtime: "single-thread", parallelism: 1 });
        const byName = new Map(result.operators.map((o) => [o.name, o.connector]));
        assert.deepEqual(byName.get("Source: in"), { numRecordsIn: 7, pendingRecords: 0, "records-lag-max": 0 });
        assert.deepEqual(byName.get("out"), { numRecordsOut: 7 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
