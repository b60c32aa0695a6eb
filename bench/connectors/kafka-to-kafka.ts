/**
 * Kafka → Kafka throughput: Weir reading a topic (bounded at its latest offsets) and writing every
 * record to another topic, with the sink at-least-once (idempotent producer, flushed on each
 * checkpoint) and exactly-once (a transaction per checkpoint), against the raw client's
 * consume-and-produce loop on the same broker and the same records (a consumer stream, an
 * idempotent producer sending batches of the same size, one request in flight). Records are
 * parsed and written again as JSON on every side. The three alternate, the raw loop first in each
 * repetition, each into an output topic of its own; one untimed repetition warms the broker, the
 * client and the job's code. Weir's checkpoints come every second.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Admin, Consumer, Producer } from "@platformatic/kafka";
import { defineJob } from "../../src/api/define-job.ts";
import { runJob } from "../../src/runtime/run-job.ts";
import { kafkaSink } from "../../src/connectors/kafka/kafka-sink.ts";
import { kafkaSource } from "../../src/connectors/kafka/kafka-source.ts";
import { summarize, type Summary } from "../stats.ts";

export interface KafkaBenchSettings {
  readonly records: number;
  readonly reps: number;
  readonly partitions: number;
  /** Records per produce request, for the raw loop and the sink alike. */
  readonly batchSize: number;
  readonly broker: string;
}

/** One side's figures over the repetitions. */
export interface Figures {
  /** Records per second of wall time. */
  readonly rate: Summary;
  /** Records per second of this process's CPU time (user and system; the broker's is not counted). */
  readonly cpuRate: Summary;
  /** Each repetition's rate over the raw loop's rate just before it, by wall and by CPU time. */
  readonly ratio: Summary;
  readonly cpuRatio: Summary;
}

export interface KafkaBenchResult {
  readonly rawLoop: Figures;
  readonly atLeastOnce: Figures;
  readonly exactlyOnce: Figures;
  readonly runs: { readonly rawLoop: readonly Rates[]; readonly atLeastOnce: readonly Rates[]; readonly exactlyOnce: readonly Rates[] };
}

interface Bid {
  readonly id: number;
  readonly bidder: number;
  readonly price: number;
}

const bidOf = (i: number): Bid => ({ id: i, bidder: i % 1000, price: (i * 7919) % 100_000 });

/** A run's rates: records per second of wall time and per second of this process's CPU time. */
export interface Rates {
  readonly wall: number;
  readonly cpu: number;
}

/** Times `run` (which moves `records` records) by the wall clock and by this process's CPU time. */
async function rates(records: number, run: () => Promise<void>): Promise<Rates> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const wallSeconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { wall: records / wallSeconds, cpu: records / ((used.user + used.system) / 1e6) };
}

async function timeRawLoop(s: KafkaBenchSettings, input: string, output: string): Promise<Rates> {
  const clientOptions = { clientId: "weir-bench-raw", bootstrapBrokers: [s.broker] };
  // The consumer buffers as many records as Weir's reader does by default (maxBufferedRecords).
  const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({ ...clientOptions, groupId: `weir-bench-raw-${output}`, maxWaitTime: 100, isolationLevel: 1, highWaterMark: 10_000 });
  const producer = new Producer<Buffer, Buffer, Buffer, Buffer>({ ...clientOptions, idempotent: true });
  try {
    return await rates(s.records, async () => {
      const stream = await consumer.consume({ topics: [input], mode: "earliest", autocommit: false });
      let batch: { topic: string; value: Buffer }[] = [];
      let read = 0;
      // One request in flight while the next batch gathers, as the idempotent producer allows.
      let sending: Promise<unknown> = Promise.resolve();
      for await (const message of stream) {
        const bid = JSON.parse(message.value.toString("utf8")) as Bid;
        batch.push({ topic: output, value: Buffer.from(JSON.stringify(bid)) });
        read++;
        if (batch.length === s.batchSize || read === s.records) {
          await sending;
          sending = producer.send({ messages: batch });
          batch = [];
        }
        if (read === s.records) break;
      }
      await sending;
      await stream.close();
    });
  } finally {
    await consumer.close(true);
    await producer.close();
  }
}

async function timeWeir(s: KafkaBenchSettings, input: string, output: string, guarantee: "at-least-once" | "exactly-once"): Promise<Rates> {
  const dir = mkdtempSync(join(tmpdir(), "weir-bench-kafka-"));
  try {
    const job = defineJob((env) => {
      env.enableCheckpointing(1_000, { dir });
      env
        .fromSource(kafkaSource<Bid>({ bootstrapServers: s.broker, topics: [input], stoppingOffsets: "latest", deserializer: "json" }), "bids")
        .sinkTo(kafkaSink<Bid>({ bootstrapServers: s.broker, topic: output, deliveryGuarantee: guarantee, batchSize: s.batchSize, transactionalIdPrefix: `weir-bench-${output}` }));
    });
    return await rates(s.records, async () => void (await runJob(job, { runtime: "single-thread", parallelism: 1 })));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fillInput(s: KafkaBenchSettings, topic: string): Promise<void> {
  const producer = new Producer<Buffer, Buffer, Buffer, Buffer>({ clientId: "weir-bench-fill", bootstrapBrokers: [s.broker], idempotent: true });
  try {
    for (let i = 0; i < s.records; i += s.batchSize) {
      const messages = [];
      for (let j = i; j < Math.min(s.records, i + s.batchSize); j++) messages.push({ topic, partition: j % s.partitions, value: Buffer.from(JSON.stringify(bidOf(j))) });
      await producer.send({ messages });
    }
  } finally {
    await producer.close();
  }
}

export async function measureKafkaToKafka(s: KafkaBenchSettings): Promise<KafkaBenchResult> {
  const prefix = `weir-bench-${process.pid}-${Date.now().toString(36)}`;
  const input = `${prefix}-in`;
  const topics: string[] = [];
  const runs = { rawLoop: [] as Rates[], atLeastOnce: [] as Rates[], exactlyOnce: [] as Rates[] };
  const admin = new Admin({ clientId: "weir-bench", bootstrapBrokers: [s.broker] });
  const topic = async (name: string): Promise<string> => {
    await admin.createTopics({ topics: [name], partitions: s.partitions, replicas: 1 });
    topics.push(name);
    return name;
  };
  try {
    await topic(input);
    await fillInput(s, input);
    for (let rep = -1; rep < s.reps; rep++) {
      const raw = await timeRawLoop(s, input, await topic(`${prefix}-raw${rep + 1}`));
      const atLeastOnce = await timeWeir(s, input, await topic(`${prefix}-alo${rep + 1}`), "at-least-once");
      const exactlyOnce = await timeWeir(s, input, await topic(`${prefix}-eo${rep + 1}`), "exactly-once");
      if (rep < 0) continue;
      runs.rawLoop.push(raw);
      runs.atLeastOnce.push(atLeastOnce);
      runs.exactlyOnce.push(exactlyOnce);
    }
  } finally {
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.close();
  }
  const figures = (measured: readonly Rates[]): Figures => {
    const ratio = (kind: keyof Rates): Summary => summarize(measured.map((r, i) => r[kind] / runs.rawLoop[i]![kind]));
    return { rate: summarize(measured.map((r) => r.wall)), cpuRate: summarize(measured.map((r) => r.cpu)), ratio: ratio("wall"), cpuRatio: ratio("cpu") };
  };
  return { rawLoop: figures(runs.rawLoop), atLeastOnce: figures(runs.atLeastOnce), exactlyOnce: figures(runs.exactlyOnce), runs };
}
