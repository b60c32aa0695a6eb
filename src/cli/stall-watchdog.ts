/**
 * Keeps termination signals working while user code holds the main thread. With --single-thread,
 * the job runs on the thread that handles signals; a user function in an endless loop would keep
 * every SIGINT and SIGTERM from being seen. A watchdog thread watches a heartbeat that this
 * thread's event loop keeps; once it has not moved for `STALL_MS`, the watchdog interrupts the
 * stuck thread (through an inspector session) to hand the signals back to their default action,
 * so the next one ends the process at once, as a second signal does. When the loop runs again,
 * the heartbeat takes the signals back for clean cancellation.
 */
import { Worker } from "node:worker_threads";

export const STALL_MS = 2000;
const BEAT_MS = 250;
const CHECK_MS = 250;
const RELEASE = Symbol.for("weir.release-signals");

/** What the watchdog switches: the process's termination signals, between our handling and their default action. */
export interface SignalHandling {
  /** Stops handling the signals, so that their default action applies. */
  release(): void;
  /** Handles them again; a no-op when they were not released. */
  restore(): void;
}

export class StallWatchdog {
  private readonly beats = new Int32Array(new SharedArrayBuffer(4));
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly worker: Worker | undefined;

  constructor(signals: SignalHandling) {
    const slot = globalThis as { [RELEASE]?: () => void };
    slot[RELEASE] = () => signals.release();
    this.timer = setInterval(() => {
      Atomics.add(this.beats, 0, 1);
      signals.restore();
    }, BEAT_MS);
    this.timer.unref();
    try {
      this.worker = new Worker(new URL("./stall-watchdog-worker.mjs", import.meta.url), {
        workerData: { heartbeat: this.beats.buffer, checkMs: CHECK_MS, stallMs: STALL_MS, releaseExpression: `globalThis[Symbol.for("weir.release-signals")]?.()` },
        // The watchdog needs neither the TypeScript loader nor anything else given to this process.
        execArgv: [],
      });
      this.worker.unref();
      // A watchdog that fails (no inspector in this Node) leaves signals as they would be without it.
      this.worker.on("error", () => {});
    } catch {
      this.worker = undefined;
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    void this.worker?.terminate();
    delete (globalThis as { [RELEASE]?: () => void })[RELEASE];
  }
}
