/**
 * Crash-test campaigns: generator → keyed count → PostgreSQL (two-phase commit) and → MariaDB
 * (XA), under kill -9 and failures between pre-commit and commit, checked for exactly-once
 * against a run without failures. The kit reports the kills it made and any difference.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crashTest, describeRun } from "../../src/testing/index.ts";
import type { TwoPhaseDialect } from "../../src/sinks/sql/sql-dialect.ts";
import { postgresDialect } from "../../src/sinks/postgres/postgres-dialect.ts";
import { mariadbDialect } from "../../src/sinks/mariadb/mariadb-dialect.ts";
import { cleanUp, MARIADB, POSTGRES, skipUnless, type Service } from "./services.ts";

const JOB = new URL("../fixtures/jobs/sql-count.ts", import.meta.url);
const EVENTS = 4000;
const KEYS = 10;
const RUNS = Number(process.env.WEIR_CONNECTOR_RUNS ?? 3);

/** Every (key, count) a run without failures commits, as the sink reads them back. */
function expectedRows(): string[] {
  const rows: string[] = [];
  for (let k = 0; k < KEYS; k++) for (let c = 1; c <= EVENTS / KEYS; c++) rows.push(JSON.stringify([k, c]));
  return rows.sort();
}

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
      const workDir = mkdtempSync(join(tmpdir(), "weir-connectors-"));
      const lines: string[] = [];
      try {
        const report = await crashTest(JOB, {
          runs,
          seed: 11,
          faults,
          parallelism: 2,
          workDir,
          args: ["--sink", sink, "--port", String(service.connection.port), "--events", String(EVENTS), "--keys", String(KEYS), "--rate", "5000", "--table", table, "--run", "{run}"],
          onReference: (_id, records) => assert.deepEqual(records.map((r) => JSON.stringify((r as unknown[]).map(Number))).sort(), expectedRows()),
          onProgress: (line) => lines.push(line),
        });
        const described = report.runs.map((r, i) => describeRun(r, i + 1, report.runs.length)).join("\n");
        console.log(`${sink}:\n${lines.join("\n")}`);
        assert.equal(report.referenceProblem, undefined);
        assert.equal(report.runs.length, runs);
        // A fault drawn after the job's end does not fire; the campaign must still have tested something.
        assert.ok(report.runs.some((r) => r.faultsFired > 0 && r.recoveries > 0), `no fault fired:\n${described}`);
        assert.ok(report.ok, described);
      } finally {
        rmSync(workDir, { recursive: true, force: true });
      }
    });
  }
}

describe("generator → keyed count → PostgreSQL (two-phase commit) under the crash-test kit", { skip: await skipUnless(POSTGRES) }, () => {
  campaign(POSTGRES, postgresDialect, "postgres");
});

describe("generator → keyed count → MariaDB (XA) under the crash-test kit", { skip: await skipUnless(MARIADB) }, () => {
  campaign(MARIADB, mariadbDialect, "mariadb");
});
