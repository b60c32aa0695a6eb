/**
 * Exactly-once from Kafka into PostgreSQL: reads words (one per record, plain text) from topic
 * `--in`, keeps a running count per word, and inserts a row (word, count) for every record with
 * the two-phase-commit sink, which commits a checkpoint's rows when the checkpoint completes.
 * Kill the job at any moment and resume it with `--from latest`: the table holds each word's
 * counts 1 … n once each. `--bounded` stops at the input's latest offsets when the job starts.
 *
 *   npm run services:up        # Kafka on 127.0.0.1:9092, PostgreSQL with max_prepared_transactions on :5433
 *   npx weir run examples/kafka-seed.ts --quiet -- --topic words --count 10000
 *   npx weir run examples/kafka-to-postgres.ts --checkpoint-dir /tmp/kp -- --in words --table word_counts --bounded
 *   psql -h 127.0.0.1 -p 5433 -U postgres test -c 'SELECT word, max(count) FROM word_counts GROUP BY word ORDER BY word'
 */
import { defineJob, postgresTwoPhaseCommitSink } from "weir";
import { wordCounts, type WordCount } from "./kafka-to-kafka.ts";

export default defineJob((env, args) => {
  const table = args.string("table", "word_counts")!;
  wordCounts(env, args, "weir-kafka-to-postgres")
    .sinkTo(
      postgresTwoPhaseCommitSink<WordCount>({
        host: args.string("host", "127.0.0.1"),
        port: args.number("port", 5433),
        user: "postgres",
        database: args.string("database", "test"),
        jobName: table,
        table,
        columns: ["word", "count"],
        toParams: (c) => [c.word, c.count],
        setup: [`CREATE TABLE IF NOT EXISTS ${table} (word TEXT NOT NULL, count INTEGER NOT NULL)`],
        readBack: `SELECT word, count FROM ${table} ORDER BY word, count`,
      }),
    )
    .uid("word-counts");
});
