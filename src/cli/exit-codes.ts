/** The exit codes of the `weir` command; they are documented in its help text. */
export const ExitCode = {
  /** The command did what was asked: a bounded job finished, help or version was printed. */
  OK: 0,
  /** The job failed while running, or was refused before it started. */
  JOB_FAILED: 1,
  /** The command line was wrong: an unknown command or option, or a bad value. */
  USAGE: 2,
  /** The job was cancelled by SIGINT (Ctrl-C): 128 + 2, as shells report it. */
  INTERRUPTED: 130,
  /** The job was stopped because the reader of its standard output went away: 128 + 13, as for SIGPIPE. */
  OUTPUT_CLOSED: 141,
  /** The job was cancelled by SIGTERM: 128 + 15. */
  TERMINATED: 143,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeForSignal(signal: "SIGINT" | "SIGTERM"): ExitCode {
  return signal === "SIGINT" ? ExitCode.INTERRUPTED : ExitCode.TERMINATED;
}
