/**
 * Exactly-once into PostgreSQL: N deterministic events, event i with key `i mod K`; a keyed
 * process function counts per key; each `(key, count)` row is inserted by the two-phase-commit
 * sink, which commits a checkpoint's rows when the checkpoint completes. Kill the job at any
 * moment and resume it with `--from latest`: the table holds, for every key k, exactly the rows
 * (k, 1) … (k, n_k) once each. `--upsert` writes each key's latest count instead
 * (at-least-once, replay-safe).
 *
 *   npm run services:up        # PostgreSQL with max_prepared_transactions on 127.0.0.1:5433
 *   npx weir run examples/counts-to-postgres.ts --checkpoint-interval 200 --checkpoint-dir /tmp/chk \
 *     -- --events 100000 --keys 100 --port 5433 --table counts
 *   psql -h 127.0.0.1 -p 5433 -U postgres test -c 'SELECT k, max(c) FROM counts GROUP BY k ORDER BY k LIMIT 5'
 */
import {
  defineJob,
  generatorSource,
  KeyedProcessFunction,
  postgresTwoPhaseCommitSink,
  postgresUpsertSink,
  ValueStateDescriptor,
  type Collector,
  type KeyedContext,
  type RuntimeContext,
  type ValueState,
} from "weir";

export type Count = [key: number, count: number];

/** Counts events per key and emits `[key, count so far]` for every event. */
export class CountRows extends KeyedProcessFunction<number, number, Count> {
  private count!: ValueState<number>;

  override open(context: RuntimeContext): void {
    this.count = context.getState(new ValueStateDescriptor<number>("count"));
  }

  processElement(key: number, _ctx: KeyedContext<number>, out: Collector<Count>): void {
    const count = (this.count.value() ?? 0) + 1;
    this.count.update(count);
    out.collect([key, count]);
  }
}

export default defineJob((env, args) => {
  const events = args.number("events", 100_000)!;
  const keys = args.number("keys", 100)!;
  const table = args.string("table", "counts")!;
  const connection = { host: args.string("host", "127.0.0.1"), port: args.number("port", 5433), user: "postgres", database: args.string("database", "test") };
  const counts = env
    .fromSource(generatorSource<number>({ count: events, eventsPerSecond: args.number("rate"), generate: (i) => i % keys }), "events")
    .uid("events")
    .keyBy((k) => k)
    .process(new CountRows())
    .uid("count-per-key");
  if (args.flag("upsert")) {
    counts
      .sinkTo(
        postgresUpsertSink<Count>({
          ...connection,
          table: `${table}_latest`,
          columns: ["k", "c"],
          keyColumns: ["k"],
          toParams: (r) => r,
          setup: [`CREATE TABLE IF NOT EXISTS ${table}_latest (k INTEGER PRIMARY KEY, c INTEGER NOT NULL)`],
        }),
      )
      .uid("latest-counts");
  } else {
    counts
      .sinkTo(
        postgresTwoPhaseCommitSink<Count>({
          ...connection,
          jobName: table,
          table,
          columns: ["k", "c"],
          toParams: (r) => r,
          setup: [`CREATE TABLE IF NOT EXISTS ${table} (k INTEGER NOT NULL, c INTEGER NOT NULL)`],
        }),
      )
      .uid("counts");
  }
});
