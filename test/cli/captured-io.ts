/** A CliIo that records what a command writes, with signals the test raises by hand. */
import { exitCodeForSignal } from "../../src/cli/exit-codes.ts";
import type { CliIo, TerminationSignal } from "../../src/cli/io.ts";

export class CapturedIo implements CliIo {
  out = "";
  err = "";
  /** The injected clock; tests move it by hand. */
  time = 0;
  readonly exits: number[] = [];
  private readonly listeners = new Map<TerminationSignal, Set<() => void>>();
  private readonly errWaiters: { text: string; resolve: () => void }[] = [];

  readonly stdout = { write: (text: string) => (this.out += text) };
  readonly stderr = {
    write: (text: string) => {
      this.err += text;
      for (const w of this.errWaiters.filter((w) => this.err.includes(w.text))) {
        this.errWaiters.splice(this.errWaiters.indexOf(w), 1);
        w.resolve();
      }
    },
  };
  readonly signals = {
    on: (signal: TerminationSignal, listener: () => void) => {
      let set = this.listeners.get(signal);
      if (set === undefined) this.listeners.set(signal, (set = new Set()));
      set.add(listener);
    },
    off: (signal: TerminationSignal, listener: () => void) => this.listeners.get(signal)?.delete(listener),
  };
  readonly now = () => this.time;
  /** The exit codes a shell would see for each termination. */
  readonly terminate = (signal: TerminationSignal) => {
    this.exits.push(exitCodeForSignal(signal));
  };

  raise(signal: TerminationSignal): void {
    for (const listener of [...(this.listeners.get(signal) ?? [])]) listener();
  }

  listenerCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  /** Resolves once standard error contains `text`. */
  stderrIncludes(text: string): Promise<void> {
    if (this.err.includes(text)) return Promise.resolve();
    return new Promise((resolve) => this.errWaiters.push({ text, resolve }));
  }
}
