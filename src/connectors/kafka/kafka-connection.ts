/**
 * Connection settings shared by the Kafka source and sink, their validation, and how a client's
 * failure becomes a Weir error.
 *
 * Bounded time: a broker that does not answer fails a connection attempt after
 * `connectTimeoutMs`, a request after `requestTimeoutMs`; the client retries a failure it calls
 * retryable (`retries` times, `retryDelayMs` apart), and then the connector fails with
 * WEIR_ERR_SINK_UNREACHABLE / WEIR_ERR_SOURCE_UNREACHABLE naming the brokers and the cause.
 */
import { invalidArgument, WeirError } from "../../core/errors.ts";

export interface KafkaConnectionOptions {
  /** "host:port" of one or more brokers. */
  readonly bootstrapServers: string | readonly string[];
  /** Default "weir". */
  readonly clientId?: string;
  /** Per connection attempt; default 5000. */
  readonly connectTimeoutMs?: number;
  /** Per request; default 30000. */
  readonly requestTimeoutMs?: number;
  /**
   * Retries of a retryable failure; default 5, at least 2 (the client turns fewer into endless
   * retries for idempotent and transactional producers, which would hang on a lost broker).
   */
  readonly retries?: number;
  /** Pause between retries; default 250. */
  readonly retryDelayMs?: number;
}

export interface ResolvedKafkaConnection {
  readonly bootstrapServers: readonly string[];
  readonly clientId: string;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly retries: number;
  readonly retryDelayMs: number;
}

function positiveInteger(what: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!(Number.isSafeInteger(v) && v >= min)) throw invalidArgument(`${what} must be an integer of at least ${min}, got ${String(value)}`);
  return v;
}

/** Checks `options` (WEIR_ERR_INVALID_ARGUMENT naming `where` and the field) and fills in defaults. */
export function resolveKafkaConnection(where: string, options: KafkaConnectionOptions): ResolvedKafkaConnection {
  const servers = typeof options?.bootstrapServers === "string" ? options.bootstrapServers.split(",").map((s) => s.trim()) : options?.bootstrapServers;
  if (!Array.isArray(servers) || servers.length === 0) throw invalidArgument(`${where}: bootstrapServers must name at least one broker as "host:port"`);
  for (const server of servers) {
    if (typeof server !== "string" || !/^[^:\s]+:\d{1,5}$/.test(server)) throw invalidArgument(`${where}: bootstrap server '${String(server)}' is not "host:port"`);
  }
  const clientId = options.clientId ?? "weir";
  if (typeof clientId !== "string" || clientId.length === 0) throw invalidArgument(`${where}: clientId must be a non-empty string`);
  return {
    bootstrapServers: [...servers] as string[],
    clientId,
    connectTimeoutMs: positiveInteger(`${where}: connectTimeoutMs`, options.connectTimeoutMs, 5000),
    requestTimeoutMs: positiveInteger(`${where}: requestTimeoutMs`, options.requestTimeoutMs, 30_000),
    retries: positiveInteger(`${where}: retries`, options.retries, 5, 2),
    retryDelayMs: positiveInteger(`${where}: retryDelayMs`, options.retryDelayMs, 250, 0),
  };
}

/** The options every @platformatic/kafka client of a connector gets. */
export function clientOptions(connection: ResolvedKafkaConnection) {
  return {
    clientId: connection.clientId,
    bootstrapBrokers: [...connection.bootstrapServers],
    connectTimeout: connection.connectTimeoutMs,
    requestTimeout: connection.requestTimeoutMs,
    retries: connection.retries,
    retryDelay: connection.retryDelayMs,
  };
}

/** The innermost causes of a client error (it nests them in AggregateErrors), as text. */
export function describeKafkaError(error: unknown): string {
  const parts: string[] = [];
  const visit = (e: unknown, depth: number): void => {
    if (depth > 4 || e === undefined || e === null) return;
    const inner = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(inner) && inner.length > 0) {
      for (const i of inner) visit(i, depth + 1);
      return;
    }
    const cause = (e as { cause?: unknown }).cause;
    if (cause !== undefined && depth < 4 && typeof cause === "object") {
      visit(cause, depth + 1);
      return;
    }
    const message = e instanceof Error ? e.message : String(e);
    const api = (e as { apiId?: string }).apiId;
    const text = api === undefined ? message : `${api}: ${message}`;
    if (!parts.includes(text)) parts.push(text);
  };
  visit(error, 0);
  return parts.length === 0 ? String(error) : parts.join("; ");
}

/** The Kafka protocol error names (e.g. PRODUCER_FENCED) anywhere in a client error. */
export function kafkaErrorNames(error: unknown): Set<string> {
  const names = new Set<string>();
  const visit = (e: unknown, depth: number): void => {
    if (depth > 5 || e === null || typeof e !== "object") return;
    const api = (e as { apiId?: unknown }).apiId;
    if (typeof api === "string") names.add(api);
    const inner = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(inner)) for (const i of inner) visit(i, depth + 1);
    visit((e as { cause?: unknown }).cause, depth + 1);
  };
  visit(error, 0);
  return names;
}

/** Whether the client could not reach a broker (refused, timed out, closed), not an answer it gave. */
export function isNetworkFailure(error: unknown): boolean {
  const text = describeKafkaError(error);
  const code = (error as { code?: unknown })?.code;
  return code === "PLT_KFK_NETWORK" || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|timed out|Connection closed|connect/i.test(text);
}

/**
 * A client failure as a Weir error: unreachable (naming the brokers) when no broker answered,
 * otherwise `otherwise` (a write or read failure), with what the broker or client said.
 */
export function kafkaFailure(
  side: "sink" | "source",
  connection: ResolvedKafkaConnection,
  doing: string,
  error: unknown,
  otherwise: "WEIR_ERR_SINK_WRITE" | "WEIR_ERR_SOURCE_IO" = side === "sink" ? "WEIR_ERR_SINK_WRITE" : "WEIR_ERR_SOURCE_IO",
): WeirError {
  if (error instanceof WeirError) return error;
  const brokers = connection.bootstrapServers.join(",");
  if (isNetworkFailure(error)) {
    const code = side === "sink" ? "WEIR_ERR_SINK_UNREACHABLE" : "WEIR_ERR_SOURCE_UNREACHABLE";
    return new WeirError(code, `Kafka at ${brokers} is unreachable while ${doing}: ${describeKafkaError(error)}`, { cause: error });
  }
  return new WeirError(otherwise, `Kafka at ${brokers} failed while ${doing}: ${describeKafkaError(error)}`, { cause: error });
}
