/**
 * Crash-test campaigns with a Kafka source: Kafka → keyed count → Kafka (transactions), →
 * PostgreSQL (two-phase commit) and → MariaDB (XA), under kill -9, checked for exactly-once
 * against a run without failures. The Kafka output is read back as a read_committed consumer
 * sees it; each key's counts must be there once each. Each campaign reads an input topic of its
 * own, created and seeded once before the runs. The kit reports the kills it made and any difference.
 */
import { after, before, describe, it } from "node:test";
import type { TwoPhaseDialect } from "../../src/sinks/sql/sql-dialect.ts";
import { postgresDialect } from "../../src/sinks/postgres/postgres-dialect.ts";
import { mariadbDialect } from "../../src/sinks/mariadb/mariadb-dialect.ts";
import { MARIADB, POSTGRES, skipUnless, type Service } from "./services.ts";
import { databaseCampaignPrefix, runKeyedCountCampaign, SQL_COUNT_JOB, sqlCountArgs } from "./keyed-count-campaign.ts";
import { BROKERS, createTopic, deleteTopics, seedTopic, skipUnlessKafka } from "./kafka/broker.ts";

const KAFKA_COUNT_JOB = new URL("../fixtures/jobs/kafka-count.ts", import.meta.url);
const EVENTS = Number(process.env.WEIR_KAFKA_EVENTS ?? 10_000);
const KEYS = 10;
// One run fewer than the other campaigns by default: three campaigns share the lane's time.
const RUNS = Math.max(1, Number(process.env.WEIR_CONNECTOR_RUNS ?? 3) - 1);
const skipKafka = await skipUnlessKafka();

/** An input topic of two partitions holding event i = key `i mod KEYS`, created and seeded before the campaign's runs. */
function inputTopic(name: string): () => string {
  let topic: string | undefined;
  before(async () => {
    topic = await createTopic(name, 2);
    await seedTopic(topic, Array.from({ length: EVENTS }, (_, i) => i % KEYS), (i) => i % 2);
  });
  after(() => (topic === undefined ? undefined : deleteTopics(topic)));
  return () => topic!;
}

describe("Kafka → keyed count → Kafka (transactions) under the crash-test kit (kill -9)", { skip: skipKafka }, () => {
  const input = inputTopic("weir-cin");
  it("commits each key's counts exactly once, as a read_committed consumer reads them", { timeout: 600_000 }, () =>
    runKeyedCountCampaign({
      label: "kafka → kafka",
      job: KAFKA_COUNT_JOB,
      events: EVENTS,
      keys: KEYS,
      options: { runs: RUNS, seed: 31, faults: ["kill"], parallelism: 2, args: ["--brokers", BROKERS[0]!, "--in", input(), "--out", `${input()}-out`, "--run", "{run}"] },
    }),
  );
});

function databaseCampaign(service: Service, dialect: TwoPhaseDialect, sink: string): void {
  const input = inputTopic(`weir-cin-${sink}`);
  const prefix = databaseCampaignPrefix(service, dialect, sink);
  it(`commits each key's counts exactly once under kill -9`, { timeout: 600_000 }, () =>
    runKeyedCountCampaign({
      label: `kafka → ${sink}`,
      job: SQL_COUNT_JOB,
      events: EVENTS,
      keys: KEYS,
      options: { runs: RUNS, seed: 37, faults: ["kill"], parallelism: 2, args: sqlCountArgs(service, sink, `${prefix}k`, ["--in", input(), "--brokers", BROKERS[0]!]) },
    }),
  );
}

describe("Kafka → keyed count → PostgreSQL (two-phase commit) under the crash-test kit", { skip: skipKafka || (await skipUnless(POSTGRES)) }, () => {
  databaseCampaign(POSTGRES, postgresDialect, "postgres");
});

describe("Kafka → keyed count → MariaDB (XA) under the crash-test kit", { skip: skipKafka || (await skipUnless(MARIADB)) }, () => {
  databaseCampaign(MARIADB, mariadbDialect, "mariadb");
});
