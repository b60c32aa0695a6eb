/**
 * What the CLI touches of its process, injected so tests can run commands in-process: the two
 * output streams, the termination signals, a clock, and a last-resort exit. The default is the
 * real process.
 */

export interface TextWriter {
  write(text: string): unknown;
}

export type TerminationSignal = "SIGINT" | "SIGTERM";

export interface SignalSource {
  on(signal: TerminationSignal, listener: () => void): unknown;
  off(signal: TerminationSignal, listener: () => void): unknown;
}

export interface CliIo {
  readonly stdout: TextWriter;
  readonly stderr: TextWriter;
  readonly signals: SignalSource;
  /** Milliseconds on a monotonic clock. */
  readonly now: () => number;
  /** Ends the process at once; used only when a second signal arrives while a job is cancelling. */
  readonly exit: (code: number) => void;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    signals: process,
    now: () => performance.now(),
    exit: (code) => process.exit(code),
  };
}
