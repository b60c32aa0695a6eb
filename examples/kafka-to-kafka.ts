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
import { defineJob, kafkaSink, kafkaSource } from "weir";

export interface WordCount {
  word: string;
  count: number;
}

export default defineJob((env, args) => {
  const bootstrapServers = args.string("brokers", "127.0.0.1:9092")!;
  const out = args.string("out", "word-counts")!;
  env.enableCheckpointing(args.number("checkpoint-interval", 1000)!, { mode: "exactly-once" });
  env
    .fromSource(
      kafkaSource<string>({
        bootstrapServers,
        topics: [args.string("in", "words")!],
        groupId: "weir-kafka-to-kafka",
        ...(args.flag("bounded") ? { stoppingOffsets: "latest" as const } : {}),
      }),
      "words",
    )
    .uid("words")
    .map((word): WordCount => ({ word, count: 1 }))
    .keyBy((c) => c.word)
    .sum("count")
    .uid("count-per-word")
    .sinkTo(
      kafkaSink<WordCount>({
        bootstrapServers,
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
