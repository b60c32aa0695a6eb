import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { kafkaSink } from "../../../src/connectors/kafka/kafka-sink.ts";
import { resolveKafkaConnection } from "../../../src/connectors/kafka/kafka-connection.ts";
import { checkTransactionTimeout } from "../../../src/connectors/kafka/transaction-timeout.ts";
import { sinkOperator } from "../../sinks/sink-context.ts";

describe("Kafka connection settings", () => {
  it("refuses a bootstrap server that is not host:port, naming it", () => {
    assert.throws(() => resolveKafkaConnection("Kafka sink", { bootstrapServers: ["localhost"] }), /Kafka sink: bootstrap server 'localhost' is not "host:port"/);
    assert.throws(() => resolveKafkaConnection("Kafka sink", { bootstrapServers: [] }), /at least one broker/);
    assert.throws(() => resolveKafkaConnection("Kafka sink", { bootstrapServers: "127.0.0.1:9092", retries: 1 }), /retries must be an integer of at least 2/);
  });

  it("fails a sink whose broker does not answer within bounded time, naming the address and the cause", { timeout: 30_000 }, async () => {
    const sink = kafkaSink<string>({ bootstrapServers: "127.0.0.1:1", topic: "t", connectTimeoutMs: 300, retries: 2, retryDelayMs: 10 });
    await assert.rejects(sinkOperator(sink), (e: Error & { code?: string }) => {
      assert.equal(e.code, "WEIR_ERR_SINK_UNREACHABLE");
      assert.match(e.message, /Kafka at 127\.0\.0\.1:1 is unreachable while connecting: .*ECONNREFUSED/);
      return true;
    });
  });

  it("checks an exactly-once sink's transaction timeout against the job's own checkpoint interval, before connecting", async () => {
    const sink = kafkaSink<string>({ bootstrapServers: "127.0.0.1:1", topic: "t", deliveryGuarantee: "exactly-once", transactionTimeoutMs: 60_000 });
    await assert.rejects(sinkOperator(sink, { checkpointIntervalMs: 30_000 }), (e: Error & { code?: string }) => e.code === "WEIR_ERR_KAFKA_TRANSACTION_TIMEOUT" && e.message.includes("(30000)"));
  });
});

describe("the transaction timeout check", () => {
  it("accepts a timeout above interval plus recovery and refuses one at or below it", () => {
    checkTransactionTimeout({ transactionTimeoutMs: 60_001, checkpointIntervalMs: 30_000, maxRecoveryTimeMs: 30_000 });
    assert.throws(
      () => checkTransactionTimeout({ transactionTimeoutMs: 60_000, checkpointIntervalMs: 30_000, maxRecoveryTimeMs: 30_000 }),
      (e: Error & { code?: string }) => e.code === "WEIR_ERR_KAFKA_TRANSACTION_TIMEOUT" && e.message.includes("= 60000 ms"),
    );
  });
});
