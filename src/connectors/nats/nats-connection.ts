/**
 * Reaching a NATS server for the JetStream source and sink: connecting within bounded time,
 * retrying what may pass, and turning failures into typed errors that name the address.
 *
 * Contract: `connectNats` resolves with an open connection or rejects, after at most
 * `retry.attempts` attempts each bounded by `connectTimeoutMs` (with back-off between them), with
 * WEIR_ERR_SOURCE_UNREACHABLE or WEIR_ERR_SINK_UNREACHABLE naming the servers and the last cause.
 * It never hangs. Once connected, the client reconnects by itself after a lost connection; what
 * fails meanwhile is retried by the caller (`isTransientNatsError`).
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { loadNatsTransport } from "../../core/client-libraries.ts";
import { WeirError } from "../../core/errors.ts";
import { DEFAULT_RETRY, RetriesExhausted, withRetries, type RetryPolicy } from "../../core/retry.ts";

/** How a NATS source or sink reaches its server; every field has a default for a local server. */
export interface NatsConnectionOptions {
  /** "host:port", or several for a cluster (default "127.0.0.1:4222"). */
  readonly servers?: string | readonly string[];
  /** Bound on one connection attempt (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /** Attempts and back-off for connecting and for requests that may be repeated (default: 4 attempts, 100 ms doubling to 2 s). */
  readonly retry?: RetryPolicy;
  /** Bound on one JetStream request (a publish's acknowledgement, a fetch, stream info), default 5000 ms. */
  readonly requestTimeoutMs?: number;
}

export const DEFAULT_NATS_SERVER = "127.0.0.1:4222";
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

export type NatsRole = "source" | "sink";

/** The servers as one string, for messages. */
export function natsAddress(options: NatsConnectionOptions): string {
  const servers = options.servers ?? DEFAULT_NATS_SERVER;
  return typeof servers === "string" ? servers : servers.join(",");
}

/** Checks the connection options; `where` names the source or sink in the message. */
export function checkNatsConnectionOptions(options: NatsConnectionOptions, where: string): void {
  const servers = options.servers ?? DEFAULT_NATS_SERVER;
  const list = typeof servers === "string" ? [servers] : servers;
  if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== "string" || s === "")) {
    throw new WeirError("WEIR_ERR_INVALID_ARGUMENT", `${where}: servers must be a non-empty "host:port" string or a list of them, got ${JSON.stringify(options.servers)}`);
  }
  for (const [name, value] of [
    ["connectTimeoutMs", options.connectTimeoutMs],
    ["requestTimeoutMs", options.requestTimeoutMs],
  ] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new WeirError("WEIR_ERR_INVALID_ARGUMENT", `${where}: ${name} must be a positive number of milliseconds, got ${value}`);
    }
  }
  const retry = options.retry;
  if (retry !== undefined && !(Number.isSafeInteger(retry.attempts) && retry.attempts >= 1 && retry.initialDelayMs >= 0 && retry.maxDelayMs >= 0)) {
    throw new WeirError("WEIR_ERR_INVALID_ARGUMENT", `${where}: retry needs attempts (at least 1), initialDelayMs and maxDelayMs (at least 0), got ${JSON.stringify(retry)}`);
  }
}

export function retryPolicyOfNats(options: NatsConnectionOptions): RetryPolicy {
  return options.retry ?? DEFAULT_RETRY;
}

/** The error's message with its cause's (a refused socket says which address refused). */
export function describeNatsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error && !error.message.includes(error.cause.message) ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

/** Client errors after which the same request may succeed: the server is slow, restarting, or the connection is being re-established. */
const TRANSIENT_ERRORS = new Set(["TimeoutError", "ConnectionError", "NoRespondersError", "RequestError", "JetStreamNotEnabled", "JetStreamStatusError"]);
const TRANSIENT_SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE"]);

/**
 * Whether repeating what failed with `error` may succeed: a timeout, a lost or refused
 * connection, a request that found no responder while the server restarts (JetStream then
 * answers "not enabled"). Not: a missing stream, an invalid argument, a closed client.
 */
export function isTransientNatsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_ERRORS.has(error.constructor.name) || TRANSIENT_ERRORS.has(error.name)) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && TRANSIENT_SOCKET_CODES.has(code);
}

/** Opens a connection, retrying failed attempts with back-off; the role's UNREACHABLE error when all failed. */
export async function connectNats(options: NatsConnectionOptions, role: NatsRole): Promise<NatsConnection> {
  const servers = options.servers ?? DEFAULT_NATS_SERVER;
  const timeout = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  try {
    const { connect } = await loadNatsTransport();
    return await withRetries(
      () => connect({ servers: typeof servers === "string" ? servers : [...servers], timeout, name: `weir-${role}` }),
      () => true,
      retryPolicyOfNats(options),
    );
  } catch (e) {
    const attempts = e instanceof RetriesExhausted ? e.attempts : 1;
    const cause = e instanceof RetriesExhausted ? e.cause : e;
    throw new WeirError(
      role === "source" ? "WEIR_ERR_SOURCE_UNREACHABLE" : "WEIR_ERR_SINK_UNREACHABLE",
      `NATS at ${natsAddress(options)} is unreachable after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${describeNatsError(cause)}`,
      { cause },
    );
  }
}

/** Runs a repeatable request, retrying transient failures with the connection's back-off. */
export function repeatNats<R>(options: NatsConnectionOptions, operation: () => Promise<R>): Promise<R> {
  return withRetries(operation, isTransientNatsError, retryPolicyOfNats(options));
}

/** The cause of a failure that `repeatNats` gave up on. */
export function lastCause(error: unknown): unknown {
  return error instanceof RetriesExhausted ? error.cause : error;
}
