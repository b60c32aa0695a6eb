/**
 * How a job that did not finish is reported: which of four outcomes it had, the text the user
 * sees, and the exit code.
 *
 * - cancelled: the job stopped because a termination signal asked it to (exit 130 or 143), or
 *   because its control API was asked to cancel it (`weir cancel`, PATCH /jobs/:id; exit 1, as
 *   Flink's client reports a cancelled job).
 * - output-closed: the job was stopped because the reader of its standard output went away, as
 *   after `weir run job.ts | head` (exit 141, as for SIGPIPE).
 * - refused: the job cannot run as asked — its file could not be loaded, its build function threw,
 *   its graph is invalid, an operator refused to open (for example keyed state on a non-keyed
 *   stream), or the checkpoint to restore is missing, incomplete, damaged or of another job graph
 *   (refused even when found on a restart). A user function or the runtime failing while opening
 *   counts as a failure instead.
 * - failed: the job started and a task failed, the runtime broke, too many checkpoints failed, or
 *   the restart strategy gave up.
 */
import { WeirError, type ErrorCode } from "../core/errors.ts";
import { exitCodeForSignal, ExitCode } from "./exit-codes.ts";
import { formatDuration } from "./format.ts";
import type { TerminationSignal } from "./io.ts";

export type JobOutcome =
  | { readonly kind: "cancelled"; readonly signal: TerminationSignal }
  | { readonly kind: "cancelled-by-request" }
  | { readonly kind: "output-closed" }
  | { readonly kind: "refused"; readonly error: unknown }
  | { readonly kind: "failed"; readonly error: unknown };

/** Codes that mean user code or Weir itself broke, or the job broke down while running, not that it was asked wrongly. */
const FAILURE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "WEIR_ERR_USER_FUNCTION",
  "WEIR_ERR_SOURCE_IO",
  "WEIR_ERR_INTERNAL",
  "WEIR_ERR_RESTARTS_EXHAUSTED",
  "WEIR_ERR_CHECKPOINT_FAILURES",
]);

/** Codes by which a job refuses the checkpoint it was asked to restore, whenever it finds out. */
const RESTORE_REFUSAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "WEIR_ERR_CHECKPOINT_NOT_FOUND",
  "WEIR_ERR_CHECKPOINT_INCOMPLETE",
  "WEIR_ERR_CHECKPOINT_CORRUPT",
  "WEIR_ERR_CHECKPOINT_STATE_MISSING",
  "WEIR_ERR_CHECKPOINT_MISMATCH",
  "WEIR_ERR_UID_MISMATCH",
  "WEIR_ERR_INCOMPATIBLE_FORMAT_VERSION",
  "WEIR_ERR_PARALLELISM_ABOVE_MAX",
]);

export interface OutcomeFacts {
  /** Whether the job's tasks had opened and records had started to flow. */
  readonly started: boolean;
  /** The termination signal received, if any. */
  readonly signal: TerminationSignal | undefined;
  /** Whether the job was stopped because its standard output was closed. */
  readonly stdoutClosed?: boolean;
  /** Whether the job's control API was asked to cancel it. */
  readonly cancelRequested?: boolean;
}

export function classifyError(error: unknown, facts: OutcomeFacts): JobOutcome {
  const code = error instanceof WeirError ? error.code : undefined;
  if (code === "WEIR_ERR_JOB_CANCELLED") {
    if (facts.signal !== undefined) return { kind: "cancelled", signal: facts.signal };
    if (facts.stdoutClosed === true) return { kind: "output-closed" };
    if (facts.cancelRequested === true) return { kind: "cancelled-by-request" };
  }
  if (code !== undefined && RESTORE_REFUSAL_CODES.has(code)) return { kind: "refused", error };
  const failure = code !== undefined && FAILURE_CODES.has(code);
  return facts.started || failure ? { kind: "failed", error } : { kind: "refused", error };
}

export function exitCodeOf(outcome: JobOutcome): ExitCode {
  switch (outcome.kind) {
    case "cancelled":
      return exitCodeForSignal(outcome.signal);
    case "output-closed":
      return ExitCode.OUTPUT_CLOSED;
    case "cancelled-by-request":
    case "refused":
    case "failed":
      return ExitCode.JOB_FAILED;
  }
}

const STACK_FRAMES = 6;

/**
 * The first error along `error`'s chain of causes that is not a WeirError: where user code threw,
 * also under a failed task or exhausted restarts. Undefined when the chain holds only WeirErrors.
 */
function firstNonWeirCause(error: unknown): unknown {
  let current: unknown = error;
  for (let depth = 0; current instanceof WeirError && depth < 8; depth++) current = current.cause;
  return current;
}

function describeError(error: unknown): string[] {
  if (!(error instanceof Error)) return [String(error)];
  const lines = [error instanceof WeirError ? error.message : `${error.name}: ${error.message}`];
  if (error instanceof WeirError) lines.push(`  code: ${error.code} (see docs/errors.md)`);
  // Where user code threw is worth showing; Weir's own errors say what to do in their message.
  const cause = firstNonWeirCause(error);
  // Frames inside Node itself (node:internal/...) never point at what the user can change.
  const frames =
    cause instanceof Error && !(cause instanceof WeirError) ? (cause.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l) && !/[( ]node:/.test(l)) : [];
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
    case "cancelled-by-request":
      return `job cancelled${elapsedMs === undefined ? "" : ` after ${formatDuration(elapsedMs)}`} through its control API\n`;
    case "output-closed":
      return `job stopped${elapsedMs === undefined ? "" : ` after ${formatDuration(elapsedMs)}`}: its standard output was closed by the reader\n`;
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
