/**
 * An exactly-once file sink. Each subtask writes one part file per checkpoint interval:
 *   `.part-<subtask>-<n>.inprogress`  while records are written (hidden),
 *   `.part-<subtask>-<n>.pending`     once checkpointed (flushed, fsynced, still hidden),
 *   `part-<subtask>-<n>`              once the checkpoint completed (visible, committed).
 * Renames are atomic, so a reader of the directory sees whole committed files or nothing. After a
 * restore, pending files of the restored checkpoint are committed and hidden files of this
 * subtask that the checkpoint does not know are deleted. `n` counts part files per subtask and is
 * part of the checkpointed state, so names never repeat within one history of the job.
 * Readers should ignore names starting with "."; only `part-*` files are output.
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { LineWriter } from "./line-writer.ts";
import { formatRecord } from "./print.ts";
import type { Sink } from "./sink.ts";
import { twoPhaseCommitSink, type TransactionalWriter } from "./two-phase-commit-sink.ts";
import { makeDirectoriesSync } from "../core/directories.ts";
import { WeirError } from "../core/errors.ts";

export interface CommittingFileSinkOptions {
  dir: string;
  format?: (record: unknown) => string;
}

/** A part file as stored in checkpoints; `lines` is set when it is pre-committed. */
export interface PartFile {
  readonly subtask: number;
  readonly index: number;
  lines?: number;
}

const FLUSH_BYTES = 256 * 1024;

function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

class PartFileWriter implements TransactionalWriter<unknown, PartFile> {
  private open: { part: PartFile; fd: number; lines: LineWriter; count: number } | undefined;
  private nextIndex = 0;

  constructor(
    private readonly dir: string,
    private readonly subtask: number,
    private readonly format: (record: unknown) => string,
  ) {
    makeDirectoriesSync(dir);
  }

  private path(part: PartFile, stage: "inprogress" | "pending" | "committed"): string {
    const base = `part-${part.subtask}-${part.index}`;
    return join(this.dir, stage === "committed" ? base : `.${base}.${stage}`);
  }

  beginTransaction(): PartFile {
    return { subtask: this.subtask, index: this.nextIndex++ };
  }

  write(part: PartFile, record: unknown): void {
    if (this.open?.part !== part) {
      const fd = openSync(this.path(part, "inprogress"), "w");
      this.open = { part, fd, lines: new LineWriter(fd, FLUSH_BYTES), count: 0 };
    }
    this.open.lines.writeLine(this.format(record));
    this.open.count++;
  }

  preCommit(part: PartFile): void {
    if (this.open?.part !== part) {
      part.lines = 0;
      return;
    }
    part.lines = this.open.count;
    this.open.lines.flush();
    fsyncSync(this.open.fd);
    closeSync(this.open.fd);
    this.open = undefined;
    renameSync(this.path(part, "inprogress"), this.path(part, "pending"));
    fsyncDir(this.dir);
  }

  /** Idempotent: a part already committed stays as it is; a part with lines found nowhere is lost data. */
  commit(part: PartFile): void {
    const pending = this.path(part, "pending");
    if (existsSync(pending)) {
      renameSync(pending, this.path(part, "committed"));
      fsyncDir(this.dir);
    } else if ((part.lines ?? 0) > 0 && !existsSync(this.path(part, "committed"))) {
      throw new WeirError(
        "WEIR_ERR_SINK_CONFLICT",
        `file sink cannot commit '${pending}': it holds ${part.lines} checkpointed lines but is neither pending nor committed in '${this.dir}' (was it deleted?)`,
      );
    }
  }

  abort(part: PartFile): void {
    if (this.open?.part === part) {
      closeSync(this.open.fd);
      this.open = undefined;
    }
    for (const stage of ["inprogress", "pending"] as const) {
      const path = this.path(part, stage);
      if (existsSync(path)) unlinkSync(path);
    }
  }

  /**
   * A fresh start (nothing known) deletes this subtask's hidden files and numbers new part files
   * after the committed ones already there. A restore deletes hidden files the checkpoint does not
   * know and refuses committed files newer than it: they belong to a later history of the job.
   */
  discardStrays(known: readonly PartFile[]): void {
    const keep = new Set(known.map((p) => p.index));
    const hidden = `.part-${this.subtask}-`;
    const visible = `part-${this.subtask}-`;
    let newestCommitted = -1;
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith(hidden)) {
        if (!keep.has(Number(name.slice(hidden.length).split(".")[0]))) unlinkSync(join(this.dir, name));
      } else if (name.startsWith(visible)) {
        const index = Number(name.slice(visible.length));
        if (Number.isInteger(index) && index > newestCommitted) newestCommitted = index;
      }
    }
    if (known.length === 0) {
      this.nextIndex = newestCommitted + 1;
      return;
    }
    // The newest known part is the transaction that was current at the checkpoint: never committed.
    const current = Math.max(...known.map((p) => p.index));
    this.nextIndex = current + 1;
    if (newestCommitted >= current) {
      throw new WeirError(
        "WEIR_ERR_SINK_CONFLICT",
        `file sink directory '${this.dir}' holds committed 'part-${this.subtask}-${newestCommitted}', newer than the restored checkpoint: ` +
          "it was written after that checkpoint; restore from the newest checkpoint, or write to an empty directory",
      );
    }
  }

  close(): void {
    if (this.open !== undefined) {
      closeSync(this.open.fd);
      this.open = undefined;
    }
  }
}

export function committingFileSink<T>(options: CommittingFileSinkOptions): Sink<T> {
  const format = options.format ?? formatRecord;
  return twoPhaseCommitSink<T, PartFile>((context) => new PartFileWriter(options.dir, context.subtaskIndex, format));
}
