/**
 * What the database sinks need of a server: sessions that run statements, a rule for which of its
 * errors are transient, and connecting within bounded time. A failure to connect becomes
 * WEIR_ERR_SINK_UNREACHABLE naming the server's address and the cause; a statement's failure
 * becomes WEIR_ERR_SINK_WRITE naming the server's error.
 */
import { connect } from "node:net";
import { WeirError } from "../../core/errors.ts";
import { DEFAULT_RETRY, RetriesExhausted, withRetries, type RetryPolicy } from "./retry.ts";

/** How a sink reaches its server; every field has a default for a local server. */
export interface SqlConnectionOptions {
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  /** Bound on one connection attempt (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /** Attempts and back-off for connecting and other repeatable operations (default: 4 attempts, 100 ms doubling to 2 s). */
  readonly retry?: RetryPolicy;
}

export type SqlRow = Record<string, unknown>;

/** One connection; statements on it run one after another. */
export interface SqlSession {
  query(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>;
  /** Closes the connection; the server rolls back a transaction still open on it. */
  end(): Promise<void>;
}

export interface SqlServer {
  /** "PostgreSQL", "MariaDB". */
  readonly product: string;
  /** host:port/database, for messages. */
  readonly address: string;
  readonly retry: RetryPolicy;
  /** One connection attempt, bounded by the connect timeout. */
  open(): Promise<SqlSession>;
  /** Whether repeating what failed with `error` may succeed (a lost connection, a deadlock). */
  transient(error: unknown): boolean;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export function retryPolicyOf(options: SqlConnectionOptions): RetryPolicy {
  return options.retry ?? DEFAULT_RETRY;
}

/** The error's message with the server's code (SQL state or error number) when it has one. */
export function describeSqlError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Error & { code?: unknown; errno?: unknown };
  const code = typeof e.code === "string" && e.code !== "" ? e.code : typeof e.errno === "number" ? String(e.errno) : undefined;
  const message = error.message === "" && error instanceof AggregateError ? error.errors.map(describeSqlError).join("; ") : error.message;
  return code === undefined || message.includes(code) ? message : `${message} (${code})`;
}

/** Network-level failures every client reports with a Node error code. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNABORTED"]);

export function isNetworkError(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isNetworkError);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && NETWORK_CODES.has(code);
}

/** Opens a session, retrying transient failures; WEIR_ERR_SINK_UNREACHABLE when every attempt failed. */
export async function connectSession(server: SqlServer): Promise<SqlSession> {
  try {
    return await withRetries(() => server.open(), (e) => server.transient(e) || isNetworkError(e), server.retry);
  } catch (e) {
    const attempts = e instanceof RetriesExhausted ? e.attempts : 1;
    const cause = e instanceof RetriesExhausted ? e.cause : e;
    throw new WeirError("WEIR_ERR_SINK_UNREACHABLE", `${server.product} at ${server.address} is unreachable after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${describeSqlError(cause)}`, {
      cause,
    });
  }
}

/** A statement's failure, as the sink reports it. */
export function sqlFailure(server: SqlServer, what: string, error: unknown): WeirError {
  if (error instanceof WeirError) return error;
  const cause = error instanceof RetriesExhausted ? error.cause : error;
  const code = isNetworkError(cause) ? "WEIR_ERR_SINK_UNREACHABLE" : "WEIR_ERR_SINK_WRITE";
  return new WeirError(code, `${server.product} at ${server.address}: ${what} failed: ${describeSqlError(cause)}`, { cause });
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
