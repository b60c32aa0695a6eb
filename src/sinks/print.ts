/**
 * Prints each record as a line on standard output (or standard error). With parallelism above
 * one, each line starts with the subtask's number, as in `2> record`.
 *
 * Lines are buffered and written in chunks of up to 64 KiB; a line is never held longer than
 * about `FLUSH_AFTER_MS`, so sparse output shows up promptly while dense output costs one write
 * per chunk. A chunk is written whole: a partial write continues, and a full pipe (EAGAIN, when
 * the stream is non-blocking) waits for the reader, which back-pressures the job.
 *
 * When the reader of the stream is gone (EPIPE, as after `weir run job.ts | head`), the sink
 * stops writing and drops every later line; the job goes on. It announces the closed stream once
 * per writer on the BroadcastChannel `OUTPUT_CLOSED_CHANNEL` (any thread of the process can
 * listen), with an `OutputClosedMessage`; the `weir` command ends the job when stdout closes.
 */
import { writeSync } from "node:fs";
import { BroadcastChannel } from "node:worker_threads";
import type { Sink, SinkWriter } from "./sink.ts";

export interface PrintSinkOptions {
  /** Prepended to every line, before the subtask number. */
  prefix?: string;
  stream?: "stdout" | "stderr";
  /** The line for a record (default: strings as they are, anything else as JSON); it must not change the record. */
  format?: (record: unknown) => string;
}

export const OUTPUT_CLOSED_CHANNEL = "weir:print-output-closed";

export interface OutputClosedMessage {
  readonly stream: "stdout" | "stderr";
}

const FLUSH_BYTES = 64 * 1024;
export const FLUSH_AFTER_MS = 200;
const FULL_PIPE_WAIT_MS = 2;

export function formatRecord(record: unknown): string {
  return typeof record === "string" ? record : JSON.stringify(record, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

const pause = new Int32Array(new SharedArrayBuffer(4));

function errorCode(e: unknown): unknown {
  return (e as { code?: unknown } | null)?.code;
}

/** Buffers lines for one of the standard streams; see the module comment for the guarantees. */
class StdioLines {
  private pending = "";
  private pendingSince = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** An error of a flush that ran from the timer, rethrown to the task on its next call. */
  private deferred: unknown;

  constructor(private readonly stream: "stdout" | "stderr") {}

  writeLine(line: string): void {
    this.rethrowDeferred();
    if (this.closed) return;
    const now = performance.now();
    if (this.pending === "") {
      this.pendingSince = now;
      this.timer = setTimeout(() => this.flushFromTimer(), FLUSH_AFTER_MS);
      this.timer.unref();
    }
    this.pending += line + "\n";
    if (this.pending.length >= FLUSH_BYTES || now - this.pendingSince >= FLUSH_AFTER_MS) this.flush();
  }

  flush(): void {
    this.rethrowDeferred();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const text = this.pending;
    this.pending = "";
    if (text !== "" && !this.closed) this.writeAll(Buffer.from(text));
  }

  private flushFromTimer(): void {
    this.timer = undefined;
    try {
      this.flush();
    } catch (e) {
      this.deferred = e;
    }
  }

  private rethrowDeferred(): void {
    if (this.deferred === undefined) return;
    const e = this.deferred;
    this.deferred = undefined;
    throw e;
  }

  private writeAll(bytes: Buffer): void {
    const fd = this.stream === "stderr" ? 2 : 1;
    let offset = 0;
    while (offset < bytes.length) {
      try {
        offset += writeSync(fd, bytes, offset, bytes.length - offset);
      } catch (e) {
        if (errorCode(e) === "EAGAIN") {
          Atomics.wait(pause, 0, 0, FULL_PIPE_WAIT_MS);
          continue;
        }
        if (errorCode(e) !== "EPIPE") throw e;
        this.closed = true;
        announceClosed(this.stream);
        return;
      }
    }
  }
}

function announceClosed(stream: "stdout" | "stderr"): void {
  const channel = new BroadcastChannel(OUTPUT_CLOSED_CHANNEL);
  channel.postMessage({ stream } satisfies OutputClosedMessage);
  channel.close();
}

export function printSink<T>(options: PrintSinkOptions = {}): Sink<T> {
  const stream = options.stream ?? "stdout";
  const format = options.format ?? formatRecord;
  return {
    readsRecordsOnly: true,
    createWriter(context): SinkWriter<T> {
      const tag = (options.prefix ?? "") + (context.parallelism > 1 ? `${context.subtaskIndex + 1}> ` : options.prefix ? " " : "");
      const lines = new StdioLines(stream);
      return {
        write: (record) => lines.writeLine(tag + format(record)),
        flush: () => lines.flush(),
        close: () => lines.flush(),
      };
    },
  };
}
