/**
 * Turns termination signals into cancellation of the running job. The first SIGINT or SIGTERM
 * aborts the job's signal, and the job stops cleanly; another one, at least `REPEAT_AFTER_MS`
 * later, ends the process at once by that signal, for a job that does not stop, even one whose
 * worker thread is blocked in native code. Repeats sooner than that are ignored: one Ctrl-C can arrive twice, from the terminal and
 * from a parent process that forwards it (as `npm exec` does).
 */
import type { CliIo, TerminationSignal } from "./io.ts";
import type { SignalHandling } from "./stall-watchdog.ts";

const SIGNALS: readonly TerminationSignal[] = ["SIGINT", "SIGTERM"];

export const REPEAT_AFTER_MS = 1000;

export class SignalCancellation implements SignalHandling {
  private readonly controller = new AbortController();
  private receivedSignal: TerminationSignal | undefined;
  private receivedAt = 0;
  private readonly listeners: ReadonlyMap<TerminationSignal, () => void>;
  private listening = true;

  constructor(private readonly io: CliIo) {
    this.listeners = new Map(SIGNALS.map((s) => [s, () => this.onSignal(s)]));
    for (const [signal, listener] of this.listeners) io.signals.on(signal, listener);
  }

  /** Aborted by the first termination signal. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The first termination signal received, if any. */
  get received(): TerminationSignal | undefined {
    return this.receivedSignal;
  }

  private onSignal(signal: TerminationSignal): void {
    if (this.receivedSignal !== undefined) {
      if (this.io.now() - this.receivedAt < REPEAT_AFTER_MS) return;
      this.io.stderr.write(`${signal} again: exiting without waiting for the job to stop\n`);
      this.io.terminate(signal);
      return;
    }
    this.receivedSignal = signal;
    this.receivedAt = this.io.now();
    this.io.stderr.write(`${signal} received: cancelling the job (send it again to exit at once)\n`);
    this.controller.abort();
  }

  /** Stops listening until `restore`; meanwhile the signals' default action applies (see StallWatchdog). */
  release(): void {
    if (!this.listening) return;
    this.listening = false;
    for (const [signal, listener] of this.listeners) this.io.signals.off(signal, listener);
  }

  restore(): void {
    if (this.listening) return;
    this.listening = true;
    for (const [signal, listener] of this.listeners) this.io.signals.on(signal, listener);
  }

  /** Stops listening; the process's default handling of the signals returns. */
  dispose(): void {
    this.release();
  }
}
