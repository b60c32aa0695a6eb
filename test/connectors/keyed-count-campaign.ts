/**
 * One crash-test campaign of a keyed-count connector job: `events` events over `keys` keys, each
 * event turned into `[key, count]`. Each reference run must commit every key's counts 1 … n once;
 * the faulted runs must commit what the references did. Prints the kit's lines (the kills made)
 * and fails when no fault fired or a run differs.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { crashTest, describeRun } from "../../src/testing/index.ts";
import type { CrashTestOptions } from "../../src/testing/index.ts";
import type { TwoPhaseDialect } from "../../src/sinks/sql/sql-dialect.ts";
import { cleanUp, type Service } from "./services.ts";
import { createTopic, deleteTopics, seedTopic } from "./kafka/broker.ts";

/**
 * A campaign's time limit, under the lane's limit per file (10 minutes), so that a campaign that
 * hangs fails with its own test's name and where it stood instead of getting its file killed.
 */
export const CAMPAIGN_TIMEOUT_MS = 5 * 60_000;

/** The job of the database campaigns: a keyed count into a table per run (test/fixtures/jobs/sql-count.ts). */
export const SQL_COUNT_JOB = new URL("../fixtures/jobs/sql-count.ts", import.meta.url);

/**
 * A prefix of this process's own for a database campaign's tables and transaction ids, whose
 * leftovers are cleaned up after the tests, also after a failed run: what it left prepared holds
 * locks that DROP TABLE would wait for. Short: MariaDB's XA ids, which hold it, have at most 64 bytes.
 */
export function databaseCampaignPrefix(service: Service, dialect: TwoPhaseDialect, sink: string): string {
  const prefix = `wc${sink[0]}${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
  after(() => cleanUp(service, dialect, prefix));
  return prefix;
}

/** The arguments of SQL_COUNT_JOB for `sink` ("postgres" or "mariadb") on `service`, into tables named after `table`. */
export function sqlCountArgs(service: Service, sink: string, table: string, source: readonly string[]): string[] {
  return ["--sink", sink, "--port", String(service.connection.port), ...source, "--table", table, "--run", "{run}"];
}

/** Every `[key, count]` a run without failures commits, as sorted JSON. */
export function expectedCounts(events: number, keys: number): string[] {
  const counts: string[] = [];
  for (let k = 0; k < keys; k++) for (let c = 1; c <= events / keys; c++) counts.push(JSON.stringify([k, c]));
  return counts.sort();
}

export interface KeyedCountCampaign {
  readonly label: string;
  readonly job: URL;
  readonly events: number;
  readonly keys: number;
  readonly options: Omit<CrashTestOptions, "workDir" | "onReference" | "onProgress">;
}

export async function runKeyedCountCampaign({ label, job, events, keys, options }: KeyedCountCampaign): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), "weir-connectors-"));
  const lines: string[] = [];
  const expected = expectedCounts(events, keys);
  try {
    const report = await crashTest(job, {
      ...options,
      workDir,
      // Databases may hand numbers back as strings.
      onReference: (_id, records) => assert.deepEqual(records.map((r) => JSON.stringify((r as unknown[]).map(Number))).sort(), expected),
      onProgress: (line) => lines.push(line),
    });
    const described = report.runs.map((r, i) => describeRun(r, i + 1, report.runs.length)).join("\n");
    console.log(`${label}:\n${lines.join("\n")}`);
    assert.equal(report.referenceProblem, undefined);
    assert.equal(report.runs.length, options.runs);
    // A fault drawn after the job's end does not fire; the campaign must still have tested something.
    assert.ok(report.runs.some((r) => r.faultsFired > 0 && r.recoveries > 0), `no fault fired:\n${described}`);
    assert.ok(report.ok, described);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** An input topic of two partitions holding event i = key `i mod keys`, created and seeded before the campaign's runs. */
export function kafkaInputTopic(name: string, events: number, keys: number): () => string {
  let topic: string | undefined;
  before(
    async () => {
      topic = await createTopic(name, 2);
      await seedTopic(topic, Array.from({ length: events }, (_, i) => i % keys), (i) => i % 2);
    },
    { timeout: 60_000 },
  );
  after(() => (topic === undefined ? undefined : deleteTopics(topic)));
  return () => topic!;
}
