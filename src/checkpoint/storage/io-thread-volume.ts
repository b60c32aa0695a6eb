/**
 * Checkpoint files on the local filesystem, changed on a thread of their own (Flink's
 * asynchronous snapshot threads): a write, a removal or a move is handed to the I/O thread, which
 * does every step of it (directories, temp file, syncs, rename) as a DiskVolume does, and answers
 * once. A busy task thread thus waits for one answer instead of taking part in each of a write's
 * dozen file operations between its steps, which under load held a checkpoint's acknowledgement
 * back for hundreds of milliseconds. Reads, listings and `normalize` stay on the calling thread.
 *
 * The thread makes each change with blocking calls (file-calls.ts), one change after the other: it
 * does nothing else, and each call handed to libuv's pool would wait for a pool thread and then for
 * this thread to be scheduled again, which on a loaded machine cost more than the disk did. The
 * thread starts with the first change (or `started`); until it is up (a second or so on a loaded
 * machine; see io-thread-boot.mjs), changes are made on the calling thread, as a DiskVolume makes
 * them. It keeps its process alive only while a change is under way, and ends with the calling
 * thread or at `close`; changes after its end are made on the calling thread again. A failure
 * comes back as the CheckpointIoError the DiskVolume raised (path, operation,
 * system code, the cause's message); any other failure as a CheckpointIoError of the operation.
 */
import { Worker } from "node:worker_threads";
import { asError } from "../../core/errors.ts";
import { CheckpointIoError } from "./checkpoint-storage-errors.ts";
import type { CheckpointVolume, VolumeEntry } from "./checkpoint-volume.ts";
import { DiskVolume } from "./disk-volume.ts";
import { change, type IoMessage, type IoReply, type RequestBody } from "./io-thread-protocol.ts";

const BOOT = new URL("./io-thread-boot.mjs", import.meta.url);

export interface IoThreadVolumeOptions {
  /** Where changes are made while the thread is not up (default: a DiskVolume of its own). */
  readonly local?: DiskVolume;
  /**
   * Called once, with the reason, when the thread cannot be made or ends before it is up: changes
   * then stay on the calling thread for good, which the caller may want to report.
   */
  readonly onBootFailure?: (reason: Error) => void;
  /** The module the thread runs (default: io-thread-boot.mjs); tests give one that fails to boot. */
  readonly boot?: URL;
}

export class IoThreadVolume implements CheckpointVolume {
  private readonly local: DiskVolume;
  private readonly onBootFailure: ((reason: Error) => void) | undefined;
  private readonly boot: URL;
  private thread: Worker | undefined;
  private up: Promise<void> | undefined;
  private isUp = false;
  /** The thread came up once (its end later is not a failure to boot). */
  private wasUp = false;
  private closed = false;
  private bootFailureReported = false;
  private readonly pending = new Map<number, { readonly resolve: () => void; readonly reject: (e: Error) => void; readonly request: RequestBody }>();
  private nextId = 0;

  constructor(options: IoThreadVolumeOptions = {}) {
    this.local = options.local ?? new DiskVolume();
    this.onBootFailure = options.onBootFailure;
    this.boot = options.boot ?? BOOT;
  }

  /** Starts the I/O thread if it is not under way; resolves once it takes changes. */
  started(): Promise<void> {
    if (this.up !== undefined) return this.up;
    let thread: Worker;
    try {
      thread = new Worker(this.boot);
    } catch (e) {
      // No thread to be had: changes stay on the calling thread, and none tries again.
      const reason = asError(e);
      this.up = Promise.reject(reason);
      this.up.catch(() => {});
      this.onBootFailure?.(reason);
      return this.up;
    }
    this.thread = thread;
    thread.unref();
    this.up = new Promise((resolve, reject) => {
      thread.on("message", (message: IoMessage) => {
        if ("up" in message) {
          this.isUp = true;
          this.wasUp = true;
          resolve();
        } else this.answered(message);
      });
      thread.on("error", (e) => {
        this.ended(e);
        reject(e);
      });
      thread.on("exit", (code) => {
        const ended = new Error(`the checkpoint I/O thread ended (exit code ${code})`);
        this.ended(ended);
        reject(ended);
      });
    });
    this.up.catch(() => {});
    return this.up;
  }

  normalize(pointer: string): string {
    return this.local.normalize(pointer);
  }

  writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
    return this.hand({ op: "write", path, bytes });
  }

  remove(path: string): Promise<void> {
    return this.hand({ op: "remove", path });
  }

  move(from: string, to: string): Promise<void> {
    return this.hand({ op: "move", path: from, to });
  }

  read(path: string): Promise<Uint8Array | undefined> {
    return this.local.read(path);
  }

  stat(path: string): Promise<Omit<VolumeEntry, "name"> | undefined> {
    return this.local.stat(path);
  }

  list(dir: string): Promise<VolumeEntry[]> {
    return this.local.list(dir);
  }

  /**
   * Ends the I/O thread. Changes under way on it fail at once, whether or not the thread got to
   * make them before it ended: their answers are no longer awaited.
   */
  async close(): Promise<void> {
    const thread = this.thread;
    if (thread === undefined) return;
    this.closed = true;
    this.isUp = false;
    this.failAll(new Error("the checkpoint I/O thread was closed"));
    await thread.terminate();
  }

  /** The thread failed or exited: changes under way fail; one that never came up is reported once (a close is not a failure). */
  private ended(reason: Error): void {
    const booted = this.isUp || this.wasUp;
    this.isUp = false;
    this.failAll(reason);
    if (!booted && !this.closed && !this.bootFailureReported) {
      this.bootFailureReported = true;
      this.onBootFailure?.(reason);
    }
  }

  private hand(request: RequestBody): Promise<void> {
    void this.started();
    const thread = this.thread;
    if (!this.isUp || thread === undefined) return change(this.local, request);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      if (this.pending.size === 0) thread.ref();
      this.pending.set(id, { resolve, reject, request });
      thread.postMessage({ ...request, id });
    });
  }

  private answered(reply: IoReply): void {
    const waiting = this.pending.get(reply.id);
    if (waiting === undefined) return;
    this.settled(reply.id);
    const error = reply.error;
    if (error === undefined) return waiting.resolve();
    const cause = Object.assign(new Error(error.cause), error.systemCode === undefined ? {} : { code: error.systemCode });
    waiting.reject(new CheckpointIoError(error.path ?? waiting.request.path, error.operation ?? operationOf(waiting.request), cause));
  }

  private failAll(e: Error): void {
    for (const [id, waiting] of this.pending) {
      this.settled(id);
      waiting.reject(new CheckpointIoError(waiting.request.path, operationOf(waiting.request), e));
    }
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.thread?.unref();
  }
}

function operationOf(request: RequestBody): string {
  return request.op === "remove" ? "delete" : "write";
}

/**
 * A volume whose thread starts now rather than with the first change; until it is up (or if it
 * cannot start) changes are made on the calling thread. `onBootFailure` as in IoThreadVolumeOptions.
 */
export function startedIoThread(onBootFailure?: (reason: Error) => void): IoThreadVolume {
  const volume = new IoThreadVolume(onBootFailure === undefined ? {} : { onBootFailure });
  volume.started().catch(() => {});
  return volume;
}

/** The run's warning when a volume's thread did not start. */
export function ioThreadBootWarning(reason: Error): string {
  return `checkpoint files are written on the task threads, which slows them while a checkpoint is written: the checkpoint I/O thread did not start (${reason.message})`;
}
