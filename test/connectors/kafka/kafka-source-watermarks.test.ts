import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defineJob } from "../../../src/api/define-job.ts";
import { WatermarkStrategy } from "../../../src/api/watermark-strategy.ts";
import { kafkaSource } from "../../../src/connectors/kafka/kafka-source.ts";
import { runJob } from "../../../src/runtime/run-job.ts";
import { TumblingEventTimeWindows } from "../../../src/windowing/tumbling-windows.ts";
import { BROKERS, createTopic, produce, skipUnlessKafka } from "./broker.ts";

const skip = await skipUnlessKafka();

interface Click {
  page: string;
  at: number;
}

/** Sends `clicks` to one partition of `topic`, each as JSON. */
function send(topic: string, partition: number, clicks: Click[]): Promise<void> {
  return produce(topic, clicks.map((c) => ({ partition, value: JSON.stringify(c) })));
}

/**
 * Runs keyed one-second event-time windows (latest click per page and window) over `topic`, whose
 * partition 0 stays busy: a click every 100 ms, each 100 ms of event time after the one before,
 * until a window fires or `ms` pass. `quiet`: partition 1 gets one click first and then nothing.
 * Returns the windows that fired.
 */
async function firstWindows(topic: string, idleTimeoutMs: number | undefined, quiet: Click | undefined, ms: number): Promise<string[]> {
  const fired: string[] = [];
  const controller = new AbortController();
  const job = defineJob((env) => {
    env.getConfig().setAutoWatermarkInterval(50);
    const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Click>(0).withTimestampAssigner((c) => c.at);
    env
      .fromSource(kafkaSource<Click>({ bootstrapServers: BROKERS, topics: [topic], deserializer: "json" }), idleTimeoutMs === undefined ? strategy : strategy.withIdleness(idleTimeoutMs), "clicks")
      .keyBy((c) => c.page)
      .window(TumblingEventTimeWindows.of(1_000))
      .reduce((a, b) => ({ page: a.page, at: Math.max(a.at, b.at) }))
      .sinkTo({ readsRecordsOnly: true, createWriter: () => ({ write: (c: Click) => void fired.push(`${c.page}@${c.at}`) }) });
  });
  const run = runJob(job, { runtime: "single-thread", parallelism: 1, signal: controller.signal });
  run.catch(() => undefined);
  try {
    if (quiet !== undefined) await send(topic, 1, [quiet]);
    const deadline = Date.now() + ms;
    for (let at = 100; fired.length === 0 && Date.now() < deadline; at += 100) {
      await send(topic, 0, [{ page: "home", at }]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    controller.abort();
    await run.catch(() => undefined);
  }
  return fired;
}

describe("Kafka source watermarks in a job", { skip }, () => {
  it("fires an event-time window though one partition never receives a record", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-src-empty", 2);
    const fired = await firstWindows(topic, 500, undefined, 20_000);
    assert.deepEqual(fired, ["home@900"]);
  });

  it("fires an event-time window once a partition that went quiet is idle", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-src-quiet", 2);
    const fired = await firstWindows(topic, 500, { page: "about", at: 50 }, 20_000);
    assert.deepEqual(fired.sort(), ["about@50", "home@900"]);
  });

  it("holds the window back while the quiet partition is not declared idle", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-src-held", 2);
    const fired = await firstWindows(topic, undefined, { page: "about", at: 50 }, 3_000);
    assert.deepEqual(fired, []);
  });
});
