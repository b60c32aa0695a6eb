/**
 * Crash-test campaigns with a Kafka source into databases: Kafka → keyed count → PostgreSQL
 * (two-phase commit) and → MariaDB (XA), under kill -9, checked for exactly-once against a run
 * without failures. Each campaign reads an input topic of its own, created and seeded once
 * before the runs.
 */
import { describe, it } from "node:test";
import type { TwoPhaseDialect } from "../../src/sinks/sql/sql-dialect.ts";
import { postgresDialect } from "../../src/sinks/postgres/postgres-dialect.ts";
import { mariadbDialect } from "../../src/sinks/mariadb/mariadb-dialect.ts";
import { MARIADB, POSTGRES, skipUnless, type Service } from "./services.ts";
import { CAMPAIGN_TIMEOUT_MS, databaseCampaignPrefix, kafkaInputTopic, runKeyedCountCampaign, SQL_COUNT_JOB, sqlCountArgs } from "./keyed-count-campaign.ts";
import { BROKERS, skipUnlessKafka } from "./kafka/broker.ts";

const EVENTS = Number(process.env.WEIR_KAFKA_EVENTS ?? 10_000);
const KEYS = 10;
// One run fewer than the other campaigns by default: the Kafka campaigns share the lane's time.
const RUNS = Math.max(1, Number(process.env.WEIR_CONNECTOR_RUNS ?? 3) - 1);
const skipKafka = await skipUnlessKafka();

function databaseCampaign(service: Service, dialect: TwoPhaseDialect, sink: string): void {
  const input = kafkaInputTopic(`weir-cin-${sink}`, EVENTS, KEYS);
  const prefix = databaseCampaignPrefix(service, dialect, sink);
  it(`commits each key's counts exactly once under kill -9`, { timeout: CAMPAIGN_TIMEOUT_MS }, () =>
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
