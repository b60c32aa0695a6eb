/**
 * Exactly-once from Kafka to Kafka: reads words (one per record, plain text) from topic `--in`,
 * keeps a running count per word, and writes `{ "word": …, "count": … }` (keyed by the word) to
 * topic `--out` in Kafka transactions that commit when a checkpoint completes. Kill the job at
 * any moment and resume it with `--from latest`: a read_committed consumer of `--out` sees each
 * word's counts 1 … n once each. The source's offsets live in checkpoints; the sink takes the
 * job's checkpoint interval for its transaction timeout check. `--bounded` stops at the input's
 * latest offsets when the job starts.
 *
 *   npm run services:up
 *   npx weir run examples/kafka-seed.ts --quiet -- --topic words --count 10000
 *   npx weir run examples/kafka-to-kafka.ts --checkpoint-dir /tmp/kk -- --in words --out word-counts --bounded
 *   npx weir run examples/kafka-print.ts --quiet -- --topic word-counts
 */
import { defineJob, kafkaSink, kafkaSource, type DataStream, type JobArgs, type StreamExecutionEnvironment } from "weir";

export interface WordCount {
  word: string;
  count: number;
}

/**
 * The running count per word of topic `--in` (at `--brokers`), with checkpoints every
 * `--checkpoint-interval` ms (default 1000), exactly-once; offsets are committed to `groupId`.
 */
export function wordCounts(env: StreamExecutionEnvironment, args: JobArgs, groupId: string): DataStream<WordCount> {
  env.enableCheckpointing(args.number("checkpoint-interval", 1000)!, { mode: "exactly-once" });
  return env
    .fromSource(
      kafkaSource<string>({
        bootstrapServers: args.string("brokers", "127.0.0.1:9092")!,
        topics: [args.string("in", "words")!],
        groupId,
        ...(args.flag("bounded") ? { stoppingOffsets: "latest" as const } : {}),
      }),
      "words",
    )
    .uid("words")
    .map((word): WordCount => ({ word, count: 1 }))
    .keyBy((c) => c.word)
    .sum("count")
    .uid("count-per-word");
}

export default defineJob((env, args) => {
  const out = args.string("out", "word-counts")!;
  wordCounts(env, args, "weir-kafka-to-kafka")
    .sinkTo(
      kafkaSink<WordCount>({
        bootstrapServers: args.string("brokers", "127.0.0.1:9092")!,
        topic: out,
        key: (c) => c.word,
        deliveryGuarantee: "exactly-once",
        transactionalIdPrefix: `weir-kafka-to-kafka-${out}`,
        // Lets `weir crash-test` read back what the sink committed.
        readBack: {},
      }),
    )
    .uid("word-counts");
});
