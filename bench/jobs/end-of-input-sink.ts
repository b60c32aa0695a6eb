/**
 * The throughput benchmark's sink: drops every record, like `discardingSink`, and when its input
 * ends hands the wall-clock time (milliseconds, comparable across threads) to the process that runs
 * the job, as the one record `JobResult.collected(uid)` returns per subtask. The benchmark times
 * processing up to the latest of them, without the job's shutdown after it.
 */
import type { Sink } from "../../src/index.ts";

export function endOfInputSink<T>(): Sink<T> {
  return {
    readsRecordsOnly: true,
    createWriter: (context) => ({
      write: () => {},
      flush: () => context.client.send(context.operatorId, [performance.timeOrigin + performance.now()]),
    }),
  };
}
