/**
 * Every error Weir raises on purpose carries a stable `code` from this registry.
 * Codes are part of the public contract: docs/errors.md documents each one, and a test
 * checks that the registry and the document agree.
 */

export const ErrorCodes = {
  WEIR_ERR_INVALID_ARGUMENT: "an API or CLI argument is out of range or of the wrong kind",
  WEIR_ERR_EMPTY_JOB: "the job defines no sink, so nothing would run",
  WEIR_ERR_PARALLELISM_ABOVE_MAX: "an operator's parallelism exceeds the job's max parallelism (its number of key groups)",
  WEIR_ERR_DUPLICATE_UID: "two operators were given the same uid",
  WEIR_ERR_KEYED_STATE_OUTSIDE_KEYED_STREAM: "keyed state or timers were requested by a function that does not run on a keyed stream",
  WEIR_ERR_STATE_CONFLICT: "one state name was requested as two different kinds of state",
  WEIR_ERR_STATE_MIGRATION_MISSING: "restored state was written at another version than its descriptor's and cannot be migrated: the version grew but the descriptor has no migrate function, or the restored version is newer than the descriptor's",
  WEIR_ERR_STATE_DESCRIPTOR_KIND: "a state descriptor of the wrong kind was given (a value descriptor where a list or map descriptor belongs, say)",
  WEIR_ERR_BROADCAST_STATE_READ_ONLY: "broadcast state was written where it is read-only (outside processBroadcastElement)",
  WEIR_ERR_UNKNOWN_BROADCAST_STATE: "a function asked for broadcast state that the broadcast() call of its input did not declare",
  WEIR_ERR_JOB_MODULE: "a job file could not be loaded, or has no default export made by defineJob",
  WEIR_ERR_JOB_SYNTAX: "a job file, or a module it imports, is not valid TypeScript or JavaScript",
  WEIR_ERR_WEIR_NOT_INSTALLED: "a job file imports weir, but no weir package is installed where the job file is",
  WEIR_ERR_JOB_BUILD: "the job's build function (the one given to defineJob) threw",
  WEIR_ERR_UNKNOWN_JOB_ARGUMENT: "a named job argument was given that the job's build function never reads",
  WEIR_ERR_NONDETERMINISTIC_JOB: "a worker built a different job graph from the same job module",
  WEIR_ERR_USER_FUNCTION: "a user function threw; the job failed",
  WEIR_ERR_INVALID_TIMESTAMP: "a timestamp assigner returned something other than a finite number of milliseconds",
  WEIR_ERR_JOB_CANCELLED: "the job was cancelled before it finished",
  WEIR_ERR_SOURCE_IO: "a source could not read its input (a file is missing or unreadable)",
  WEIR_ERR_SOURCE_UNREACHABLE: "a source's server could not be reached (refused, timed out, lost) within its connection attempts; the message names the address and the cause",
  WEIR_ERR_SOURCE_DESERIALIZE: "a source's deserialiser could not turn a message into a record (not JSON, say); the message names where the message is",
  WEIR_ERR_STATE_CORRUPT: "a state snapshot could not be read: it is truncated, corrupt or of an unknown format",
  WEIR_ERR_VALUE_NOT_SERIALIZABLE: "a value in state, in an operator's snapshot or in a record crossing threads holds something structuredClone cannot copy (a function, a symbol, a WeakMap or Promise)",
  WEIR_ERR_SINK_CONFLICT: "a sink's target holds output that the restored state does not account for",
  WEIR_ERR_SINK_OUTPUT_EXISTS: "a sink starting fresh found committed output of another run where it would write",
  WEIR_ERR_SINK_IO: "a sink cannot write where it was told to (the path is a file, or permission is denied); checked before any record flows",
  WEIR_ERR_SINK_UNREACHABLE: "a sink's server could not be reached (refused, timed out, lost) within its connection attempts; the message names the address and the cause",
  WEIR_ERR_SINK_SERVER_CONFIG: "a sink's server is configured so that the sink cannot keep its guarantee (PostgreSQL with max_prepared_transactions = 0, say); checked at start",
  WEIR_ERR_KAFKA_TRANSACTION_TIMEOUT: "a Kafka exactly-once sink's transaction timeout does not exceed the checkpoint interval plus the recovery time, so the broker could abort committed output; refused at start",
  WEIR_ERR_KAFKA_TRANSACTION_LOST: "a Kafka transaction that a completed checkpoint covers could not be committed because the broker had ended it (its timeout passed); its records are lost",
  WEIR_ERR_SINK_WRITE: "a sink's server rejected a statement (a constraint, a type, a missing table) or failed while the sink wrote, committed or rolled back",
  WEIR_ERR_CHECKPOINT_MISMATCH: "a checkpoint cannot be restored into this job: a source without splits changed its parallelism, or a split source has no enumerator state",
  WEIR_ERR_UID_MISMATCH: "a restore would lose state: a checkpoint operator's uid matches no operator of the job (without --allow-non-restored-state), or a --map-uid names an id that is not there",
  WEIR_ERR_INCOMPATIBLE_FORMAT_VERSION: "a checkpoint or savepoint was written in a format version this Weir does not read",
  WEIR_ERR_CHECKPOINT_FAILURES: "more checkpoints failed in a row than the job tolerates",
  WEIR_ERR_RESTARTS_EXHAUSTED: "the job failed and its restart strategy allows no more restarts",
  WEIR_ERR_INTERNAL: "an invariant of the runtime was broken (a bug in Weir)",
  WEIR_ERR_CHECKPOINT_NOT_FOUND: "no checkpoint exists where one was asked for: nothing at the path, or no chk-<n> directory under it",
  WEIR_ERR_CHECKPOINT_INCOMPLETE: "a checkpoint directory has no _metadata file: that checkpoint never completed and cannot be restored",
  WEIR_ERR_CHECKPOINT_CORRUPT: "a checkpoint's metadata or state file is truncated, unparseable, of an unknown format version, invalid, or fails its size or checksum check",
  WEIR_ERR_CHECKPOINT_STATE_MISSING: "a state file that a checkpoint's metadata references does not exist",
  WEIR_ERR_CHECKPOINT_EXISTS: "a checkpoint's metadata was written twice: a complete checkpoint is never replaced",
  WEIR_ERR_CHECKPOINT_IO: "the checkpoint storage could not read, write or delete a file (permissions, disk full, a file where a directory belongs)",
  WEIR_ERR_UNALIGNED_RESCALE: "an unaligned checkpoint that holds records in flight cannot restore at another parallelism",
  WEIR_ERR_RESUMABLE_CHECKPOINT: "a completed checkpoint of this job graph exists, so starting from scratch would repeat committed output; resume it or start fresh on purpose",
  WEIR_ERR_INVALID_OUTPUT_TAG: "a side output tag has an id that is not a non-empty string, or something that is not an OutputTag was used as one",
  WEIR_ERR_OUTPUT_TAG_CONFLICT: "two different OutputTag objects with the same id were used for the side outputs of one operator",
  WEIR_ERR_ASYNC_TIMEOUT: "an asynchronous request of an async I/O operator did not complete within its timeout, and the function has no timeout handler",
  WEIR_ERR_INVALID_WINDOW: "a window assigner, trigger, evictor or allowed lateness was given a size, slide, offset, gap, count, interval or lateness it cannot work with, an interval join bounds it cannot work with (a lower bound above the upper one, a bound that is not a finite number), or a window function asked for per-window state of merging windows",
  WEIR_ERR_MISSING_TIMESTAMP: "an event-time window or interval join was given a record that has no timestamp",
  WEIR_ERR_REST_BIND: "the control API of a running job could not listen on the address and port it was given",
  WEIR_ERR_JOB_NOT_RUNNING: "no running job answers to the job id given to a control command, or its control API refused the request",
  WEIR_ERR_SAVEPOINT_FAILED: "a savepoint asked of a running job was refused or failed",
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/**
 * Whether a restart can mend a failure with this code: false when the job itself, its arguments or
 * the checkpoint it restores are wrong, so every attempt would fail the same way. The restart loop
 * gives up at once on a failure that is not retryable; docs/errors.md lists those codes. Every code
 * must say (the table is total, so a new code does not compile without its flag).
 */
const RETRYABLE: { readonly [C in ErrorCode]: boolean } = {
  WEIR_ERR_INVALID_ARGUMENT: false,
  WEIR_ERR_EMPTY_JOB: false,
  WEIR_ERR_PARALLELISM_ABOVE_MAX: false,
  WEIR_ERR_DUPLICATE_UID: false,
  WEIR_ERR_KEYED_STATE_OUTSIDE_KEYED_STREAM: false,
  WEIR_ERR_STATE_CONFLICT: false,
  WEIR_ERR_STATE_MIGRATION_MISSING: false,
  WEIR_ERR_STATE_DESCRIPTOR_KIND: false,
  WEIR_ERR_BROADCAST_STATE_READ_ONLY: false,
  WEIR_ERR_UNKNOWN_BROADCAST_STATE: false,
  WEIR_ERR_JOB_MODULE: false,
  WEIR_ERR_JOB_SYNTAX: false,
  WEIR_ERR_WEIR_NOT_INSTALLED: false,
  WEIR_ERR_JOB_BUILD: false,
  WEIR_ERR_UNKNOWN_JOB_ARGUMENT: false,
  WEIR_ERR_NONDETERMINISTIC_JOB: false,
  WEIR_ERR_USER_FUNCTION: true,
  WEIR_ERR_INVALID_TIMESTAMP: false,
  WEIR_ERR_JOB_CANCELLED: false,
  WEIR_ERR_SOURCE_IO: true,
  // The server may be back when the job restarts.
  WEIR_ERR_SOURCE_UNREACHABLE: true,
  // The same message is read again after a restore.
  WEIR_ERR_SOURCE_DESERIALIZE: false,
  WEIR_ERR_STATE_CORRUPT: false,
  WEIR_ERR_VALUE_NOT_SERIALIZABLE: false,
  WEIR_ERR_SINK_CONFLICT: false,
  WEIR_ERR_SINK_OUTPUT_EXISTS: false,
  WEIR_ERR_SINK_IO: false,
  // The server may be back, or the statement may succeed, when the job restarts.
  WEIR_ERR_SINK_UNREACHABLE: true,
  WEIR_ERR_SINK_SERVER_CONFIG: false,
  WEIR_ERR_KAFKA_TRANSACTION_TIMEOUT: false,
  WEIR_ERR_KAFKA_TRANSACTION_LOST: false,
  WEIR_ERR_SINK_WRITE: true,
  WEIR_ERR_CHECKPOINT_MISMATCH: false,
  WEIR_ERR_UID_MISMATCH: false,
  WEIR_ERR_INCOMPATIBLE_FORMAT_VERSION: false,
  WEIR_ERR_CHECKPOINT_FAILURES: true,
  WEIR_ERR_RESTARTS_EXHAUSTED: false,
  WEIR_ERR_INTERNAL: true,
  WEIR_ERR_CHECKPOINT_NOT_FOUND: true,
  WEIR_ERR_CHECKPOINT_INCOMPLETE: true,
  WEIR_ERR_CHECKPOINT_CORRUPT: false,
  WEIR_ERR_CHECKPOINT_STATE_MISSING: false,
  WEIR_ERR_CHECKPOINT_EXISTS: true,
  WEIR_ERR_CHECKPOINT_IO: true,
  WEIR_ERR_RESUMABLE_CHECKPOINT: false,
  // The checkpoint does not change; a restart would restore it again.
  WEIR_ERR_UNALIGNED_RESCALE: false,
  WEIR_ERR_INVALID_OUTPUT_TAG: false,
  WEIR_ERR_OUTPUT_TAG_CONFLICT: false,
  WEIR_ERR_ASYNC_TIMEOUT: true,
  WEIR_ERR_INVALID_WINDOW: false,
  WEIR_ERR_MISSING_TIMESTAMP: false,
  WEIR_ERR_REST_BIND: false,
  WEIR_ERR_JOB_NOT_RUNNING: false,
  WEIR_ERR_SAVEPOINT_FAILED: true,
};

export function isRetryable(code: ErrorCode): boolean {
  return RETRYABLE[code];
}

/** Whether a restart may mend `error`: errors without a Weir code (a user function threw) are retryable. */
export function isRetryableError(error: unknown): boolean {
  return !(error instanceof WeirError) || isRetryable(error.code);
}

export class WeirError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A job definition that cannot run; raised before any record flows. */
export class InvalidJobError extends WeirError {}

/** A job file that cannot be used; `code` says why (WEIR_ERR_JOB_MODULE unless more is known). */
export class JobModuleError extends WeirError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown; code?: "WEIR_ERR_JOB_MODULE" | "WEIR_ERR_JOB_SYNTAX" | "WEIR_ERR_WEIR_NOT_INSTALLED" }) {
    super(options?.code ?? "WEIR_ERR_JOB_MODULE", message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.path = path;
  }
}

/**
 * A thrown value that is not an Error (`throw "boom"`, `throw { status: 500 }`), wrapped so it
 * can be reported and cross threads. It carries no stack: the value had none, and the stack of the
 * place that wrapped it would point into Weir, not at the user's code.
 */
export class NonErrorThrown extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NonErrorThrown";
    this.stack = undefined;
  }

  /** `value` as a message: its type and a short rendering (strings quoted, objects as JSON). */
  static of(value: unknown): NonErrorThrown {
    return new NonErrorThrown(`threw ${describeThrownValue(value)}, not an Error (throw an Error to get a stack trace)`);
  }
}

function describeThrownValue(value: unknown): string {
  const MAX = 200;
  const clip = (text: string): string => (text.length > MAX ? `${text.slice(0, MAX)}…` : text);
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return `a string ${clip(JSON.stringify(value))}`;
  if (typeof value === "object") {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      json = undefined;
    }
    return `an object ${clip(json ?? Object.prototype.toString.call(value))}`;
  }
  return `a ${typeof value} ${clip(String(value))}`;
}

/** `e` as an Error: itself when it is one, otherwise wrapped in a NonErrorThrown. */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : NonErrorThrown.of(e);
}

/** A running job failed because a task failed. */
export class JobFailedError extends WeirError {
  readonly operator: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  constructor(fields: { operator: string; subtaskIndex: number; parallelism: number; cause: unknown; code?: ErrorCode }) {
    const cause = fields.cause;
    const reason = cause instanceof NonErrorThrown ? cause.message : cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(
      fields.code ?? "WEIR_ERR_USER_FUNCTION",
      `operator '${fields.operator}' (subtask ${fields.subtaskIndex + 1}/${fields.parallelism}) failed: ${reason}`,
      { cause },
    );
    this.operator = fields.operator;
    this.subtaskIndex = fields.subtaskIndex;
    this.parallelism = fields.parallelism;
  }
}

export class JobCancelledError extends WeirError {
  constructor(message = "the job was cancelled") {
    super("WEIR_ERR_JOB_CANCELLED", message);
  }
}

export function invalidArgument(message: string): WeirError {
  return new WeirError("WEIR_ERR_INVALID_ARGUMENT", message);
}

export function internalError(message: string): WeirError {
  return new WeirError("WEIR_ERR_INTERNAL", message);
}
