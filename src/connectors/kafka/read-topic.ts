/**
 * Reads what a read_committed consumer sees in a topic now: every partition from its earliest
 * offset up to its last stable offset at the start of the read, partition after partition, each
 * in offset order. Records of aborted transactions are skipped; those of a transaction still open
 * (and everything after it in its partition) are not read. It is the Kafka sink's read-back for
 * the crash-test kit (what the sink committed), and a check for tests and examples.
 *
 * The read uses the source's own partition reader, so it filters transactions as the source does.
 * Not guaranteed: records committed while it reads may be left out.
 */
import { JobArgs } from "../../api/job-args.ts";
import { systemClock } from "../../core/clock.ts";
import type { ReaderOutput, SplitReaderContext } from "../../sources/split-source.ts";
import type { KafkaConnectionOptions } from "./kafka-connection.ts";
import { KafkaPartitionReader } from "./kafka-partition-reader.ts";
import { findSplits, resolveKafkaSource, type KafkaDeserializer } from "./kafka-source.ts";

export interface ReadKafkaTopicOptions<T> extends KafkaConnectionOptions {
  readonly topic: string;
  /** Default "json" (the Kafka sink's default value is the record as JSON). */
  readonly deserializer?: KafkaDeserializer<T>;
}

/** Every record of `options.topic` that is committed now, decoded by the deserializer. */
export async function readKafkaTopic<T = unknown>(options: ReadKafkaTopicOptions<T>): Promise<T[]> {
  const { topic, deserializer, ...connection } = options;
  const resolved = resolveKafkaSource<T>({ ...connection, topics: [topic], stoppingOffsets: "latest", deserializer: deserializer ?? ("json" as KafkaDeserializer<T>) });
  const splits = await findSplits(resolved, "earliest");
  const context: SplitReaderContext = {
    subtaskIndex: 0,
    parallelism: 1,
    args: new JobArgs([]),
    clock: systemClock,
    sendSplitRequest: () => {},
    sendSourceEventToCoordinator: () => {},
    sendSplitsFinished: () => {},
  };
  const reader = new KafkaPartitionReader<T>(context, resolved);
  const records: T[] = [];
  const output: ReaderOutput<T> = { collect: (record) => records.push(record), createOutputForSplit: () => output, releaseOutputForSplit: () => {} };
  try {
    reader.addSplits(splits);
    reader.notifyNoMoreSplits();
    await reader.start();
    for (;;) {
      const status = reader.pollNext(output, 10_000);
      if (status === "end-of-input") return records;
      if (status === "nothing-available") await reader.isAvailable();
    }
  } finally {
    await reader.close();
  }
}
