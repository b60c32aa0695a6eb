import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { defineJob } from "../../src/api/define-job.ts";
import { runJob } from "../../src/runtime/run-job.ts";
import { natsSource } from "../../src/connectors/nats/nats-source.ts";
import type { NatsStreamSplit } from "../../src/connectors/nats/nats-stream-split.ts";
import { SplitSourceHarness } from "../sources/split-harness.ts";
import { opened, readToEnd } from "../sources/reading.ts";
import type { SourceReader } from "../../src/sources/source.ts";
import { NATS, skipUnless } from "./services.ts";
import { jetstream } from "@nats-io/jetstream";
import { createStream, deleteStream, NATS_SERVER, publishJson, uniqueStream, withConnection } from "./nats-streams.ts";

interface Order {
  id: number;
  region: string;
}

const ORDERS: Order[] = Array.from({ length: 120 }, (_, id) => ({ id, region: id % 3 === 0 ? "eu" : "us" }));

/** Polls until `count` records came (waiting when told to), as a task would. */
async function readSome<T>(reader: SourceReader<T>, count: number, maxRecords: number): Promise<T[]> {
  const records: T[] = [];
  const output = { collect: (record: T) => records.push(record) };
  while (records.length < count) {
    const status = reader.pollNext(output, Math.min(maxRecords, count - records.length));
    if (status === "end-of-input") break;
    if (status === "nothing-available") await reader.isAvailable();
  }
  return records;
}

describe("natsSource", { skip: await skipUnless(NATS) }, () => {
  const stream = uniqueStream("weir_src");
  before(async () => {
    await createStream(stream);
    await publishJson(ORDERS, (o) => `${stream}.${o.region}`);
  });
  after(() => deleteStream(stream));

  it("a bounded source reads every message of the stream once, in sequence order, and ends", async () => {
    const job = defineJob((env) => {
      env.fromSource(natsSource<Order>({ servers: NATS_SERVER, stream, bounded: "latest", deserializer: "json", fetchSize: 7 }), "orders").collect("orders");
    });
    const result = await runJob(job, { runtime: "single-thread", parallelism: 1 });
    assert.deepEqual(result.collected<Order>("orders"), ORDERS);
  });

  it("subject filters are splits that different readers read, each message once", async () => {
    const job = defineJob((env) => {
      env
        .fromSource(natsSource<Order>({ servers: NATS_SERVER, stream, subjects: [`${stream}.eu`, `${stream}.us`], bounded: "latest", deserializer: "json" }), "orders")
        .setParallelism(2)
        .collect("orders");
    });
    const result = await runJob(job, { runtime: "single-thread", parallelism: 2 });
    const got = result.collected<Order>("orders");
    assert.deepEqual([...got].sort((a, b) => a.id - b.id), ORDERS);
    // Each split's records keep the stream's order.
    for (const region of ["eu", "us"]) assert.deepEqual(got.filter((o) => o.region === region), ORDERS.filter((o) => o.region === region));
  });

  it("a bounded source with an end sequence stops after it, and a start sequence begins there", async () => {
    const job = defineJob((env) => {
      env.fromSource(natsSource<Order>({ servers: NATS_SERVER, stream, start: { sequence: 11 }, bounded: { sequence: 30 }, deserializer: "json" }), "orders").collect("orders");
    });
    const result = await runJob(job, { runtime: "single-thread", parallelism: 1 });
    assert.deepEqual(result.collected<Order>("orders"), ORDERS.slice(10, 30));
  });

  it("a restore resumes right after the sequence its checkpoint holds, whatever was fetched beyond it", async () => {
    const source = natsSource<Order>({ servers: NATS_SERVER, stream, bounded: "latest", deserializer: "json", fetchSize: 50 });
    const first = new SplitSourceHarness(source, 1);
    const driver = first.open(0);
    await first.opening[0];
    const before = await readSome(opened<Order>(driver, () => undefined), 37, 5);
    assert.equal(before.length, 37);
    const checkpoint = first.checkpoint(1);
    const [split] = first.splitsOf(0) as NatsStreamSplit[];
    assert.equal(split!.next, 38);
    await driver.close();

    const restored = new SplitSourceHarness(source, 1, checkpoint);
    const reader = restored.open(0);
    await restored.opening[0];
    const rest = await readToEnd(opened<Order>(reader, () => undefined), 9);
    assert.deepEqual([...before, ...rest], ORDERS);
  });

  it("a reader's pending records are the stream's messages after its position, and the source's metrics sum its readers", async () => {
    const source = natsSource<Order>({ servers: NATS_SERVER, stream, bounded: "latest", deserializer: "json", fetchSize: 50 });
    const harness = new SplitSourceHarness(source, 1);
    const driver = harness.open(0);
    await harness.opening[0];
    const read = await readSome(opened<Order>(driver, () => undefined), 37, 5);
    assert.equal(read.length, 37);
    assert.deepEqual(driver.metrics(), { numRecordsIn: 37, pendingRecords: ORDERS.length - 37 });
    assert.equal(source.metrics.recordsIn, 37);
    assert.equal(source.metrics.lag, ORDERS.length - 37);
    await driver.close();
  });

  it("a JSON deserialiser names the stream, sequence and subject of a message that is not JSON", async () => {
    const bad = uniqueStream("weir_bad");
    await createStream(bad);
    try {
      await withConnection(async (c) => void (await jetstream(c).publish(`${bad}.x`, "{oops")));
      const job = defineJob((env) => {
        env.fromSource(natsSource({ servers: NATS_SERVER, stream: bad, bounded: "latest", deserializer: "json" }), "bad").collect("bad");
      });
      await assert.rejects(runJob(job, { runtime: "single-thread", parallelism: 1 }), (e: Error & { code?: string }) => {
        assert.equal(e.code, "WEIR_ERR_SOURCE_DESERIALIZE");
        assert.match(e.message, new RegExp(`message 1 of stream ${bad} \\(subject ${bad}\\.x\\)`));
        return true;
      });
    } finally {
      await deleteStream(bad);
    }
  });

  it("a stream that does not exist fails the job, naming the stream and the server", async () => {
    const job = defineJob((env) => {
      env.fromSource(natsSource({ servers: NATS_SERVER, stream: "weir_no_such_stream", bounded: "latest" }), "missing").collect("missing");
    });
    await assert.rejects(runJob(job, { runtime: "single-thread", parallelism: 1 }), (e: Error & { code?: string }) => {
      assert.equal(e.code, "WEIR_ERR_SOURCE_IO");
      assert.match(e.message, new RegExp(`stream weir_no_such_stream does not exist on NATS at ${NATS_SERVER.replaceAll(".", "\\.")}`));
      return true;
    });
  });
});
