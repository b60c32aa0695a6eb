/**
 * A collecting sink for tests and small jobs: records are handed back to the process that runs
 * the job, where `JobResult.collected(id)` returns them (id = the sink's uid, else its name).
 * Records of one subtask keep their order; records of different subtasks interleave.
 *
 * Guarantee: at least once. Records are handed back as they are written, so after a restart
 * the records the failed attempt wrote since its last checkpoint are handed back again.
 */
import type { Sink, SinkWriter } from "./sink.ts";

const BATCH = 1024;

export function collectSink<T>(): Sink<T> {
  return {
    committed: { guarantee: "at-least-once", read: (run) => run.collected(run.operatorId) },
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
