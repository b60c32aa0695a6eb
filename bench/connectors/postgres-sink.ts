/**
 * The PostgreSQL two-phase-commit sink's rate against plain batched inserts of the same rows
 * (multi-row INSERTs of the same batch size, each committed at once): what exactly-once costs in
 * the database. The sink is driven through its writer as a task drives it, taking a checkpoint
 * (PREPARE TRANSACTION, then COMMIT PREPARED) every `rowsPerCheckpoint` rows. The two alternate,
 * the plain inserts first in each repetition, so that load which comes and goes touches both.
 * Each side writes into a table of its own, emptied before each run.
 */
import { JobArgs } from "../../src/api/job-args.ts";
import { postgresTwoPhaseCommitSink } from "../../src/sinks/postgres/postgres-sinks.ts";
import { postgresDialect } from "../../src/sinks/postgres/postgres-dialect.ts";
import { connectSession, type SqlConnectionOptions, type SqlSession } from "../../src/sinks/sql/sql-server.ts";
import type { SinkContext } from "../../src/sinks/sink.ts";
import { summarize, type Summary } from "../stats.ts";

export interface PostgresSinkSettings {
  readonly rows: number;
  readonly reps: number;
  readonly batchSize: number;
  readonly rowsPerCheckpoint: number;
  readonly connection: SqlConnectionOptions;
}

export interface PostgresSinkResult {
  /** Rows per second. */
  readonly twoPhaseCommit: Summary;
  readonly plainInserts: Summary;
  /** Each repetition's two-phase-commit rate over the plain rate just before it. */
  readonly ratio: Summary;
  readonly runs: { readonly twoPhaseCommit: readonly number[]; readonly plainInserts: readonly number[] };
}

type Row = [id: number, name: string, amount: number];

const rowOf = (i: number): Row => [i, `bidder-${i % 1000}`, (i * 7919) % 100_000];

const context = (checkpointing: boolean): SinkContext => ({
  subtaskIndex: 0,
  parallelism: 1,
  args: new JobArgs(),
  operatorId: "bench",
  client: { send: () => {} },
  checkpointing,
  restoredState: undefined,
  restoredStates: [],
  restoredCheckpointId: undefined,
});

async function timeTwoPhaseCommit(s: PostgresSinkSettings, table: string): Promise<number> {
  const sink = postgresTwoPhaseCommitSink<Row>({ ...s.connection, jobName: "bench", table, columns: ["id", "name", "amount"], toParams: (r) => r, batchSize: s.batchSize });
  const writer = await sink.createWriter(context(true));
  const started = performance.now();
  let checkpoint = 0;
  for (let i = 0; i < s.rows; i++) {
    writer.write(rowOf(i));
    if ((i + 1) % s.rowsPerCheckpoint === 0 || i === s.rows - 1) {
      await writer.snapshotState!(++checkpoint);
      await writer.notifyCheckpointComplete!(checkpoint);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  await writer.close!();
  return s.rows / seconds;
}

async function timePlainInserts(s: PostgresSinkSettings, session: SqlSession, table: string): Promise<number> {
  const started = performance.now();
  let batch: Row[] = [];
  for (let i = 0; i < s.rows; i++) {
    batch.push(rowOf(i));
    if (batch.length === s.batchSize || i === s.rows - 1) {
      await postgresDialect.insertRows(session, table, ["id", "name", "amount"], batch);
      batch = [];
    }
  }
  return s.rows / ((performance.now() - started) / 1000);
}

export async function measurePostgresSink(s: PostgresSinkSettings): Promise<PostgresSinkResult> {
  const session = await connectSession(postgresDialect.server(s.connection));
  const tables = { twoPhaseCommit: "weir_bench_2pc", plainInserts: "weir_bench_plain" };
  const runs = { twoPhaseCommit: [] as number[], plainInserts: [] as number[] };
  try {
    for (const t of Object.values(tables)) {
      await session.query(`DROP TABLE IF EXISTS ${t}`);
      await session.query(`CREATE TABLE ${t} (id BIGINT NOT NULL, name TEXT NOT NULL, amount INTEGER NOT NULL)`);
    }
    // One untimed run of each warms the server's caches and the client.
    for (let rep = -1; rep < s.reps; rep++) {
      for (const t of Object.values(tables)) await session.query(`TRUNCATE ${t}`);
      const plain = await timePlainInserts(s, session, tables.plainInserts);
      const twoPhase = await timeTwoPhaseCommit(s, tables.twoPhaseCommit);
      if (rep < 0) continue;
      runs.plainInserts.push(plain);
      runs.twoPhaseCommit.push(twoPhase);
    }
    for (const t of Object.values(tables)) await session.query(`DROP TABLE ${t}`);
  } finally {
    await session.end();
  }
  return {
    twoPhaseCommit: summarize(runs.twoPhaseCommit),
    plainInserts: summarize(runs.plainInserts),
    ratio: summarize(runs.twoPhaseCommit.map((r, i) => r / runs.plainInserts[i]!)),
    runs,
  };
}
