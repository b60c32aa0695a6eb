/**
 * The Kafka connector benchmark against the local broker (`npm run services:up`): Kafka → Kafka
 * with Weir at-least-once and exactly-once against the raw client's loop. Prints a table and
 * writes bench/results/connectors-kafka.json; a broker that does not answer is reported and skipped.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { serverAnswers } from "../../src/sinks/sql/sql-server.ts";
import { formatRate, formatSummary, table } from "../stats.ts";
import { measureKafkaToKafka, type Figures, type KafkaBenchSettings } from "./kafka-to-kafka.ts";

/** What Weir at-least-once must reach of the raw loop's rate (median of the repetitions' ratios). */
export const MIN_AT_LEAST_ONCE_RATIO = 0.7;

/** `judged`: say whether the at-least-once ratio reaches the bar (not with --ci, whose runs are too short for it). */
export async function runKafkaBenchmark(settings: KafkaBenchSettings, judged = true): Promise<void> {
  console.log(
    `\nConnectors: Kafka → Kafka, ${settings.records.toLocaleString("en")} records per run over ${settings.partitions} partition(s), ` +
      `produce batches of ${settings.batchSize}, ${settings.reps} repetition(s), median (min–max)\n`,
  );
  const [host, port] = settings.broker.split(":");
  if (!(await serverAnswers(host!, Number(port)))) {
    console.log(`skipped: Kafka is not reachable on ${settings.broker}; start it with 'npm run services:up'`);
    return;
  }
  const result = await measureKafkaToKafka(settings);
  const ratio = (r: number): string => r.toFixed(3);
  const row = (name: string, f: Figures): string[] => [name, formatSummary(f.rate, formatRate), formatSummary(f.ratio, ratio), formatSummary(f.cpuRate, formatRate), formatSummary(f.cpuRatio, ratio)];
  console.log(
    table(
      ["", "records/s", "ratio to raw loop", "records per CPU-second", "CPU ratio to raw loop"],
      [row("raw client: consume and produce", result.rawLoop), row("Weir, at-least-once", result.atLeastOnce), row("Weir, exactly-once", result.exactlyOnce)],
    ),
  );
  const met = result.atLeastOnce.ratio.median >= MIN_AT_LEAST_ONCE_RATIO;
  if (judged) console.log(`at-least-once / raw loop: ${ratio(result.atLeastOnce.ratio.median)} (${met ? "at least" : "BELOW"} ${MIN_AT_LEAST_ONCE_RATIO})`);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/connectors-kafka.json", JSON.stringify({ settings, kafka: result }, null, 2) + "\n");
}
