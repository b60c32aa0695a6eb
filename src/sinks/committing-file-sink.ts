/**
 * An exactly-once file sink. Each subtask writes one part file per checkpoint interval:
 *   `.part-<subtask>-<n>.inprogress`  while records are written (hidden),
 *   `.part-<subtask>-<n>.pending`     once checkpointed (flushed, fsynced, still hidden),
 *   `part-<subtask>-<n>`              once the checkpoint completed (visible, committed).
 * Renames are atomic, so a reader of the directory sees whole committed files or nothing. After a
 * restore, pending files of the restored checkpoint are committed and hidden files of this
 * subtask that the checkpoint does not know are deleted. `n` numbers part files and is part of the
 * checkpointed state, so names never repeat within one history of the job. A restore at another
 * parallelism hands the files of old subtask s to writer s mod parallelism. After a restore or
 * into existing output, every writer numbers its parts after the highest `n` in the directory, of
 * any subtask: `n` only grows along the job's history, also when a key moves to another subtask,
 * so reading parts by `n`, then subtask, gives each key's lines in the order they were written.
 * Readers should ignore names starting with "."; only `part-*` files are output.
 *
 * A fresh start (no restored state) into a directory that already holds committed part files
 * would mix this run's output with another's; it is refused unless `existingOutput` says to
 * append after them or to replace them. The directory is checked when the writer is created,
 * before any record flows: it must be (or be creatable as) a writable directory.
 */
import { accessSync, closeSync, constants, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { LineWriter } from "./line-writer.ts";
import { formatRecord } from "./print.ts";
import type { CommittedOutput, Sink } from "./sink.ts";
import { twoPhaseCommitSink, type TransactionalWriter } from "./two-phase-commit-sink.ts";
import { makeDirectoriesSync } from "../core/directories.ts";
import { WeirError } from "../core/errors.ts";

export interface CommittingFileSinkOptions {
  dir: string;
  /** The line for a record (default: strings as they are, anything else as JSON); it must not change the record. */
  format?: (record: unknown) => string;
  /**
   * What a fresh start (nothing restored) does when `dir` already holds committed part files:
   * "refuse" (default) fails the job before any record flows; "append" keeps them and numbers new
   * part files after them; "replace" deletes them first. A restore always continues its own files.
   */
  existingOutput?: "refuse" | "append" | "replace";
}

/** A committed part file's name: `part-<subtask>-<n>`. */
const COMMITTED = /^part-(\d+)-(\d+)$/;
/** A part file not yet committed: `.part-<subtask>-<n>.<stage>`. */
const HIDDEN = /^\.part-(\d+)-(\d+)\./;

/** The committed part files in `dir` as [subtask, index, name], by index then subtask (see the module header); none if `dir` is absent. */
function committedParts(dir: string): [number, number, string][] {
  if (!existsSync(dir)) return [];
  const parts: [number, number, string][] = [];
  for (const name of readdirSync(dir)) {
    const m = COMMITTED.exec(name);
    if (m !== null) parts.push([Number(m[1]), Number(m[2]), name]);
  }
  return parts.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
}

/** Reads back the committed lines of a committing file sink's directory, each key's in the order they were written. */
export function committedFileLines(dir: string): string[] {
  return committedParts(dir).flatMap(([, , name]) => readFileSync(join(dir, name), "utf8").split("\n").filter((l) => l !== ""));
}

/** Makes `dir` a writable directory, or says why it cannot be one (WEIR_ERR_SINK_IO). */
function prepareDirectory(dir: string): void {
  const refuse = (why: string, cause?: unknown): never => {
    throw new WeirError("WEIR_ERR_SINK_IO", `file sink cannot write to '${dir}': ${why}`, { cause });
  };
  try {
    if (existsSync(dir) && !statSync(dir).isDirectory()) refuse("it is a file, not a directory");
    makeDirectoriesSync(dir);
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    if (e instanceof WeirError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    refuse(code === "EACCES" || code === "EPERM" ? "permission denied" : code === "ENOTDIR" || code === "EEXIST" ? "a part of the path is a file" : String(e), e);
  }
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
    private readonly parallelism: number,
    private readonly format: (record: unknown) => string,
    private readonly existingOutput: "refuse" | "append" | "replace",
  ) {
    prepareDirectory(dir);
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
   * A fresh start (nothing known, not resumed) deletes this subtask's hidden files and deals with
   * committed files of another run as `existingOutput` says. A restore deletes hidden files the
   * checkpoint does not know and refuses committed files newer than it: they belong to a later
   * history of the job. Files named for subtask s belong to the writer s mod parallelism, so after
   * a rescale each old subtask's files are cleaned once, by the writer that took over its state.
   */
  discardStrays(known: readonly PartFile[], resumed: boolean): void {
    if (known.length === 0 && !resumed) this.startFresh();
    const keep = new Set(known.map((p) => `${p.subtask}-${p.index}`));
    /** Per subtask owned here, the newest part index the checkpoint knows (its then current transaction, never committed). */
    const current = new Map<number, number>();
    for (const p of known) current.set(p.subtask, Math.max(current.get(p.subtask) ?? -1, p.index));
    const newestCommitted = new Map<number, number>();
    let highest = known.reduce((max, p) => Math.max(max, p.index), -1);
    for (const name of readdirSync(this.dir)) {
      const hidden = HIDDEN.exec(name);
      if (hidden !== null) {
        const subtask = Number(hidden[1]);
        if (subtask % this.parallelism === this.subtask) {
          if (keep.has(`${subtask}-${hidden[2]}`)) highest = Math.max(highest, Number(hidden[2]));
          else unlinkSync(join(this.dir, name));
        } else if (resumed && name.endsWith(".pending")) {
          // Another writer's part of the restored checkpoint, which that writer commits now.
          highest = Math.max(highest, Number(hidden[2]));
        }
        continue;
      }
      const committed = COMMITTED.exec(name);
      if (committed !== null) {
        const subtask = Number(committed[1]);
        highest = Math.max(highest, Number(committed[2]));
        newestCommitted.set(subtask, Math.max(newestCommitted.get(subtask) ?? -1, Number(committed[2])));
      }
    }
    this.nextIndex = highest + 1;
    for (const [subtask, index] of current) {
      const newest = newestCommitted.get(subtask) ?? -1;
      if (newest >= index) {
        throw new WeirError(
          "WEIR_ERR_SINK_CONFLICT",
          `file sink directory '${this.dir}' holds committed 'part-${subtask}-${newest}', newer than the restored checkpoint: ` +
            "it was written after that checkpoint; restore from the newest checkpoint, or write to an empty directory",
        );
      }
    }
  }

  /**
   * Every subtask opens before any commit, so the committed files seen here are another run's.
   * "replace" deletes those of the subtasks s with s mod parallelism = this subtask, so that
   * together the subtasks delete each file once, whatever parallelism wrote them.
   */
  private startFresh(): void {
    const parts = committedParts(this.dir);
    if (parts.length === 0 || this.existingOutput === "append") return;
    if (this.existingOutput === "replace") {
      for (const [subtask, , name] of parts) if (subtask % this.parallelism === this.subtask) unlinkSync(join(this.dir, name));
      return;
    }
    const names = parts.slice(0, 3).map(([, , name]) => name);
    throw new WeirError(
      "WEIR_ERR_SINK_OUTPUT_EXISTS",
      `file sink directory '${this.dir}' already holds ${parts.length} committed part files of another run (${names.join(", ")}${parts.length > 3 ? ", …" : ""}): ` +
        "resume that run with --from latest, write to an empty directory, or set the sink's existingOutput to 'append' or 'replace'",
    );
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
  const existing = options.existingOutput ?? "refuse";
  const committed: CommittedOutput = { guarantee: "exactly-once", read: () => committedFileLines(options.dir) };
  return {
    ...twoPhaseCommitSink<T, PartFile>((context) => new PartFileWriter(options.dir, context.subtaskIndex, context.parallelism, format, existing)),
    committed,
    // Each record is formatted into its line when written.
    readsRecordsOnly: true,
  };
}
