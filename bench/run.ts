/**
 * `npm run bench`: the throughput benchmark (./throughput.ts: Nexmark queries at parallelism 1 and
 * 2, records protected and with object reuse, against a hand-written loop,
 * bench/results/latest.json), then the checkpoint benchmarks
 * (./checkpoints/run-checkpoints.ts: overhead, duration and recovery against state size,
 * bench/results/checkpoints.json).
 *
 * Then the savepoint benchmark (./savepoints.ts: savepoint against checkpoint time, restores at
 * another parallelism and max parallelism, bench/results/savepoints.json).
 *
 * Then the connector benchmark (./connectors/run-connectors.ts: the PostgreSQL two-phase-commit
 * sink against plain batched inserts, bench/results/connectors.json; skipped when no PostgreSQL
 * answers on WEIR_PG_PORT, default 5433), NATS → NATS (bench/results/connectors-nats.json) and
 * Kafka → Kafka at-least-once and exactly-once against the raw client's loop
 * (bench/results/connectors-kafka.json; skipped when no broker answers on KAFKA_PORT, default 9092).
 *
 * Flags: --only throughput|checkpoints|savepoints|connectors; for savepoints --savepoint-keys N,N,...; for throughput --events N (per run), --reps N (default 5),
 * --queries q0,q1,...; for checkpoints --keys N,N,... (state sizes), --checkpoints N (measured
 * per size), --overhead-events N, --overhead-reps N, --recovery-reps N (default 3),
 * --checkpoint-sections overhead,duration,recovery,back-pressure (default all); --ci (tiny sizes, one repetition, every row
 * of both benchmarks: checks that they run, measures nothing). See ./README.md.
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { runCheckpointBenchmark, type CheckpointSection } from "./checkpoints/run-checkpoints.ts";
import { QUERY_NAMES, type QueryName } from "./queries.ts";
import { runThroughputBenchmark } from "./throughput.ts";
import { runConnectorBenchmark } from "./connectors/run-connectors.ts";
import { runNatsBenchmark } from "./connectors/run-nats.ts";
import { runKafkaBenchmark } from "./connectors/run-kafka.ts";

const { values } = parseArgs({
  options: {
    ci: { type: "boolean", default: false },
    only: { type: "string" },
    events: { type: "string" },
    reps: { type: "string" },
    queries: { type: "string" },
    keys: { type: "string" },
    "savepoint-keys": { type: "string" },
    checkpoints: { type: "string" },
    "overhead-events": { type: "string" },
    "overhead-reps": { type: "string" },
    "recovery-reps": { type: "string" },
    "checkpoint-sections": { type: "string" },
    rows: { type: "string" },
    messages: { type: "string" },
    records: { type: "string" },
    help: { type: "boolean", default: false },
  },
});
const USAGE =
  "usage: npm run bench -- [--only throughput|checkpoints|savepoints|connectors] [--ci]\n" +
  "  throughput:  [--events N] [--reps N] [--queries q0,q1,q2,keyed-count,q3,q5,q7,q8]\n" +
  "  checkpoints: [--keys N,N,...] [--checkpoints N] [--overhead-events N] [--overhead-reps N] [--recovery-reps N] [--checkpoint-sections overhead,duration,recovery,back-pressure]\n" +
  "  savepoints:  [--savepoint-keys N,N,...] [--reps N]\n" +
  "  connectors:  [--rows N] [--reps N] [--messages N] [--records N]";
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const ONLY = ["throughput", "checkpoints", "savepoints", "connectors"];
if (values.only !== undefined && !ONLY.includes(values.only)) {
  console.error(`--only takes ${ONLY.join(", ")}, got '${values.only}'\n${USAGE}`);
  process.exit(2);
}
const ci = values.ci;
const positive = (flag: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(Number.isSafeInteger(n) && n > 0)) {
    console.error(`--${flag} takes a positive whole number, got '${value}'`);
    process.exit(2);
  }
  return n;
};

function queryList(value: string | undefined): QueryName[] {
  if (value === undefined) return [...QUERY_NAMES];
  const names = value.split(",");
  const unknown = names.filter((n) => !(QUERY_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    console.error(`--queries takes ${QUERY_NAMES.join(",")}, got '${unknown.join(",")}'`);
    process.exit(2);
  }
  return names as QueryName[];
}

const selected = (name: string): boolean => values.only === undefined || values.only === name;

if (selected("throughput")) {
  await runThroughputBenchmark({
    events: positive("events", values.events, ci ? 20_000 : 5_000_000),
    reps: positive("reps", values.reps, ci ? 1 : 5),
    queries: queryList(values.queries),
  });
}

if (selected("checkpoints")) {
  if (values.only === undefined) console.log("");
  const intervalMs = ci ? 200 : 1_000;
  const updatesPerSecond = 100_000;
  const timeoutMs = ci ? 60_000 : 360_000;
  await runCheckpointBenchmark({
    overhead: {
      events: positive("overhead-events", values["overhead-events"], ci ? 300_000 : 15_000_000),
      reps: positive("overhead-reps", values["overhead-reps"], ci ? 1 : 5),
      intervalMs,
    },
    keys: values.keys?.split(",").map((k) => positive("keys", k, 0)) ?? (ci ? [1_000] : [100_000, 1_000_000, 10_000_000]),
    duration: { checkpoints: positive("checkpoints", values.checkpoints, ci ? 2 : 15), intervalMs, updatesPerSecond, timeoutMs },
    recovery: { intervalMs, updatesPerSecond, timeoutMs, reps: positive("recovery-reps", values["recovery-reps"], ci ? 1 : 3) },
    ...(values["checkpoint-sections"] === undefined ? {} : { sections: values["checkpoint-sections"].split(",") as CheckpointSection[] }),
    churn: 0.01,
    backPressure: {
      sourceRate: 40_000,
      reps: ci ? 1 : 5,
      checkpoints: ci ? 2 : 20,
      warmup: 2,
      intervalMs: ci ? 200 : 300,
      bufferSize: 1024,
      timeoutMs: ci ? 60_000 : 120_000,
    },
  });
}

if (selected("savepoints")) {
  if (values.only === undefined) console.log("");
  // A process of its own: 10M keys, their snapshots and a restored copy need more heap than the default.
  const keys = values["savepoint-keys"]?.split(",").map((k) => String(positive("savepoint-keys", k, 0))) ?? (ci ? ["10000"] : ["1000000", "10000000"]);
  const rounds = String(positive("reps", values.reps, ci ? 1 : 5));
  const child = spawnSync(
    process.execPath,
    ["--expose-gc", "--max-old-space-size=12288", "--import", "tsx", "--conditions=weir-source", "bench/savepoints.ts", keys.join(","), rounds, "bench/results/savepoints.json"],
    { stdio: "inherit" },
  );
  if (child.status !== 0) throw new Error(`the savepoint benchmark failed (${child.status ?? child.signal})`);
}

if (selected("connectors")) {
  await runConnectorBenchmark({
    rows: positive("rows", values.rows, ci ? 2_000 : 200_000),
    reps: positive("reps", values.reps, ci ? 1 : 5),
    batchSize: 500,
    rowsPerCheckpoint: ci ? 500 : 10_000,
    connection: { port: Number(process.env.WEIR_PG_PORT ?? 5433), database: "test", user: "postgres" },
  });
  await runNatsBenchmark({
    messages: positive("messages", values.messages, ci ? 2_000 : 100_000),
    reps: positive("reps", values.reps, ci ? 1 : 3),
    window: 500,
    fetchSize: 500,
    servers: `127.0.0.1:${process.env.WEIR_NATS_PORT ?? 4222}`,
  });
  await runKafkaBenchmark({
    records: positive("records", values.records, ci ? 2_000 : 200_000),
    reps: positive("reps", values.reps, ci ? 1 : 5),
    partitions: 1,
    batchSize: 500,
    broker: `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`,
  }, !ci);
}
