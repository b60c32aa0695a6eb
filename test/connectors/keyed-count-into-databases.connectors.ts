/**
 * Crash-test campaigns: generator → keyed count → PostgreSQL (two-phase commit) and → MariaDB
 * (XA), under kill -9 and failures between pre-commit and commit, checked for exactly-once
 * against a run without failures. The kit reports the kills it made and any difference.
 */
import { describe, it } from "node:test";
import type { TwoPhaseDialect } from "../../src/sinks/sql/sql-dialect.ts";
import { postgresDialect } from "../../src/sinks/postgres/postgres-dialect.ts";
import { mariadbDialect } from "../../src/sinks/mariadb/mariadb-dialect.ts";
import { MARIADB, POSTGRES, skipUnless, type Service } from "./services.ts";
import { CAMPAIGN_TIMEOUT_MS, databaseCampaignPrefix, runKeyedCountCampaign, SQL_COUNT_JOB, sqlCountArgs } from "./keyed-count-campaign.ts";

const EVENTS = 4000;
const KEYS = 10;
const RUNS = Number(process.env.WEIR_CONNECTOR_RUNS ?? 3);

function campaign(service: Service, dialect: TwoPhaseDialect, sink: string): void {
  const prefix = databaseCampaignPrefix(service, dialect, sink);

  for (const [faults, runs] of [
    [["kill"], RUNS],
    [["before-commit"], Math.max(1, RUNS - 1)],
  ] as const) {
    it(`commits each key's counts exactly once under ${faults[0] === "kill" ? "kill -9" : "failures between pre-commit and commit"}`, { timeout: CAMPAIGN_TIMEOUT_MS }, async () => {
      const table = `${prefix}${faults[0] === "kill" ? "k" : "c"}`;
      await runKeyedCountCampaign({
        label: sink,
        job: SQL_COUNT_JOB,
        events: EVENTS,
        keys: KEYS,
        options: {
          runs,
          seed: 11,
          faults,
          parallelism: 2,
          args: sqlCountArgs(service, sink, table, ["--events", String(EVENTS), "--keys", String(KEYS), "--rate", "5000"]),
        },
      });
    });
  }
}

describe("generator → keyed count → PostgreSQL (two-phase commit) under the crash-test kit", { skip: await skipUnless(POSTGRES) }, () => {
  campaign(POSTGRES, postgresDialect, "postgres");
});

describe("generator → keyed count → MariaDB (XA) under the crash-test kit", { skip: await skipUnless(MARIADB) }, () => {
  campaign(MARIADB, mariadbDialect, "mariadb");
});
