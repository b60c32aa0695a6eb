import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadKafkaClient } from "../../../src/core/client-libraries.ts";
import { resolveKafkaConnection } from "../../../src/connectors/kafka/kafka-connection.ts";
import { isRetryable, KafkaFetcher } from "../../../src/connectors/kafka/kafka-fetcher.ts";

const connection = resolveKafkaConnection("test", { bootstrapServers: "127.0.0.1:1" });

describe("Kafka fetcher", () => {
  it("refuses brokers that speak no Fetch version with topic ids, naming the versions they speak", async () => {
    const fetcher = new KafkaFetcher(await loadKafkaClient(), connection, async () => [{ apiKey: 1, minVersion: 4, maxVersion: 12 }]);
    try {
      await assert.rejects(fetcher.fetch({ host: "127.0.0.1", port: 1 }, [], 100, true), /speak Fetch versions 4–12; the Kafka source needs version 13 or later/);
    } finally {
      await fetcher.close();
    }
  });

  it("asks the brokers for their versions again after a failed answer", async () => {
    let asked = 0;
    const fetcher = new KafkaFetcher(await loadKafkaClient(), connection, async () => {
      asked++;
      throw new Error("no answer");
    });
    try {
      await assert.rejects(fetcher.fetch({ host: "127.0.0.1", port: 1 }, [], 100, true), /no answer/);
      await assert.rejects(fetcher.fetch({ host: "127.0.0.1", port: 1 }, [], 100, true), /no answer/);
      assert.equal(asked, 2);
    } finally {
      await fetcher.close();
    }
  });

  it("retries what the client library would retry, and nothing else", async () => {
    const { NetworkError, UserError, MultipleErrors } = await loadKafkaClient();
    assert.equal(isRetryable(new NetworkError("lost")), true);
    assert.equal(isRetryable(new UserError("bad")), false);
    assert.equal(isRetryable(new MultipleErrors("both", [new NetworkError("lost"), new UserError("bad")])), false);
    assert.equal(isRetryable(new Error("plain")), false);
    assert.equal(isRetryable("thrown string"), false);
  });
});
