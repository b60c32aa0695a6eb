/**
 * Crash-test campaigns: generator → keyed count → PostgreSQL (two-phase commit) and → MariaDB
 * (XA), under kill -9 and failures between pre-commit and commit, checked for exactly-once
 * against a run without failures. The kit reports the kills it made and any difference.
 */
import { after, describe, it } from "node:test";
import type { TwoPhaseDialect } from "../../src/sinks/sql/sql-dialect.ts";
import { postgresDialect } from "../../src/sinks/postgres/postgres-dialect.ts";
import { mariadbDialect } from "../../src/sinks/mariadb/mariadb-dialect.ts";
import { cleanUp, MARIADB, POSTGRES, skipUnless, type Service } from "./services.ts";
import { runKeyedCountCampaign } from "./keyed-count-campaign.ts";

const JOB = new URL("../fixtures/jobs/sql-count.ts", import.meta.url);
const EVENTS = 4000;
const KEYS = 10;
const RUNS = Number(process.env.WEIR_CONNECTOR_RUNS ?? 3);

function campaign(service: Service, dialect: TwoPhaseDialect, sink: string): void {
  // Short: MariaDB's XA ids, which hold it, have at most 64 bytes.
  const prefix = `wc${sink[0]}${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
  // Also after a failed run: what it left prepared holds locks that DROP TABLE would wait for.
  after(() => cleanUp(service, dialect, prefix));

  for (const [faults, runs] of [
    [["kill"], RUNS],
    [["before-commit"], Math.max(1, RUNS - 1)],
  ] as const) {
    it(`commits each key's counts exactly once under ${faults[0] === "kill" ? "kill -9" : "failures between pre-commit and commit"}`, { timeout: 600_000 }, async () => {
      const table = `${prefix}${faults[0] === "kill" ? "k" : "c"}`;
      await runKeyedCountCampaign({
        label: sink,
        job: JOB,
        events: EVENTS,
        keys: KEYS,
        options: {
          runs,
          seed: 11,
          faults,
          parallelism: 2,
          args: ["--sink", sink, "--port", String(service.connection.port), "--events", String(EVENTS), "--keys", String(KEYS), "--rate", "5000", "--table", table, "--run", "{run}"],
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
