/**
 * Writes `--count` words to topic `--topic` (created by the broker on first use), record i being
 * the word `w<i mod --words>`: input for examples/kafka-to-kafka.ts and kafka-to-postgres.ts.
 * Each run appends: run it once per topic.
 *
 *   npx weir run examples/kafka-seed.ts --quiet -- --topic words --count 10000 --words 10
 */
import { defineJob, generatorSource, kafkaSink } from "weir";

export default defineJob((env, args) => {
  const words = args.number("words", 10)!;
  env
    .fromSource(generatorSource<string>({ count: args.number("count", 10_000)!, generate: (i) => `w${i % words}` }), "words")
    .sinkTo(kafkaSink<string>({ bootstrapServers: args.string("brokers", "127.0.0.1:9092")!, topic: args.string("topic", "words")!, value: (w) => w }));
});
