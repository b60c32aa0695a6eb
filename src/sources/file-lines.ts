/**
 * A bounded source of the lines of UTF-8 text files.
 *
 * Split: file j of `paths` is read by subtask j mod parallelism, whole and in order; a subtask
 * reads its files one after another, in the order given. With fewer files than subtasks, some
 * subtasks emit nothing.
 *
 * Lines: a line ends at "\n" or "\r\n", and the terminator is not part of the record. Text after
 * the last terminator is a last line; a file that ends with a terminator has no empty last line,
 * and an empty file has no lines. A byte order mark at the start of a file is dropped.
 *
 * Reading never blocks the task: chunks are read asynchronously into a bounded buffer (about
 * one MiB of text beyond the line being read), `pollNext` hands over what is buffered, and
 * `isAvailable()` resolves when more lines, the end of input or a failure arrive. A file that is
 * missing or unreadable fails the reader with WEIR_ERR_SOURCE_IO, naming the path, once the lines
 * read before the failure have been handed over.
 */
import { Buffer } from "node:buffer";
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { invalidArgument, WeirError } from "../core/errors.ts";
import { AVAILABLE } from "./source.ts";
import type { InputStatus, Source, SourceOutput, SourceReader } from "./source.ts";

const CHUNK_BYTES = 64 * 1024;
const HIGH_WATER_CHARS = 1024 * 1024;
const BYTE_ORDER_MARK = "\uFEFF";
const CARRIAGE_RETURN = 13;

export function fileLinesSource(paths: string | readonly string[]): Source<string> {
  const files = typeof paths === "string" ? [paths] : [...paths];
  for (const path of files) {
    if (typeof path !== "string" || path.length === 0) throw invalidArgument("file source paths must be non-empty strings");
  }
  return {
    boundedness: "bounded",
    createReader: (context) => new FileLinesReader(files.filter((_, j) => j % context.parallelism === context.subtaskIndex)),
  };
}

function ioError(path: string, cause: unknown): WeirError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === "ENOENT" ? "no such file"
    : code === "EISDIR" ? "it is a directory"
    : code === "EACCES" ? "permission denied"
    : cause instanceof Error ? cause.message
    : String(cause);
  return new WeirError("WEIR_ERR_SOURCE_IO", `file source cannot read '${path}': ${reason}`, { cause });
}

function withoutCarriageReturn(line: string): string {
  return line.charCodeAt(line.length - 1) === CARRIAGE_RETURN ? line.slice(0, -1) : line;
}

class FileLinesReader implements SourceReader<string> {
  /** Buffered lines, oldest batch first; `position` indexes into the first batch. */
  private readonly batches: string[][] = [];
  private position = 0;
  private bufferedChars = 0;
  private pump: Promise<void> | undefined;
  private finished = false;
  private failure: WeirError | undefined;
  private closed = false;
  private dataWaiter: { promise: Promise<void>; resolve: () => void } | undefined;
  private spaceWaiter: (() => void) | undefined;

  constructor(private readonly files: readonly string[]) {}

  open(): void {
    this.start();
  }

  pollNext(output: SourceOutput<string>, maxRecords: number): InputStatus {
    this.start();
    const batches = this.batches;
    let emitted = 0;
    while (emitted < maxRecords && batches.length > 0) {
      const batch = batches[0]!;
      let position = this.position;
      while (emitted < maxRecords && position < batch.length) {
        const line = batch[position++]!;
        this.bufferedChars -= line.length + 1;
        emitted++;
        output.collect(line);
      }
      if (position === batch.length) {
        batches.shift();
        position = 0;
      }
      this.position = position;
    }
    if (this.bufferedChars < HIGH_WATER_CHARS) this.wakePump();
    if (batches.length > 0) return "more-available";
    if (this.failure !== undefined) throw this.failure;
    return this.finished ? "end-of-input" : "nothing-available";
  }

  isAvailable(): Promise<void> {
    this.start();
    if (this.batches.length > 0 || this.finished) return AVAILABLE;
    if (this.dataWaiter === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.dataWaiter = { promise, resolve };
    }
    return this.dataWaiter.promise;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakePump();
    this.wakeConsumer();
    await this.pump;
  }

  private start(): void {
    if (this.pump !== undefined || this.closed) return;
    this.pump = this.readAll();
  }

  private async readAll(): Promise<void> {
    for (const path of this.files) {
      if (this.closed) break;
      try {
        await this.readFile(path);
      } catch (error) {
        this.failure = error instanceof WeirError ? error : ioError(path, error);
        break;
      }
    }
    this.finished = true;
    this.wakeConsumer();
  }

  private async readFile(path: string): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (cause) {
      throw ioError(path, cause);
    }
    try {
      const decoder = new StringDecoder("utf8");
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      let pending = "";
      let atStart = true;
      while (!this.closed) {
        if (this.bufferedChars >= HIGH_WATER_CHARS) {
          await new Promise<void>((resolve) => (this.spaceWaiter = resolve));
          continue;
        }
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
        if (bytesRead === 0) break;
        let text = decoder.write(buffer.subarray(0, bytesRead));
        if (atStart && text.length > 0) {
          if (text.startsWith(BYTE_ORDER_MARK)) text = text.slice(1);
          atStart = false;
        }
        pending = this.pushLines(pending, text);
      }
      let rest = pending + decoder.end();
      if (atStart && rest.startsWith(BYTE_ORDER_MARK)) rest = rest.slice(1);
      if (!this.closed && rest.length > 0) this.pushBatch([rest], rest.length + 1);
    } catch (cause) {
      throw ioError(path, cause);
    } finally {
      await handle.close();
    }
  }

  /** Buffers the lines `text` completes after `pending`, and returns the unterminated rest. */
  private pushLines(pending: string, text: string): string {
    let newline = text.indexOf("\n");
    if (newline === -1) return pending + text;
    const first = withoutCarriageReturn(pending + text.slice(0, newline));
    const lines = [first];
    let chars = first.length + 1;
    let start = newline + 1;
    while ((newline = text.indexOf("\n", start)) !== -1) {
      const end = newline > start && text.charCodeAt(newline - 1) === CARRIAGE_RETURN ? newline - 1 : newline;
      const line = text.slice(start, end);
      lines.push(line);
      chars += line.length + 1;
      start = newline + 1;
    }
    this.pushBatch(lines, chars);
    return text.slice(start);
  }

  private pushBatch(lines: string[], chars: number): void {
    this.batches.push(lines);
    this.bufferedChars += chars;
    this.wakeConsumer();
  }

  private wakeConsumer(): void {
    const waiter = this.dataWaiter;
    this.dataWaiter = undefined;
    waiter?.resolve();
  }

  private wakePump(): void {
    const wake = this.spaceWaiter;
    this.spaceWaiter = undefined;
    wake?.();
  }
}
