/**
 * A bounded source of the lines of UTF-8 text files.
 *
 * Splits: byte ranges of the files. When the job first starts, the enumerator cuts each file into
 * ranges of `splitBytes` (by its size then; a file it cannot stat is one split to its end, whose
 * reader reports why it cannot be read). Readers ask for a split when they have none and whenever
 * they finished one; splits are handed out in file order, then by offset. A range owns the lines
 * that start in it: its reader skips the end of a line that started before the range, and reads
 * the last line that starts in it to that line's end, past the range's end if need be.
 *
 * Lines: a line ends at "\n" or "\r\n", and the terminator is not part of the record. Text after
 * the last terminator is a last line; a file that ends with a terminator has no empty last line,
 * and an empty file has no lines. A byte order mark at the start of a file is dropped. "\n" never
 * occurs inside a multi-byte UTF-8 sequence, so cutting on bytes never splits a character.
 *
 * Reading never blocks the task: chunks are read asynchronously into a bounded buffer (about
 * one MiB of text beyond the line being read), `pollNext` hands over what is buffered, and
 * `isAvailable()` resolves when more lines, the end of input or a failure arrive. A file that is
 * missing or unreadable fails the reader with WEIR_ERR_SOURCE_IO, naming the path, once the lines
 * read before the failure have been handed over.
 *
 * Resuming: a split's position (`offset`) is the byte right after the last line handed to the
 * output (not after what was read ahead). A reader given a split whose offset is past its start
 * checks that the file is at least that long with a line starting there, and otherwise fails with
 * WEIR_ERR_INVALID_ARGUMENT saying what does not fit. Not guaranteed: anything, if a file's
 * content before the offset changed since the checkpoint.
 */
import { Buffer } from "node:buffer";
import { statSync } from "node:fs";
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { invalidArgument, WeirError } from "../core/errors.ts";
import { AVAILABLE } from "./source.ts";
import type { InputStatus, SourceOutput } from "./source.ts";
import { checkSplit, isWholeNumber, promiseWithResolve, SourceReaderBase, type HeldSplit } from "./source-reader-base.ts";
import type { SourceSplit, SplitEnumerator, SplitEnumeratorContext, SplitReaderContext, SplitSource } from "./split-source.ts";

const CHUNK_BYTES = 64 * 1024;
const HIGH_WATER_CHARS = 1024 * 1024;
const BYTE_ORDER_MARK = "\uFEFF";
const CARRIAGE_RETURN = 13;
const NEWLINE = 10;
/** Default size of a file split. */
export const DEFAULT_SPLIT_BYTES = 32 * 1024 * 1024;

export interface FileLinesOptions {
  /** Files are cut into byte ranges of this many bytes (the last range of a file may be shorter). */
  readonly splitBytes?: number;
}

/** The lines of `path` that start in bytes [start, end) (to the end of the file when end is null). */
export interface FileSplit extends SourceSplit {
  readonly path: string;
  readonly start: number;
  readonly end: number | null;
  /** Where reading goes on: `start`, or the byte after the last line handed over. */
  readonly offset: number;
}

export interface FileEnumeratorState {
  readonly unassigned: readonly FileSplit[];
}

export type FileLinesSource = SplitSource<string, FileSplit, FileEnumeratorState>;

export function fileLinesSource(paths: string | readonly string[], options: FileLinesOptions = {}): FileLinesSource {
  const files = typeof paths === "string" ? [paths] : [...paths];
  for (const path of files) {
    if (typeof path !== "string" || path.length === 0) throw invalidArgument("file source paths must be non-empty strings");
  }
  const splitBytes = options.splitBytes ?? DEFAULT_SPLIT_BYTES;
  if (!(Number.isSafeInteger(splitBytes) && splitBytes > 0)) throw invalidArgument(`file source splitBytes must be a positive integer, got ${splitBytes}`);
  return {
    boundedness: "bounded",
    emitsOwnedRecords: true,
    createEnumerator: (context) => new FileSplitEnumerator(context, fileSplits(files, splitBytes)),
    restoreEnumerator: (context, checkpoint) => new FileSplitEnumerator(context, checkpoint.unassigned),
    createReader: (context) => new FileLinesReader(context),
  };
}

/** Each file cut into ranges of `splitBytes`; a file that cannot be statted is one range to its end. */
export function fileSplits(files: readonly string[], splitBytes: number): FileSplit[] {
  const splits: FileSplit[] = [];
  files.forEach((path, j) => {
    let size: number | undefined;
    try {
      const stat = statSync(path);
      if (stat.isFile()) size = stat.size;
    } catch {
      size = undefined;
    }
    if (size === undefined) {
      splits.push({ splitId: `${j}:0`, path, start: 0, end: null, offset: 0 });
      return;
    }
    for (let start = 0; start === 0 || start < size; start += splitBytes) {
      const end = start + splitBytes >= size ? null : start + splitBytes;
      splits.push({ splitId: `${j}:${start}`, path, start, end, offset: start });
    }
  });
  return splits;
}

/** Hands the next unassigned split to each reader that asks; no more splits once all are handed out. */
class FileSplitEnumerator implements SplitEnumerator<FileSplit, FileEnumeratorState> {
  private readonly unassigned: FileSplit[];

  constructor(
    private readonly context: SplitEnumeratorContext<FileSplit>,
    unassigned: readonly FileSplit[],
  ) {
    this.unassigned = [...unassigned];
  }

  start(): void {}

  addReader(): void {}

  handleSplitRequest(subtaskId: number): void {
    const next = this.unassigned.shift();
    if (next === undefined) this.context.signalNoMoreSplits(subtaskId);
    else this.context.assignSplit(next, subtaskId);
  }

  snapshotState(): FileEnumeratorState {
    return { unassigned: this.unassigned.map((s) => ({ ...s })) };
  }
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

/** Reads one byte at `offset` of an open file; undefined past its end. */
async function byteAt(handle: FileHandle, offset: number): Promise<number | undefined> {
  const one = Buffer.alloc(1);
  const { bytesRead } = await handle.read(one, 0, 1, offset);
  return bytesRead === 1 ? one[0] : undefined;
}

/**
 * Buffered lines of one split, or (with `ends`) the mark that its lines are all buffered. The byte
 * offset after line i is found from the bytes only when asked (at a snapshot): line 0 ends at
 * `firstEnd`, line i > 0 after the i-th newline of `chunk` that follows it. `chunk` starts at
 * byte `chunkStart` of the file; it is undefined for a batch of one line.
 */
interface LineBatch {
  readonly split: HeldSplit<FileSplit>;
  readonly lines: string[];
  readonly firstEnd: number;
  readonly chunk: Buffer | undefined;
  readonly chunkStart: number;
  readonly ends?: true;
}

/** The byte offset after line `index` of `batch`. */
function endOfLine(batch: LineBatch, index: number): number {
  let end = batch.firstEnd - batch.chunkStart;
  for (let i = 0; i < index; i++) end = batch.chunk!.indexOf(NEWLINE, end) + 1;
  return batch.chunkStart + end;
}

class FileLinesReader extends SourceReaderBase<string, FileSplit> {
  /** Buffered lines, oldest batch first; `position` indexes into the first batch. */
  private readonly batches: LineBatch[] = [];
  private position = 0;
  private bufferedChars = 0;
  /** The last line handed to the output, whose end is the offset of its split once asked for. */
  private emitted: { batch: LineBatch; index: number } | undefined;
  /** Held splits the pump took and that are not finished yet. */
  private readonly pumped = new Set<HeldSplit<FileSplit>>();
  private pump: Promise<void> | undefined;
  private failure: WeirError | undefined;
  private closed = false;
  private dataWaiter: { promise: Promise<void>; resolve: () => void } | undefined;
  private spaceWaiter: (() => void) | undefined;
  private splitWaiter: (() => void) | undefined;

  constructor(context: SplitReaderContext) {
    super(context);
  }

  protected override adopt(split: FileSplit): HeldSplit<FileSplit> {
    checkSplit(
      split,
      ({ path, start, end, offset }) => typeof path === "string" && isWholeNumber(start) && isWholeNumber(offset) && offset >= start && (end === null || (isWholeNumber(end) && end > start)),
      "a file source split",
      "a path and byte offsets start <= offset, and end > start or null",
    );
    return { ...split };
  }

  override addSplits(splits: readonly FileSplit[]): void {
    super.addSplits(splits);
    this.wakePumpForSplit();
  }

  override notifyNoMoreSplits(): void {
    super.notifyNoMoreSplits();
    this.wakePumpForSplit();
  }

  override start(): void | Promise<void> {
    this.pump ??= this.readSplitsInBackground();
    return super.start();
  }

  protected readSplits(output: SourceOutput<string>, maxRecords: number): InputStatus {
    const batches = this.batches;
    let emitted = 0;
    while (emitted < maxRecords && batches.length > 0) {
      const batch = batches[0]!;
      if (batch.ends === true) {
        batches.shift();
        this.position = 0;
        this.syncEmitted();
        this.pumped.delete(batch.split);
        this.finishSplit(batch.split);
        continue;
      }
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
    return emitted > 0 ? "more-available" : "nothing-available";
  }

  protected snapshotSplit(split: HeldSplit<FileSplit>): FileSplit {
    this.syncEmitted();
    return { splitId: split.splitId, path: split.path, start: split.start, end: split.end, offset: split.offset };
  }

  protected override splitsAvailable(): Promise<void> {
    if (this.batches.length > 0 || this.failure !== undefined) return AVAILABLE;
    this.dataWaiter ??= promiseWithResolve();
    return this.dataWaiter.promise;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakePump();
    this.wakePumpForSplit();
    this.wakeConsumer();
    await this.pump;
  }

  /** Moves the offset of the split of the last line handed over to right after that line. */
  private syncEmitted(): void {
    const emitted = this.emitted;
    if (emitted === undefined) return;
    emitted.batch.split.offset = endOfLine(emitted.batch, emitted.index);
    this.emitted = undefined;
  }

  /** Reads the splits held, one after another, as they come; stops at a failure or when closed. */
  private async readSplitsInBackground(): Promise<void> {
    while (!this.closed) {
      const split = this.splits.find((s) => !this.pumped.has(s));
      if (split === undefined) {
        await new Promise<void>((resolve) => (this.splitWaiter = resolve));
        continue;
      }
      this.pumped.add(split);
      try {
        await this.readSplit(split);
      } catch (error) {
        this.failure = error instanceof WeirError ? error : ioError(split.path, error);
        this.wakeConsumer();
        return;
      }
      if (!this.closed) this.pushBatch({ split, lines: [], firstEnd: 0, chunk: undefined, chunkStart: 0, ends: true }, 0);
    }
  }

  /** A resumed split's offset must fit its file: at most its size, with a line starting there. */
  private async checkResumePosition(handle: FileHandle, path: string, offset: number): Promise<void> {
    const { size } = await handle.stat();
    if (size < offset) {
      throw invalidArgument(`file source cannot resume '${path}' at byte ${offset}: the file has only ${size} bytes (it changed since the checkpoint)`);
    }
    if (offset < size && (await byteAt(handle, offset - 1)) !== NEWLINE) {
      throw invalidArgument(`file source cannot resume '${path}' at byte ${offset}: no line starts there (the file changed since the checkpoint)`);
    }
  }

  /**
   * Reads the lines `split` owns from its offset. Lines are split on the bytes, so the offset after
   * each line is exact whatever the text holds. A fresh split that starts inside a line skips to
   * the next line start; reading stops after the last line that starts before the split's end.
   */
  private async readSplit(split: HeldSplit<FileSplit>): Promise<void> {
    const path = split.path;
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (cause) {
      throw ioError(path, cause);
    }
    try {
      const resumed = split.offset > split.start;
      if (resumed) await this.checkResumePosition(handle, path, split.offset);
      const end = split.end ?? Number.POSITIVE_INFINITY;
      /** Bytes of the line being read, from earlier chunks. */
      const carry: Buffer[] = [];
      let offset = split.offset;
      let atStart = offset === 0;
      // A fresh split that does not start at a line start begins after the next newline.
      let skipping = !resumed && offset > 0 && (await byteAt(handle, offset - 1)) !== NEWLINE;
      // A resumed split whose last line was handed over has nothing left.
      let done = offset >= end;
      while (!this.closed && !done) {
        if (this.bufferedChars >= HIGH_WATER_CHARS) {
          await new Promise<void>((resolve) => (this.spaceWaiter = resolve));
          continue;
        }
        // A fresh buffer per read: batches keep their chunk, to find line offsets at a snapshot.
        const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, offset);
        if (bytesRead === 0) break;
        let chunk = buffer.subarray(0, bytesRead);
        let chunkStart = offset;
        offset += bytesRead;
        if (skipping) {
          const newline = chunk.indexOf(NEWLINE);
          if (newline === -1) continue;
          skipping = false;
          chunkStart += newline + 1;
          chunk = chunk.subarray(newline + 1);
          if (chunkStart >= end) break;
        }
        // The newline that ends the last line starting before `end` ends what this split reads.
        if (end !== Number.POSITIVE_INFINITY) {
          const stop = chunk.indexOf(NEWLINE, Math.max(0, end - 1 - chunkStart));
          if (stop !== -1) {
            chunk = chunk.subarray(0, stop + 1);
            done = true;
          }
        }
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
        this.pushLines(split, chunk, chunkStart, firstNewline, lastNewline, withoutCarriageReturn(first));
        if (lastNewline + 1 < chunk.length) carry.push(chunk.subarray(lastNewline + 1));
      }
      let rest = Buffer.concat(carry).toString("utf8");
      if (atStart && rest.startsWith(BYTE_ORDER_MARK)) rest = rest.slice(1);
      if (!this.closed && rest.length > 0) this.pushBatch({ split, lines: [rest], firstEnd: offset, chunk: undefined, chunkStart: offset }, rest.length + 1);
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
  private pushLines(split: HeldSplit<FileSplit>, chunk: Buffer, chunkStart: number, firstNewline: number, lastNewline: number, first: string): void {
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
    this.pushBatch({ split, lines, firstEnd: chunkStart + firstNewline + 1, chunk, chunkStart }, chars);
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

  private wakePumpForSplit(): void {
    const wake = this.splitWaiter;
    this.splitWaiter = undefined;
    wake?.();
  }
}
