/**
 * Prints each record as a line on standard output (or standard error). With parallelism above
 * one, each line starts with the subtask's number, as in `2> record`.
 */
import { LineWriter } from "./line-writer.ts";
import type { Sink, SinkWriter } from "./sink.ts";

export interface PrintSinkOptions {
  /** Prepended to every line, before the subtask number. */
  prefix?: string;
  stream?: "stdout" | "stderr";
  format?: (record: unknown) => string;
}

const FLUSH_BYTES = 64 * 1024;

export function formatRecord(record: unknown): string {
  return typeof record === "string" ? record : JSON.stringify(record, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

export function printSink<T>(options: PrintSinkOptions = {}): Sink<T> {
  const fd = options.stream === "stderr" ? 2 : 1;
  const format = options.format ?? formatRecord;
  return {
    createWriter(context): SinkWriter<T> {
      const tag = (options.prefix ?? "") + (context.parallelism > 1 ? `${context.subtaskIndex + 1}> ` : options.prefix ? " " : "");
      const lines = new LineWriter(fd, FLUSH_BYTES);
      return {
        write: (record) => lines.writeLine(tag + format(record)),
        flush: () => lines.flush(),
        close: () => lines.flush(),
      };
    },
  };
}
