/**
 * A task failure as plain data, so it can cross threads: which operator of which subtask failed,
 * in which phase, and the cause's name, message, code and stack. Rebuilt into a JobFailedError
 * in the process that runs the job.
 */
import { asError, JobFailedError, NonErrorThrown, WeirError, type ErrorCode } from "../core/errors.ts";
import { OperatorFailure } from "./operators/user-function.ts";

export type FailurePhase = "open" | "run";

export interface FailureReport {
  readonly phase: FailurePhase;
  readonly operator: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly causeName: string;
  readonly causeMessage: string;
  readonly causeCode: ErrorCode | undefined;
  readonly causeStack: string | undefined;
}

/** The failure of a task, raised by the executor with the task's identity attached. */
export class TaskFailure extends Error {
  constructor(
    readonly report: FailureReport,
    override readonly cause: unknown,
  ) {
    super(report.causeMessage, { cause });
  }
}

export function reportFailure(
  phase: FailurePhase,
  task: { readonly headName: string; readonly subtaskIndex: number; readonly parallelism: number },
  error: unknown,
): FailureReport {
  const operator = error instanceof OperatorFailure ? error.operatorName : task.headName;
  const cause = error instanceof OperatorFailure ? error.cause : error;
  const e = asError(cause);
  return {
    phase,
    operator,
    subtaskIndex: task.subtaskIndex,
    parallelism: task.parallelism,
    causeName: e.name,
    causeMessage: e.message,
    causeCode: e instanceof WeirError ? e.code : undefined,
    causeStack: e.stack,
  };
}

export function jobFailedError(report: FailureReport): JobFailedError {
  const cause =
    report.causeCode !== undefined
      ? new WeirError(report.causeCode, report.causeMessage)
      : report.causeName === "NonErrorThrown"
        ? new NonErrorThrown(report.causeMessage)
        : new Error(report.causeMessage);
  cause.name = report.causeName;
  if (report.causeStack !== undefined) cause.stack = report.causeStack;
  return new JobFailedError({
    operator: report.operator,
    subtaskIndex: report.subtaskIndex,
    parallelism: report.parallelism,
    cause,
    code: report.causeCode,
  });
}
