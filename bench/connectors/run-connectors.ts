/**
 * The connector benchmarks, against local servers (`npm run services:up`): the PostgreSQL
 * two-phase-commit sink against plain batched inserts. Prints a table and writes
 * bench/results/connectors.json. A server that does not answer is reported and skipped.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { serverAnswers } from "../../src/sinks/sql/sql-server.ts";
import { formatRate, formatSummary, table } from "../stats.ts";
import { measurePostgresSink, type PostgresSinkSettings } from "./postgres-sink.ts";

export async function runConnectorBenchmark(settings: PostgresSinkSettings): Promise<void> {
  const { host = "127.0.0.1", port = 5432 } = settings.connection;
  console.log(
    `\nConnectors: PostgreSQL two-phase-commit sink against plain batched inserts, ${settings.rows.toLocaleString("en")} rows per run, ` +
      `batches of ${settings.batchSize}, a checkpoint every ${settings.rowsPerCheckpoint.toLocaleString("en")} rows, ${settings.reps} repetition(s), median (min–max)\n`,
  );
  if (!(await serverAnswers(host, port))) {
    console.log(`skipped: PostgreSQL is not reachable on ${host}:${port}; start it with 'npm run services:up'`);
    return;
  }
  const result = await measurePostgresSink(settings);
  console.log(
    table(
      ["", "rows/s"],
      [
        ["plain batched inserts", formatSummary(result.plainInserts, formatRate)],
        ["two-phase-commit sink", formatSummary(result.twoPhaseCommit, formatRate)],
      ],
    ),
  );
  console.log(`ratio two-phase-commit/plain: ${formatSummary(result.ratio, (r) => r.toFixed(3))}`);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/connectors.json", JSON.stringify({ settings, postgres: result }, null, 2) + "\n");
}
