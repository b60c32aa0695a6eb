/**
 * How a job that did not finish is reported: which of three outcomes it had, the text the user
 * sees, and the exit code.
 *
 * - cancelled: the job stopped because a termination signal asked it to (exit 130 or 143).
 * - refused: the job never started — its file could not be loaded, its build function threw, its
 *   graph is invalid, or an operator refused to open (for example keyed state on a non-keyed
 *   stream). A user function or the runtime failing while opening counts as a failure instead.
 * - failed: the job started and a task failed, or the runtime broke.
 */
import { JobFailedError, WeirError, type ErrorCode } from "../core/errors.ts";
import { exitCodeForSignal, ExitCode } from "./exit-codes.ts";
import { formatDuration } from "./format.ts";
import type { TerminationSignal } from "./io.ts";

export type JobOutcome =
  | { readonly kind: "cancelled"; readonly signal: TerminationSignal }
  | { readonly kind: "refused"; readonly error: unknown }
  | { readonly kind: "failed"; readonly error: unknown };

/** Codes that mean user code or Weir itself broke, not that the job was built wrongly. */
const FAILURE_CODES: ReadonlySet<ErrorCode> = new Set(["WEIR_ERR_USER_FUNCTION", "WEIR_ERR_SOURCE_IO", "WEIR_ERR_INTERNAL"]);

export function classifyError(error: unknown, facts: { readonly started: boolean; readonly signal: TerminationSignal | undefined }): JobOutcome {
  if (facts.signal !== undefined && error instanceof WeirError && error.code === "WEIR_ERR_JOB_CANCELLED") {
    return { kind: "cancelled", signal: facts.signal };
  }
  const brokeWhileOpening = error instanceof WeirError && FAILURE_CODES.has(error.code);
  return facts.started || brokeWhileOpening ? { kind: "failed", error } : { kind: "refused", error };
}

export function exitCodeOf(outcome: JobOutcome): ExitCode {
  return outcome.kind === "cancelled" ? exitCodeForSignal(outcome.signal) : ExitCode.JOB_FAILED;
}

const STACK_FRAMES = 6;

function describeError(error: unknown): string[] {
  if (!(error instanceof Error)) return [String(error)];
  const lines = [error instanceof WeirError ? error.message : `${error.name}: ${error.message}`];
  if (error instanceof WeirError) lines.push(`  code: ${error.code} (see docs/errors.md)`);
  // Where user code threw is worth showing; Weir's own errors say what to do in their message.
  const cause = error instanceof JobFailedError ? error.cause : error;
  const frames = cause instanceof Error && !(cause instanceof WeirError) ? (cause.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l)) : [];
  if (frames.length > 0) {
    lines.push("  cause stack:");
    for (const frame of frames.slice(0, STACK_FRAMES)) lines.push(`    ${frame.trim()}`);
  }
  return lines;
}

/** The lines printed to standard error for an outcome; `elapsedMs` is known once the job started. */
export function describeOutcome(outcome: JobOutcome, elapsedMs: number | undefined): string {
  switch (outcome.kind) {
    case "cancelled":
      return `job cancelled${elapsedMs === undefined ? "" : ` after ${formatDuration(elapsedMs)}`} (${outcome.signal})\n`;
    case "refused": {
      const [first, ...rest] = describeError(outcome.error);
      return [`job refused: ${first}`, ...rest].join("\n") + "\n";
    }
    case "failed": {
      const [first, ...rest] = describeError(outcome.error);
      return [`job failed: ${first}`, ...rest].join("\n") + "\n";
    }
  }
}
