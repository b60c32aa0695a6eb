/**
 * What the database sinks need of a server: sessions that run statements, a rule for which of its
 * errors are transient, and bounded time for everything. Connecting is bounded by
 * `connectTimeoutMs` and every statement (and closing) by `statementTimeoutMs`: a server that
 * stops answering costs a session at most that long, then the session is dropped and counts as
 * lost (a network failure: transient). A failure to connect becomes WEIR_ERR_SINK_UNREACHABLE
 * naming the server's address and the cause; a statement's failure becomes WEIR_ERR_SINK_WRITE
 * naming the server's error (or WEIR_ERR_SINK_UNREACHABLE when the connection was lost).
 */
import { connect } from "node:net";
import { WeirError } from "../../core/errors.ts";
import { DEFAULT_RETRY, RetriesExhausted, withRetries, type RetryPolicy } from "../../core/retry.ts";

/** How a sink reaches its server; every field has a default for a local server. */
export interface SqlConnectionOptions {
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  /** Bound on one connection attempt, the server's greeting and login included (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /**
   * Bound on every statement, waiting for locks included (default 30000 ms): the server cancels
   * it (PostgreSQL's statement_timeout and lock_timeout, MariaDB's lock wait timeouts), and a
   * server that does not answer at all has its connection dropped when the time is up.
   */
  readonly statementTimeoutMs?: number;
  /** Attempts and back-off for connecting and other repeatable operations (default: 4 attempts, 100 ms doubling to 2 s). */
  readonly retry?: RetryPolicy;
}

export type SqlRow = Record<string, unknown>;

/** One connection; statements on it run one after another. */
export interface SqlSession {
  query(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>;
  /** Closes the connection (within the statement timeout, else drops it); the server rolls back a transaction still open on it. */
  end(): Promise<void>;
  /** True once the connection failed, timed out or closed: its statements then fail at once, and a fresh session is needed. */
  readonly lost: boolean;
}

/** A client's connection as a dialect opens it, before the bounds of `openSession` apply. */
export interface SqlConnection {
  query(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>;
  /** Graceful close. */
  end(): Promise<void>;
  /** Drops the socket at once. */
  destroy(): void;
  /** `listener` hears the connection fail or close, whoever closed it. */
  onLost(listener: (cause: unknown) => void): void;
}

export interface SqlServer {
  /** "PostgreSQL", "MariaDB". */
  readonly product: string;
  /** host:port/database, for messages. */
  readonly address: string;
  readonly retry: RetryPolicy;
  /** One connection attempt, bounded by the connect timeout; its statements are bounded by the statement timeout. */
  open(): Promise<SqlSession>;
  /** Whether repeating what failed with `error` may succeed (a lost connection, a timeout, a deadlock). */
  transient(error: unknown): boolean;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

export function retryPolicyOf(options: SqlConnectionOptions): RetryPolicy {
  return options.retry ?? DEFAULT_RETRY;
}

export function timeoutsOf(options: SqlConnectionOptions): { readonly connectMs: number; readonly statementMs: number } {
  return { connectMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, statementMs: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS };
}

/** The error's message with the server's code (SQL state or error number) when it has one. */
export function describeSqlError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Error & { code?: unknown; errno?: unknown };
  const code = typeof e.code === "string" && e.code !== "" ? e.code : typeof e.errno === "number" ? String(e.errno) : undefined;
  const message = error.message === "" && error instanceof AggregateError ? error.errors.map(describeSqlError).join("; ") : error.message;
  return code === undefined || message.includes(code) ? message : `${message} (${code})`;
}

/** Network-level failures every client reports with a Node error code (and this module's timeouts and lost sessions). */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNABORTED"]);

export function isNetworkError(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isNetworkError);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && NETWORK_CODES.has(code);
}

/** The server gave no answer in time; the connection has been dropped. */
export class SqlTimeout extends Error {
  readonly code = "ETIMEDOUT";
}

/** A statement on a session whose connection failed or closed before. */
export class SqlSessionLost extends Error {
  readonly code = "ECONNRESET";
}

/** Settles as `work` does, or rejects with SqlTimeout after `ms` (calling `onTimeout` first). */
function within<R>(work: Promise<R>, ms: number, what: string, onTimeout: () => void): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new SqlTimeout(`no answer ${what} within ${ms} ms`));
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

class BoundedSession implements SqlSession {
  lost = false;
  private cause: unknown;

  constructor(
    private readonly connection: SqlConnection,
    private readonly statementMs: number,
  ) {
    connection.onLost((cause) => this.markLost(cause ?? new SqlSessionLost("the server closed the connection")));
  }

  private markLost(cause: unknown): void {
    if (this.lost) return;
    this.lost = true;
    this.cause = cause;
    this.connection.destroy();
  }

  async query(sql: string, params?: readonly unknown[]): Promise<SqlRow[]> {
    if (this.lost) throw new SqlSessionLost(`the connection was lost before this statement: ${describeSqlError(this.cause)}`);
    return within(this.connection.query(sql, params), this.statementMs, "to a statement", () => this.markLost(new SqlTimeout("a statement timed out")));
  }

  async end(): Promise<void> {
    if (this.lost) return;
    const ending = this.connection.end();
    this.lost = true;
    this.cause = new SqlSessionLost("the session was closed");
    await within(ending, this.statementMs, "to closing", () => {}).catch(() => {});
    // A client may consider itself closed once its goodbye is sent; closing the socket too lets the
    // server see the end at once (MariaDB hands a prepared XA branch over only then).
    this.connection.destroy();
  }
}

/**
 * Opens `connection` and waits for `ready` (greeting, login, session settings) within
 * `connectMs`; the session it gives bounds each statement by `statementMs`.
 */
export async function openSession(connection: SqlConnection, ready: Promise<void>, timeouts: { readonly connectMs: number; readonly statementMs: number }): Promise<SqlSession> {
  try {
    await within(ready, timeouts.connectMs, "to connecting", () => connection.destroy());
  } catch (e) {
    connection.destroy();
    throw e;
  }
  return new BoundedSession(connection, timeouts.statementMs);
}

/** Whether an attempt that failed with `error` is worth repeating: the server's transient errors and every network failure. */
function repeatable(server: SqlServer, error: unknown): boolean {
  return server.transient(error) || isNetworkError(error);
}

function attemptsOf(error: unknown): string {
  const attempts = error instanceof RetriesExhausted ? error.attempts : 1;
  return `${attempts} attempt${attempts === 1 ? "" : "s"}`;
}

/** Opens a session, retrying transient failures; WEIR_ERR_SINK_UNREACHABLE when every attempt failed. */
export async function connectSession(server: SqlServer): Promise<SqlSession> {
  try {
    return await withRetries(() => server.open(), (e) => repeatable(server, e), server.retry);
  } catch (e) {
    throw unreachable(server, e);
  }
}

function unreachable(server: SqlServer, error: unknown): WeirError {
  const cause = error instanceof RetriesExhausted ? error.cause : error;
  const reached = !isNetworkError(cause);
  const message = reached
    ? `${server.product} at ${server.address} refused the connection: ${describeSqlError(cause)}`
    : `${server.product} at ${server.address} is unreachable after ${attemptsOf(error)}: ${describeSqlError(cause)}`;
  return new WeirError("WEIR_ERR_SINK_UNREACHABLE", message, { cause });
}

/** A statement's failure, as the sink reports it. */
export function sqlFailure(server: SqlServer, what: string, error: unknown): WeirError {
  if (error instanceof WeirError) return error;
  const cause = error instanceof RetriesExhausted ? error.cause : error;
  const network = isNetworkError(cause);
  const tries = error instanceof RetriesExhausted ? ` after ${attemptsOf(error)}` : "";
  return new WeirError(network ? "WEIR_ERR_SINK_UNREACHABLE" : "WEIR_ERR_SINK_WRITE", `${server.product} at ${server.address}: ${what} failed${tries}: ${describeSqlError(cause)}`, { cause });
}

/**
 * One session for operations that are safe to repeat (committing or rolling back by id, listing,
 * an upsert): after a transient failure the session is closed and the next attempt opens a fresh
 * one, so a connection that died while idle is never used again. At most `retry.attempts`
 * attempts, connecting included, with the policy's back-off between them.
 */
export class RepeatableSession {
  private session: SqlSession | undefined;

  constructor(private readonly server: SqlServer) {}

  /** Runs `operation` on a live session; failures are WEIR_ERR_SINK_UNREACHABLE or WEIR_ERR_SINK_WRITE naming `what`. */
  async run<R>(what: string, operation: (session: SqlSession) => Promise<R>): Promise<R> {
    let connecting = false;
    try {
      return await withRetries(
        async () => {
          if (this.session === undefined || this.session.lost) {
            connecting = true;
            this.session = await this.server.open();
            connecting = false;
          }
          const session = this.session;
          try {
            return await operation(session);
          } catch (e) {
            if (session.lost || repeatable(this.server, e)) {
              this.session = undefined;
              await session.end();
            }
            throw e;
          }
        },
        (e) => repeatable(this.server, e),
        this.server.retry,
      );
    } catch (e) {
      throw connecting ? unreachable(this.server, e) : sqlFailure(this.server, what, e);
    }
  }

  async end(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.end();
  }
}

/** A string as an SQL string literal (quotes doubled); for statements that take no parameters, such as PREPARE TRANSACTION. */
export function sqlLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** `text` as a LIKE pattern that matches it literally, followed by anything. */
export function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Whether a TCP connection to host:port opens within `timeoutMs`: a cheap probe before connecting for real. */
export function serverAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}
