/**
 * The Kafka broker the connector tests use (`npm run services:up` starts one on 127.0.0.1:9092,
 * or KAFKA_PORT), and helpers to make topics and read them back as a consumer would.
 */
import { Admin, Consumer } from "@platformatic/kafka";
import { skipUnless } from "../services.ts";

export const KAFKA_PORT = Number(process.env.KAFKA_PORT ?? 9092);
export const BROKERS = [`127.0.0.1:${KAFKA_PORT}`];

/** For node:test's `skip`: false when the broker answers, else the one line saying how to start it. */
export function skipUnlessKafka(): Promise<string | false> {
  return skipUnless({ name: "Kafka", connection: { host: "127.0.0.1", port: KAFKA_PORT } });
}

/** A topic name no other test run uses, created with `partitions`. */
export async function createTopic(prefix: string, partitions = 1): Promise<string> {
  const topic = `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
  const admin = new Admin({ clientId: "weir-test", bootstrapBrokers: BROKERS });
  try {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
  return topic;
}

export interface ReadMessage {
  readonly partition: number;
  readonly key: string | undefined;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/**
 * Everything a consumer with `isolation` sees in `topic` from the earliest offsets, read until no
 * message came for `quietMs` (after at least `atLeast` messages, when given).
 */
export async function readTopic(topic: string, isolation: "READ_COMMITTED" | "READ_UNCOMMITTED" = "READ_COMMITTED", quietMs = 1500, atLeast = 0): Promise<ReadMessage[]> {
  const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({
    clientId: "weir-test",
    groupId: `weir-test-${process.pid}-${Math.random()}`,
    bootstrapBrokers: BROKERS,
    isolationLevel: isolation === "READ_COMMITTED" ? 1 : 0,
    maxWaitTime: 200,
  });
  const read: ReadMessage[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false });
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void stream.close(), read.length >= atLeast ? quietMs : 30_000);
    };
    arm();
    for await (const m of stream) {
      const headers: Record<string, string> = {};
      for (const [k, v] of m.headers) headers[k.toString()] = v.toString();
      read.push({ partition: m.partition, key: m.key === undefined || m.key === null || m.key.length === 0 ? undefined : m.key.toString(), value: m.value.toString(), headers });
      arm();
    }
    clearTimeout(timer);
  } finally {
    await consumer.close(true);
  }
  return read;
}
