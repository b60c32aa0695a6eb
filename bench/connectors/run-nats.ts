/**
 * The NATS connector benchmark against the local server (`npm run services:up`): NATS → NATS
 * with Weir against the raw client's loop. Prints a table and writes
 * bench/results/connectors-nats.json; a server that does not answer is reported and skipped.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { serverAnswers } from "../../src/sinks/sql/sql-server.ts";
import { formatRate, formatSummary, table } from "../stats.ts";
import { measureNatsToNats, type NatsBenchSettings } from "./nats-to-nats.ts";

export async function runNatsBenchmark(settings: NatsBenchSettings): Promise<void> {
  console.log(
    `\nConnectors: NATS → NATS, ${settings.messages.toLocaleString("en")} messages per run, fetches of ${settings.fetchSize}, ` +
      `${settings.window} publishes in flight, ${settings.reps} repetition(s), median (min–max)\n`,
  );
  const [host, port] = settings.servers.split(":");
  if (!(await serverAnswers(host!, Number(port)))) {
    console.log(`skipped: NATS is not reachable on ${settings.servers}; start it with 'npm run services:up'`);
    return;
  }
  const result = await measureNatsToNats(settings);
  console.log(
    table(
      ["", "messages/s", "ratio to raw loop"],
      [
        ["raw client: consume and publish", formatSummary(result.rawLoop, formatRate), "1"],
        ["Weir, exactly-once, ids from records", formatSummary(result.weirRecordIds, formatRate), formatSummary(result.ratioRecordIds, (r) => r.toFixed(3))],
        ["Weir, exactly-once, ids from checkpoints", formatSummary(result.weirCheckpointIds, formatRate), formatSummary(result.ratioCheckpointIds, (r) => r.toFixed(3))],
      ],
    ),
  );
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/connectors-nats.json", JSON.stringify({ settings, nats: result }, null, 2) + "\n");
}
