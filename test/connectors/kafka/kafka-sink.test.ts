import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { kafkaSink, type KafkaSinkOptions } from "../../../src/connectors/kafka/kafka-sink.ts";
import { TransactionCoordinator } from "../../../src/connectors/kafka/transaction-coordinator.ts";
import { resolveKafkaConnection } from "../../../src/connectors/kafka/kafka-connection.ts";
import type { TwoPhaseCommitState } from "../../../src/sinks/two-phase-commit-sink.ts";
import type { KafkaTransactionHandle } from "../../../src/connectors/kafka/transaction-coordinator.ts";
import { sinkOperator } from "../../sinks/sink-context.ts";
import { BROKERS, createTopic, readTopic, skipUnlessKafka } from "./broker.ts";

interface Reading {
  name: string;
  n: number;
}

const skip = await skipUnlessKafka();

function options(topic: string, extra: Partial<KafkaSinkOptions<Reading>> = {}): KafkaSinkOptions<Reading> {
  return {
    bootstrapServers: BROKERS,
    topic,
    key: (r) => r.name,
    value: (r) => String(r.n),
    batchSize: 3,
    checkpointIntervalMs: 1000,
    transactionTimeoutMs: 120_000,
    ...extra,
  };
}

const values = (messages: readonly { value: string }[]) => messages.map((m) => m.value);

describe("Kafka sink, exactly-once", { skip }, () => {
  it("makes a checkpoint's records visible to read_committed consumers only when the checkpoint completes", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-eos");
    const op = await sinkOperator(kafkaSink(options(topic, { deliveryGuarantee: "exactly-once", transactionalIdPrefix: topic })));
    const reading = { name: "a", n: 0 };
    for (let n = 1; n <= 7; n++) {
      reading.n = n;
      op.processElement(reading);
    }
    await op.snapshotState(1);
    assert.deepEqual(values(await readTopic(topic, "READ_UNCOMMITTED", 1000, 7)), ["1", "2", "3", "4", "5", "6", "7"], "written before the commit");
    assert.deepEqual(await readTopic(topic, "READ_COMMITTED", 1000), [], "not visible before the checkpoint completes");
    await op.notifyCheckpointComplete(1);
    assert.deepEqual(values(await readTopic(topic, "READ_COMMITTED", 1000, 7)), ["1", "2", "3", "4", "5", "6", "7"]);
    await op.close();
  });

  it("after a crash, commits the restored checkpoint's transactions without their producer and aborts the one that was current", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-eos-restore");
    const sink = kafkaSink(options(topic, { deliveryGuarantee: "exactly-once", transactionalIdPrefix: topic, batchSize: 1 }));
    const first = await sinkOperator(sink);
    first.processElement({ name: "a", n: 1 });
    first.processElement({ name: "a", n: 2 });
    const state = (await first.snapshotState(1)) as TwoPhaseCommitState<KafkaTransactionHandle>;
    first.processElement({ name: "a", n: 3 });
    assert.deepEqual(values(await readTopic(topic, "READ_UNCOMMITTED", 500, 3)), ["1", "2", "3"], "n=3 reached the broker in the open transaction");
    // The first attempt dies here: its checkpoint completed but it never heard, and n=3 is in flight.
    const restored = await sinkOperator(sink, { restoredState: state, restoredCheckpointId: 1 });
    restored.processElement({ name: "a", n: 4 });
    await restored.snapshotState(2);
    await restored.notifyCheckpointComplete(2);
    assert.deepEqual(values(await readTopic(topic, "READ_COMMITTED", 1000, 3)), ["1", "2", "4"]);
    await restored.close();
    await first.close();
  });

  it("completes checkpoints whose transactions received no record, live and after a restore", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-eos-empty");
    const sink = kafkaSink(options(topic, { deliveryGuarantee: "exactly-once", transactionalIdPrefix: topic }));
    const first = await sinkOperator(sink);
    await first.snapshotState(1);
    await first.notifyCheckpointComplete(1);
    const state = (await first.snapshotState(2)) as TwoPhaseCommitState<KafkaTransactionHandle>;
    // The attempt dies before it hears that checkpoint 2 (an empty transaction) completed.
    const restored = await sinkOperator(sink, { restoredState: state, restoredCheckpointId: 2 });
    restored.processElement({ name: "a", n: 1 });
    await restored.snapshotState(3);
    await restored.notifyCheckpointComplete(3);
    assert.deepEqual(values(await readTopic(topic, "READ_COMMITTED", 1000, 1)), ["1"]);
    await Promise.all([restored.close(), first.close()]);
  });

  it("aborts a lingering transaction of an earlier attempt that the checkpoint does not know, so read_committed readers are not held back", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-eos-linger");
    const prefix = `${topic}-p`;
    const sink = kafkaSink(options(topic, { deliveryGuarantee: "exactly-once", transactionalIdPrefix: prefix }));
    const crashed = await sinkOperator(sink);
    crashed.processElement({ name: "a", n: 1 });
    await crashed.snapshotState(1); // pre-commits n=1 and opens the next transaction
    crashed.processElement({ name: "a", n: 2 });
    await crashed.snapshotState(2); // checkpoint 2 never completes: its transaction lingers
    const coordinator = new TransactionCoordinator(resolveKafkaConnection("test", { bootstrapServers: BROKERS }), { attempts: 3, initialDelayMs: 50, maxDelayMs: 200 });
    const open = () => coordinator.listOpen((id) => id.startsWith(prefix));
    assert.deepEqual((await open()).sort(), [`${prefix}-0-0`, `${prefix}-0-1`]);
    // A fresh start (nothing restored) aborts both.
    const fresh = await sinkOperator(sink);
    assert.deepEqual(await open(), []);
    fresh.processElement({ name: "b", n: 9 });
    await fresh.snapshotState(1);
    await fresh.notifyCheckpointComplete(1);
    assert.deepEqual(values(await readTopic(topic, "READ_COMMITTED", 1000, 1)), ["9"]);
    await Promise.all([fresh.close(), crashed.close(), coordinator.close()]);
  });

  it("reads back what it committed as a read_committed consumer sees it, without the open transaction's records", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-eos-readback", 2);
    const sink = kafkaSink(options(topic, { deliveryGuarantee: "exactly-once", transactionalIdPrefix: topic, partition: (r) => r.n % 2, readBack: {} }));
    assert.equal(sink.committed?.guarantee, "exactly-once");
    const op = await sinkOperator(sink);
    const reading = { name: "a", n: 0 };
    for (let n = 1; n <= 4; n++) {
      reading.n = n;
      op.processElement(reading);
    }
    await op.snapshotState(1);
    await op.notifyCheckpointComplete(1);
    op.processElement({ name: "a", n: 5 });
    await op.snapshotState(2);
    const read = await sink.committed!.read({ operatorId: "sink", collected: () => undefined });
    assert.deepEqual([...(read ?? [])].sort(), [1, 2, 3, 4]);
    await op.close();
  });

  it("refuses a transaction timeout that does not exceed the checkpoint interval plus recovery time", async () => {
    const sink = kafkaSink(options("t", { deliveryGuarantee: "exactly-once", transactionTimeoutMs: 60_000, checkpointIntervalMs: 30_000, maxRecoveryTimeMs: 30_000 }));
    await assert.rejects(sinkOperator(sink), (e: Error & { code?: string }) => e.code === "WEIR_ERR_KAFKA_TRANSACTION_TIMEOUT" && /60000.*30000.*60000/.test(e.message));
  });
});

describe("Kafka sink, at-least-once and none", { skip }, () => {
  it("has every record before a checkpoint acknowledged when the checkpoint's snapshot returns, with keys, headers and partitions from the record", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-alo", 3);
    const sink = kafkaSink(options(topic, { deliveryGuarantee: "at-least-once", headers: (r) => ({ source: r.name }), partition: (r) => r.n % 3 }));
    const op = await sinkOperator(sink);
    for (let n = 0; n < 10; n++) op.processElement({ name: `k${n % 2}`, n });
    await op.snapshotState(1);
    const read = await readTopic(topic, "READ_UNCOMMITTED", 500, 10);
    assert.equal(read.length, 10);
    for (const m of read) {
      assert.equal(m.partition, Number(m.value) % 3);
      assert.equal(m.key, `k${Number(m.value) % 2}`);
      assert.deepEqual(m.headers, { source: m.key });
    }
    await op.close();
  });

  it("writes to a topic that does not exist yet, which the broker creates", { timeout: 60_000 }, async () => {
    const topic = `weir-created-${process.pid}-${Date.now().toString(36)}`;
    const op = await sinkOperator(kafkaSink(options(topic, { deliveryGuarantee: "at-least-once" })));
    op.processElement({ name: "x", n: 1 });
    await op.snapshotState(1);
    assert.deepEqual(values(await readTopic(topic, "READ_UNCOMMITTED", 500, 1)), ["1"]);
    await op.close();
  });

  it("with no guarantee still writes everything by the end of input", { timeout: 60_000 }, async () => {
    const topic = await createTopic("weir-none");
    const op = await sinkOperator(kafkaSink(options(topic, { deliveryGuarantee: "none" })), { checkpointing: false });
    for (let n = 0; n < 5; n++) op.processElement({ name: "x", n });
    await op.endInput();
    assert.deepEqual(values(await readTopic(topic, "READ_UNCOMMITTED", 500, 5)), ["0", "1", "2", "3", "4"]);
    await op.close();
  });
});
