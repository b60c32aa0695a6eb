/**
 * What the CLI touches of its process, injected so tests can run commands in-process: the two
 * output streams, the termination signals, a clock, and a last-resort termination. The default is the
 * real process, whose output streams drop what is written after their reader went away (EPIPE,
 * as in `weir checkpoints | head -1`) instead of ending the process with an error.
 */
import { exitCodeForSignal } from "./exit-codes.ts";
import { StallWatchdog, type SignalHandling } from "./stall-watchdog.ts";

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
  /**
   * Ends the process at once, as `signal` does by default; used only when a second signal arrives
   * while a job is cancelling. Shells report it as exit code 128 + the signal's number.
   */
  readonly terminate: (signal: TerminationSignal) => void;
  /**
   * Starts watching for user code that holds this thread (see StallWatchdog) while a job runs on
   * it; absent where the signals are not the process's own.
   */
  readonly watchStalls?: (signals: SignalHandling) => { dispose(): void };
}

/** `stream`, quiet once its reader is gone; other errors of the stream stay uncaught, as by default. */
function tolerateClosedReader(stream: NodeJS.WriteStream): TextWriter {
  let closed = false;
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    closed = true;
  });
  return { write: (text) => closed || stream.write(text) };
}

export function processIo(): CliIo {
  return {
    stdout: tolerateClosedReader(process.stdout),
    stderr: tolerateClosedReader(process.stderr),
    signals: process,
    now: () => performance.now(),
    terminate: (signal) => {
      // Not process.exit: it waits for every worker thread to stop, and a worker blocked in native
      // code (a synchronous child process, a file system call that never returns) never does.
      // The signal's default action ends the process without waiting for anything.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      process.exit(exitCodeForSignal(signal));
    },
    watchStalls: (signals) => new StallWatchdog(signals),
  };
}
