/**
 * A plain file sink: each subtask appends records, one per line, to `<dir>/part-<subtask>` (or
 * `<dir>/<prefix>-<subtask>`). Lines become visible as the writer's buffer is flushed. It gives no
 * guarantee across failures: a restarted job appends again. (The checkpointed, exactly-once file
 * sink is a separate sink.)
 */
import { closeSync, openSync } from "node:fs";
import { makeDirectoriesSync } from "../core/directories.ts";
import { join } from "node:path";
import { LineWriter } from "./line-writer.ts";
import { formatRecord } from "./print.ts";
import type { Sink, SinkWriter } from "./sink.ts";

export interface FileSinkOptions {
  dir: string;
  /** File name before the subtask number; default "part". */
  prefix?: string;
  /** The line for a record (default: strings as they are, anything else as JSON); it must not change the record. */
  format?: (record: unknown) => string;
  /** Truncate existing part files when the job starts (default) or append to them. */
  mode?: "overwrite" | "append";
}

const FLUSH_BYTES = 256 * 1024;

export function fileSink<T>(options: FileSinkOptions): Sink<T> {
  const format = options.format ?? formatRecord;
  return {
    readsRecordsOnly: true,
    createWriter(context): SinkWriter<T> {
      makeDirectoriesSync(options.dir);
      const path = join(options.dir, `${options.prefix ?? "part"}-${context.subtaskIndex}`);
      const fd = openSync(path, options.mode === "append" ? "a" : "w");
      const lines = new LineWriter(fd, FLUSH_BYTES);
      return {
        write: (record) => lines.writeLine(format(record)),
        flush: () => lines.flush(),
        close() {
          lines.flush();
          closeSync(fd);
        },
      };
    },
  };
}
