/**
 * Crash-test campaign with a Kafka source and a Kafka sink: Kafka → keyed count → Kafka
 * (transactions), under kill -9, checked for exactly-once against a run without failures. The
 * output is read back as a read_committed consumer sees it; each key's counts must be there once
 * each. The campaign reads an input topic of its own, created and seeded once before the runs.
 * The campaigns into databases are in kafka-keyed-count-sql.connectors.ts.
 */
import { describe, it } from "node:test";
import { CAMPAIGN_TIMEOUT_MS, kafkaInputTopic, runKeyedCountCampaign } from "./keyed-count-campaign.ts";
import { BROKERS, skipUnlessKafka } from "./kafka/broker.ts";

const KAFKA_COUNT_JOB = new URL("../fixtures/jobs/kafka-count.ts", import.meta.url);
const EVENTS = Number(process.env.WEIR_KAFKA_EVENTS ?? 10_000);
const KEYS = 10;
// One run fewer than the other campaigns by default: the Kafka campaigns share the lane's time.
const RUNS = Math.max(1, Number(process.env.WEIR_CONNECTOR_RUNS ?? 3) - 1);
const skipKafka = await skipUnlessKafka();

describe("Kafka → keyed count → Kafka (transactions) under the crash-test kit (kill -9)", { skip: skipKafka }, () => {
  const input = kafkaInputTopic("weir-cin", EVENTS, KEYS);
  it("commits each key's counts exactly once, as a read_committed consumer reads them", { timeout: CAMPAIGN_TIMEOUT_MS }, () =>
    runKeyedCountCampaign({
      label: "kafka → kafka",
      job: KAFKA_COUNT_JOB,
      events: EVENTS,
      keys: KEYS,
      options: { runs: RUNS, seed: 31, faults: ["kill"], parallelism: 2, args: ["--brokers", BROKERS[0]!, "--in", input(), "--out", `${input()}-out`, "--run", "{run}"] },
    }),
  );
});
