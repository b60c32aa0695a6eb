/**
 * Worker threads booted ahead of the attempts that will run on them, so that a restart after a
 * failure does not wait for new threads to load the runtime and the job module (most of the time
 * between a failure and the first record processed after it; Flink's task managers likewise
 * outlive a failed attempt). Each thread still serves one attempt only: a failed attempt's
 * threads end, and a fresh one, which no task ever ran on, takes each worker's place.
 *
 * A thread boots in standby (see worker-main.ts): it loads the runtime, imports the job module and,
 * when the job checkpoints, starts its checkpoint I/O thread, then waits for the attempt's `init`
 * message. A thread that ends while standing by is dropped.
 */
import { Worker } from "node:worker_threads";
import type { WorkerStandbyData } from "./messages.ts";

const BOOT = new URL("./worker-boot.mjs", import.meta.url);

/** A new worker thread for the job module, booting into standby. */
export function bootWorker(boot: WorkerStandbyData): Worker {
  return new Worker(BOOT, { workerData: boot });
}

/** How long an attempt runs before the threads for the next one boot (see standbyBootsNow). */
export const STANDBY_AFTER_MS = 10_000;

/** Where an attempt stands, for standbyBootsNow. */
export interface AttemptProgress {
  /** Its tasks are open and records flow. */
  readonly running: boolean;
  /** Milliseconds since it began to run. */
  readonly ranMs: number;
  /** The job checkpoints. */
  readonly checkpointing: boolean;
  /** A checkpoint completed while it ran. */
  readonly checkpointed: boolean;
}

/**
 * Whether the threads the next attempt runs on boot now. Not while the attempt deploys (restoring
 * state) or starts, which booting beside it would slow down; with checkpointing, not before it
 * completed a checkpoint; and not before it has run STANDBY_AFTER_MS. A boot costs about a second
 * of CPU time per thread (more when loading TypeScript from sources): a job that has run that long
 * has spent a few percent of its time on it, once; a short job (a test, a bounded run), which most
 * likely ends before it fails, never pays for it.
 */
export function standbyBootsNow(attempt: AttemptProgress): boolean {
  return attempt.running && attempt.ranMs >= STANDBY_AFTER_MS && (attempt.checkpointed || !attempt.checkpointing);
}

export class StandbyWorkers {
  private readonly standing: { readonly worker: Worker; readonly drop: () => void }[] = [];
  private closed = false;

  constructor(private readonly boot: WorkerStandbyData) {}

  /** Threads standing by (booted or still booting). */
  get size(): number {
    return this.standing.length;
  }

  /** A thread standing by, now the caller's, which must send it its `init`; a new one when none stands by. */
  take(): Worker {
    const next = this.standing.shift();
    if (next === undefined) return bootWorker(this.boot);
    next.worker.off("exit", next.drop).off("error", next.drop);
    return next.worker;
  }

  /** Boots threads until `count` stand by; nothing once closed. */
  fill(count: number): void {
    while (!this.closed && this.standing.length < count) {
      const worker = bootWorker(this.boot);
      const drop = (): void => {
        const at = this.standing.findIndex((s) => s.worker === worker);
        if (at >= 0) this.standing.splice(at, 1);
      };
      worker.on("exit", drop).on("error", drop);
      this.standing.push({ worker, drop });
    }
  }

  /** Ends every thread standing by, and boots none from now on. */
  async close(): Promise<void> {
    this.closed = true;
    const ending = this.standing.splice(0).map(({ worker }) => worker.terminate());
    await Promise.all(ending);
  }
}
