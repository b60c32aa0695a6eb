/**
 * The Kafka broker the connector tests use (`npm run services:up` starts one on 127.0.0.1:9092,
 * or KAFKA_PORT), and helpers to make topics and read them back as a consumer would.
 */
import { Admin, Consumer, Producer } from "@platformatic/kafka";
import { skipUnless } from "../services.ts";

export const KAFKA_PORT = Number(process.env.KAFKA_PORT ?? 9092);
export const BROKERS = [`127.0.0.1:${KAFKA_PORT}`];

/** For node:test's `skip`: false when the broker answers, else the one line saying how to start it. */
export function skipUnlessKafka(): Promise<string | false> {
  return skipUnless({ name: "Kafka", connection: { host: "127.0.0.1", port: KAFKA_PORT } });
}

/**
 * A topic name no other test run uses, created with `partitions`, returned once every partition
 * has a leader: a broker that has just started may answer a produce to a partition without one
 * with an error for that partition only.
 */
export async function createTopic(prefix: string, partitions = 1): Promise<string> {
  const topic = `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
  const admin = new Admin({ clientId: "weir-test", bootstrapBrokers: BROKERS });
  try {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
    for (let attempt = 0; ; attempt++) {
      const found = (await admin.metadata({ topics: [topic], forceUpdate: true })).topics.get(topic);
      const led = found === undefined ? 0 : Object.values(found.partitions).filter((p) => p !== undefined && p.leader >= 0).length;
      if (led === partitions) break;
      if (attempt === 100) throw new Error(`topic ${topic}: ${led} of ${partitions} partitions have a leader after 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.close();
  }
  return topic;
}

export interface Message {
  readonly partition: number;
  readonly value: string | Buffer;
}

/**
 * Sends `messages` to `topic`, with an idempotent producer: a plain one resends a whole request
 * when some of its partitions failed, so the partitions that had succeeded get their records twice.
 * `transaction`: in one transaction, committed or aborted; a send that fails aborts it (and rejects).
 */
export async function produce(topic: string, messages: readonly Message[], transaction?: "commit" | "abort"): Promise<void> {
  const producer = new Producer({ clientId: "weir-test", bootstrapBrokers: BROKERS, idempotent: true, ...(transaction ? { transactionalId: `${topic}-${Math.random()}` } : {}) });
  try {
    const send = messages.map((m) => ({ topic, partition: m.partition, value: typeof m.value === "string" ? Buffer.from(m.value) : m.value }));
    if (transaction === undefined) {
      await producer.send({ messages: send });
      return;
    }
    const tx = await producer.beginTransaction();
    try {
      await tx.send({ messages: send });
    } catch (e) {
      await tx.abort();
      throw e;
    }
    await (transaction === "commit" ? tx.commit() : tx.abort());
  } finally {
    await producer.close();
  }
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

/**
 * Produces `values` (as JSON) into `topic`, value i into partition `partitionOf(i)`, only if the
 * topic is still empty: a topic seeded twice would hold its input twice, and a campaign's
 * reference check would then count above the input per key.
 */
export async function seedTopic(topic: string, values: readonly unknown[], partitionOf: (index: number) => number): Promise<void> {
  const consumer = new Consumer({ clientId: "weir-test", groupId: `weir-test-${process.pid}`, bootstrapBrokers: BROKERS });
  try {
    const ends = await consumer.listOffsets({ topics: [topic], timestamp: -1n });
    const held = (ends.get(topic) ?? []).reduce((sum, offset) => sum + offset, 0n);
    if (held > 0n) throw new Error(`topic ${topic} already holds ${held} records: it is seeded once`);
  } finally {
    await consumer.close(true);
  }
  const producer = new Producer({ clientId: "weir-test", bootstrapBrokers: BROKERS, idempotent: true });
  try {
    for (let from = 0; from < values.length; from += 1000) {
      const messages = values.slice(from, from + 1000).map((v, i) => ({ topic, partition: partitionOf(from + i), value: Buffer.from(JSON.stringify(v)) }));
      await producer.send({ messages });
    }
  } finally {
    await producer.close();
  }
}

/** Deletes every topic whose name starts with `prefix` (a campaign's input and its runs' outputs). */
export async function deleteTopics(prefix: string): Promise<void> {
  const admin = new Admin({ clientId: "weir-test", bootstrapBrokers: BROKERS });
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.close();
  }
}
