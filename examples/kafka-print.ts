/**
 * Prints what a read_committed consumer sees in topic `--topic` now (the committed output of
 * examples/kafka-to-kafka.ts), one record a line, and ends.
 *
 *   npx weir run examples/kafka-print.ts --quiet -- --topic word-counts
 */
import { defineJob, kafkaSource } from "weir";

export default defineJob((env, args) => {
  env
    .fromSource(kafkaSource({ bootstrapServers: args.string("brokers", "127.0.0.1:9092")!, topics: [args.string("topic", "word-counts")!], stoppingOffsets: "latest" }), "committed")
    .print();
});
