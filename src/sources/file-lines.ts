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
 *
 * Resuming: `snapshotState()` returns the position right after the last line handed to the output
 * (not after what was read ahead): the index of the file in this subtask's share, its path, and the
 * byte offset after that line's terminator. A reader restored from it reads that file from that
 * offset, then the files after it. The position must fit: same share of files (the index names the
 * same path), and the file at least that long with a line starting at the offset; otherwise the
 * reader fails with WEIR_ERR_INVALID_ARGUMENT saying what does not fit. Not guaranteed: anything,
 * if a file's content before the offset changed since the checkpoint.
 */
import { Buffer } from "node:buffer";
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { invalidArgument, WeirError } from "../core/errors.ts";
import { AVAILABLE } from "./source.ts";
import type { InputStatus, Source, SourceOutput, SourceReader, SourceReaderContext } from "./source.ts";

const CHUNK_BYTES = 64 * 1024;
const HIGH_WATER_CHARS = 1024 * 1024;
const BYTE_ORDER_MARK = "\uFEFF";
const CARRIAGE_RETURN = 13;
const NEWLINE = 10;

export function fileLinesSource(paths: string | readonly string[]): Source<string> {
  const files = typeof paths === "string" ? [paths] : [...paths];
  for (const path of files) {
    if (typeof path !== "string" || path.length === 0) throw invalidArgument("file source paths must be non-empty strings");
  }
  return {
    boundedness: "bounded",
    emitsOwnedRecords: true,
    createReader: (context) => {
      const share = files.filter((_, j) => j % context.parallelism === context.subtaskIndex);
      return new FileLinesReader(share, restoredPosition(context, share));
    },
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

/** Where a reader stands: right after the line that ends at byte `offset` of its file number `file`. */
export interface FileLinesPosition {
  /** Index into this subtask's share of the files. */
  readonly file: number;
  /** The file's path, to check that a restored reader has the same share; null for an empty share. */
  readonly path: string | null;
  /** Bytes from the start of the file to the start of the next line. */
  readonly offset: number;
}

function describePosition(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The restored position of a reader with files `share`, checked to name one of them; undefined on a fresh start. */
function restoredPosition(context: SourceReaderContext, share: readonly string[]): FileLinesPosition | undefined {
  const restored = context.restoredState;
  if (restored === undefined) return undefined;
  const where = `restored file source position ${describePosition(restored)} of subtask ${context.subtaskIndex} of ${context.parallelism}`;
  if (restored === null || typeof restored !== "object") throw invalidArgument(`${where} is not a file source position`);
  const { file, path, offset } = restored as Partial<Record<keyof FileLinesPosition, unknown>>;
  if (typeof file !== "number" || !Number.isSafeInteger(file) || file < 0 || typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
    throw invalidArgument(`${where} is not a file source position: it needs a file index and a byte offset, both whole numbers of at least 0`);
  }
  if (share.length === 0) {
    if (file !== 0 || offset !== 0 || path !== null) throw invalidArgument(`${where} does not fit: this subtask reads no files`);
    return { file, path: null, offset };
  }
  if (file >= share.length) {
    throw invalidArgument(`${where} does not fit: it names file ${file + 1} of this subtask, which reads ${share.length} file(s)`);
  }
  if (path !== share[file]) {
    throw invalidArgument(`${where} does not fit: file ${file + 1} of this subtask is '${share[file]}', not ${describePosition(path)}`);
  }
  return { file, path, offset };
}

/** Reads one byte at `offset` of an open file; undefined past its end. */
async function byteAt(handle: FileHandle, offset: number): Promise<number | undefined> {
  const one = Buffer.alloc(1);
  const { bytesRead } = await handle.read(one, 0, 1, offset);
  return bytesRead === 1 ? one[0] : undefined;
}

/**
 * Buffered lines of one file. The byte offset after line i is found from the bytes only when asked
 * (at a snapshot): line 0 ends at `firstEnd`, line i > 0 after the i-th newline of `chunk` that
 * follows it. `chunk` starts at byte `chunkStart` of the file; it is undefined for a batch of one line.
 */
interface LineBatch {
  readonly file: number;
  readonly lines: string[];
  readonly firstEnd: number;
  readonly chunk: Buffer | undefined;
  readonly chunkStart: number;
}

/** The byte offset after line `index` of `batch`. */
function endOfLine(batch: LineBatch, index: number): number {
  let end = batch.firstEnd - batch.chunkStart;
  for (let i = 0; i < index; i++) end = batch.chunk!.indexOf(NEWLINE, end) + 1;
  return batch.chunkStart + end;
}

class FileLinesReader implements SourceReader<string> {
  /** Buffered lines, oldest batch first; `position` indexes into the first batch. */
  private readonly batches: LineBatch[] = [];
  private position = 0;
  private bufferedChars = 0;
  /** The last line handed to the output, as its batch and index; or, before any, the position to start from. */
  private emitted: { batch: LineBatch; index: number } | FileLinesPosition;
  private pump: Promise<void> | undefined;
  /** Settles once the restored position was checked against its file (at once on a fresh start). */
  private resumeCheck: Promise<void> | undefined;
  private finished = false;
  private failure: WeirError | undefined;
  private closed = false;
  private dataWaiter: { promise: Promise<void>; resolve: () => void } | undefined;
  private spaceWaiter: (() => void) | undefined;

  constructor(
    private readonly files: readonly string[],
    private readonly restored: FileLinesPosition | undefined,
  ) {
    this.emitted = restored ?? { file: 0, path: files[0] ?? null, offset: 0 };
  }

  /** Fails with the reason when a restored position does not fit its file. */
  async open(): Promise<void> {
    this.start();
    await this.resumeCheck;
  }

  pollNext(output: SourceOutput<string>, maxRecords: number): InputStatus {
    this.start();
    const batches = this.batches;
    let emitted = 0;
    while (emitted < maxRecords && batches.length > 0) {
      const batch = batches[0]!;
      const lines = batch.lines;
      const first = this.position;
      let position = first;
      while (emitted < maxRecords && position < lines.length) {
        const line = lines[position++]!;
        this.bufferedChars -= line.length + 1;
        emitted++;
        output.collect(line);
      }
      if (position > first) this.emitted = { batch, index: position - 1 };
      if (position === lines.length) {
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

  /** The position right after the last line handed to the output. */
  snapshotState(): FileLinesPosition {
    const emitted = this.emitted;
    if (!("batch" in emitted)) return emitted;
    const { batch, index } = emitted;
    const position = { file: batch.file, path: this.files[batch.file]!, offset: endOfLine(batch, index) };
    this.emitted = position;
    return position;
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
    this.resumeCheck = this.restored === undefined || this.restored.path === null ? Promise.resolve() : this.checkResumePosition(this.restored.path, this.restored.offset);
    this.pump = this.readAll();
  }

  /** The file is at least `offset` bytes long, and a line starts at `offset` (or the file ends there). */
  private async checkResumePosition(path: string, offset: number): Promise<void> {
    if (offset === 0) return;
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (cause) {
      throw ioError(path, cause);
    }
    try {
      const { size } = await handle.stat();
      if (size < offset) {
        throw invalidArgument(`file source cannot resume '${path}' at byte ${offset}: the file has only ${size} bytes (it changed since the checkpoint)`);
      }
      if (offset < size && (await byteAt(handle, offset - 1)) !== NEWLINE) {
        throw invalidArgument(`file source cannot resume '${path}' at byte ${offset}: no line starts there (the file changed since the checkpoint)`);
      }
    } catch (cause) {
      throw cause instanceof WeirError ? cause : ioError(path, cause);
    } finally {
      await handle.close();
    }
  }

  private async readAll(): Promise<void> {
    const from = this.restored;
    try {
      await this.resumeCheck;
    } catch (error) {
      this.failure = error instanceof WeirError ? error : ioError(from?.path ?? "", error);
      this.finished = true;
      this.wakeConsumer();
      return;
    }
    for (let file = from?.file ?? 0; file < this.files.length; file++) {
      if (this.closed) break;
      const path = this.files[file]!;
      try {
        await this.readFile(file, path, file === from?.file ? from.offset : 0);
      } catch (error) {
        this.failure = error instanceof WeirError ? error : ioError(path, error);
        break;
      }
    }
    this.finished = true;
    this.wakeConsumer();
  }

  /**
   * Reads file number `file` from byte `from` (a line start). Lines are split on the bytes, so the
   * offset after each line is exact whatever the text holds: "\n" never occurs inside a multi-byte
   * UTF-8 sequence, so splitting bytes and then decoding gives the same lines as decoding first.
   */
  private async readFile(file: number, path: string, from: number): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (cause) {
      throw ioError(path, cause);
    }
    try {
      /** Bytes of the line being read, from earlier chunks. */
      const carry: Buffer[] = [];
      let atStart = from === 0;
      let offset = from;
      while (!this.closed) {
        if (this.bufferedChars >= HIGH_WATER_CHARS) {
          await new Promise<void>((resolve) => (this.spaceWaiter = resolve));
          continue;
        }
        // A fresh buffer per read: batches keep their chunk, to find line offsets at a snapshot.
        const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, offset);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        const chunkStart = offset;
        offset += bytesRead;
        const firstNewline = chunk.indexOf(NEWLINE);
        if (firstNewline === -1) {
          carry.push(chunk);
          continue;
        }
        let first = carry.length === 0 ? chunk.toString("utf8", 0, firstNewline) : Buffer.concat([...carry, chunk.subarray(0, firstNewline)]).toString("utf8");
        carry.length = 0;
        if (atStart && first.startsWith(BYTE_ORDER_MARK)) first = first.slice(1);
        atStart = false;
        const lastNewline = chunk.lastIndexOf(NEWLINE);
        this.pushLines(file, chunk, chunkStart, firstNewline, lastNewline, withoutCarriageReturn(first));
        if (lastNewline + 1 < chunk.length) carry.push(chunk.subarray(lastNewline + 1));
      }
      let rest = Buffer.concat(carry).toString("utf8");
      if (atStart && rest.startsWith(BYTE_ORDER_MARK)) rest = rest.slice(1);
      if (!this.closed && rest.length > 0) this.pushBatch({ file, lines: [rest], firstEnd: offset, chunk: undefined, chunkStart: offset }, rest.length + 1);
    } catch (cause) {
      throw cause instanceof WeirError ? cause : ioError(path, cause);
    } finally {
      await handle.close();
    }
  }

  /**
   * Buffers the lines a chunk completes: `first` (ending at the chunk's first newline), then every
   * line between that newline and the chunk's last one. `chunkStart` is the chunk's file offset;
   * the newlines' positions are indexes into `chunk`.
   */
  private pushLines(file: number, chunk: Buffer, chunkStart: number, firstNewline: number, lastNewline: number, first: string): void {
    const lines = [first];
    let chars = first.length + 1;
    if (lastNewline > firstNewline) {
      const text = chunk.toString("utf8", firstNewline + 1, lastNewline + 1);
      let start = 0;
      let newline: number;
      while ((newline = text.indexOf("\n", start)) !== -1) {
        const end = newline > start && text.charCodeAt(newline - 1) === CARRIAGE_RETURN ? newline - 1 : newline;
        const line = text.slice(start, end);
        lines.push(line);
        chars += line.length + 1;
        start = newline + 1;
      }
    }
    this.pushBatch({ file, lines, firstEnd: chunkStart + firstNewline + 1, chunk, chunkStart }, chars);
  }

  private pushBatch(batch: LineBatch, chars: number): void {
    this.batches.push(batch);
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
