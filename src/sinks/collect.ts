/**
 * A collecting sink for tests and small jobs: records are handed back to the process that runs
 * the job, where `JobResult.collected(id)` returns them (id = the sink's uid, else its name).
 * Records of one subtask keep their order; records of different subtasks interleave.
 */
import type { Sink, SinkWriter } from "./sink.ts";

const BATCH = 1024;

export function collectSink<T>(): Sink<T> {
  return {
    createWriter(context): SinkWriter<T> {
      let batch: T[] = [];
      const flush = (): void => {
        if (batch.length > 0) {
          context.client.send(context.operatorId, batch);
          batch = [];
        }
      };
      return {
        write(record) {
          batch.push(record);
          if (batch.length >= BATCH) flush();
        },
        flush,
        // Always reports once, so a sink that received nothing still shows up, empty.
        close() {
          context.client.send(context.operatorId, batch);
          batch = [];
        },
      };
    },
  };
}

/** Drops every record; for benchmarks, where only throughput matters. */
export function discardingSink<T>(): Sink<T> {
  return { readsRecordsOnly: true, createWriter: () => ({ write: () => {} }) };
}
