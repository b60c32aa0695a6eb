/**
 * NATS → NATS throughput: Weir reading a JetStream stream and publishing every message to
 * another (exactly-once: checkpoints every second, the sink's message ids), against the raw
 * client's consume-and-publish loop on the same server (an ordered consumer fetching batches,
 * publishes with a message id and the same window of unacknowledged messages). Weir runs twice:
 * with ids from the records (published as they come) and with ids from checkpoint positions
 * (published when each checkpoint completes). The three alternate, the raw loop first in each
 * repetition, each into an output subject of its own.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { defineJob } from "../../src/api/define-job.ts";
import { runJob } from "../../src/runtime/run-job.ts";
import { natsSink } from "../../src/connectors/nats/nats-sink.ts";
import { natsSource } from "../../src/connectors/nats/nats-source.ts";
import { summarize, type Summary } from "../stats.ts";

export interface NatsBenchSettings {
  readonly messages: number;
  readonly reps: number;
  /** Unacknowledged publishes, for the raw loop and the sink alike. */
  readonly window: number;
  readonly fetchSize: number;
  readonly servers: string;
}

export interface NatsBenchResult {
  /** Messages per second. */
  readonly rawLoop: Summary;
  readonly weirRecordIds: Summary;
  readonly weirCheckpointIds: Summary;
  /** Each repetition's Weir rate over the raw loop's rate just before it. */
  readonly ratioRecordIds: Summary;
  readonly ratioCheckpointIds: Summary;
}

interface Bid {
  readonly id: number;
  readonly bidder: number;
  readonly price: number;
}

async function timeRawLoop(s: NatsBenchSettings, input: string, subject: string): Promise<number> {
  const connection = await connect({ servers: s.servers });
  try {
    const client = jetstream(connection);
    const started = performance.now();
    const consumer = await client.consumers.get(input, { deliver_policy: DeliverPolicy.All });
    const inFlight = new Set<Promise<unknown>>();
    let read = 0;
    while (read < s.messages) {
      const batch = await consumer.fetch({ max_messages: s.fetchSize, expires: 1000 });
      for await (const message of batch) {
        const bid = message.json<Bid>();
        const ack = client.publish(subject, JSON.stringify(bid), { msgID: `${subject}:${bid.id}` });
        inFlight.add(ack);
        void ack.finally(() => inFlight.delete(ack));
        if (inFlight.size >= s.window) await Promise.race(inFlight);
        read++;
      }
    }
    await Promise.all(inFlight);
    return s.messages / ((performance.now() - started) / 1000);
  } finally {
    await connection.close();
  }
}

async function timeWeir(s: NatsBenchSettings, input: string, subject: string, recordIds: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "weir-bench-nats-"));
  try {
    const job = defineJob((env) => {
      env.enableCheckpointing(1_000, { dir });
      env
        .fromSource(natsSource<Bid>({ servers: s.servers, stream: input, bounded: "latest", deserializer: "json", fetchSize: s.fetchSize }), "bids")
        .sinkTo(natsSink<Bid>({ servers: s.servers, subject, maxInFlight: s.window, checkpointIntervalMs: 1_000, ...(recordIds ? { messageId: (b: Bid) => `${subject}:${b.id}` } : {}) }));
    });
    const started = performance.now();
    await runJob(job, { runtime: "single-thread", parallelism: 1 });
    return s.messages / ((performance.now() - started) / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureNatsToNats(s: NatsBenchSettings): Promise<NatsBenchResult> {
  const input = `weir_bench_in_${process.pid}`;
  const output = `weir_bench_out_${process.pid}`;
  const connection = await connect({ servers: s.servers });
  const manager = await jetstreamManager(connection);
  const runs = { raw: [] as number[], records: [] as number[], checkpoints: [] as number[] };
  try {
    await manager.streams.add({ name: input, subjects: [`${input}.>`] });
    await manager.streams.add({ name: output, subjects: [`${output}.>`] });
    const client = jetstream(connection);
    for (let i = 0; i < s.messages; i += s.window) {
      const acks = [];
      for (let j = i; j < Math.min(s.messages, i + s.window); j++) acks.push(client.publish(`${input}.bids`, JSON.stringify({ id: j, bidder: j % 1000, price: (j * 7919) % 100_000 })));
      await Promise.all(acks);
    }
    // One untimed repetition warms the server, the client and the job's code.
    for (let rep = -1; rep < s.reps; rep++) {
      const raw = await timeRawLoop(s, input, `${output}.raw${rep + 1}`);
      const records = await timeWeir(s, input, `${output}.records${rep + 1}`, true);
      const checkpoints = await timeWeir(s, input, `${output}.checkpoints${rep + 1}`, false);
      if (rep < 0) continue;
      runs.raw.push(raw);
      runs.records.push(records);
      runs.checkpoints.push(checkpoints);
    }
  } finally {
    await manager.streams.delete(input).catch(() => {});
    await manager.streams.delete(output).catch(() => {});
    await connection.close();
  }
  return {
    rawLoop: summarize(runs.raw),
    weirRecordIds: summarize(runs.records),
    weirCheckpointIds: summarize(runs.checkpoints),
    ratioRecordIds: summarize(runs.records.map((r, i) => r / runs.raw[i]!)),
    ratioCheckpointIds: summarize(runs.checkpoints.map((r, i) => r / runs.raw[i]!)),
  };
}
