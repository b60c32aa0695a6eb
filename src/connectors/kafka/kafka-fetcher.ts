/**
 * Fetch requests to partition leaders, sent on connections of the source's own, in the highest
 * Fetch version that both the brokers and the client library speak (13 or later: requests name
 * topics by id).
 *
 * Not through the client library's consumer: in read_committed mode it filters aborted
 * transactions itself, and that filter throws — from a socket callback, where no caller can catch
 * it, so the process dies — when an answer holds an abort marker of a producer that the answer's
 * list of aborted transactions does not name. It also drops whole batches by rules of its own.
 * The source filters by Kafka's rules instead (record-batches.ts), on the answer as the broker
 * sent it.
 *
 * A failure the library marks retryable (a lost connection, a leader that moved) is retried by
 * the caller with fresh metadata; see `isRetryable`.
 */
import type { ConnectionPool } from "@platformatic/kafka";
import type { loadKafkaClient } from "../../core/client-libraries.ts";
import type { ResolvedKafkaConnection } from "./kafka-connection.ts";

type Kafka = Awaited<ReturnType<typeof loadKafkaClient>>;
type FetchApi = Kafka["fetchV17"]["api"];
export type FetchRequestTopic = Parameters<FetchApi["async"]>[7][number];
export type FetchResponse = Awaited<ReturnType<FetchApi["async"]>>;

/** Kafka's fetch.max.bytes default; each partition's share is set per request. */
const MAX_BYTES = 50 * 1024 * 1024;
const FETCH_API_KEY = 1;
/** Topic ids in requests came with Fetch v13 (Kafka 3.1). */
const MIN_VERSION = 13;

export interface BrokerAddress {
  readonly host: string;
  readonly port: number;
}

export class KafkaFetcher {
  private readonly pool: ConnectionPool;
  private api: Promise<FetchApi> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly connection: ResolvedKafkaConnection,
    /** The broker versions of every API, as the client library lists them. */
    private readonly listApis: () => Promise<readonly { apiKey: number; minVersion: number; maxVersion: number }[]>,
  ) {
    this.pool = new kafka.ConnectionPool(connection.clientId, { connectTimeout: connection.connectTimeoutMs, requestTimeout: connection.requestTimeoutMs });
  }

  /** One sessionless Fetch request to `leader`; partition errors reject with the library's ResponseError. */
  async fetch(leader: BrokerAddress, topics: FetchRequestTopic[], maxWaitMs: number, readCommitted: boolean): Promise<FetchResponse> {
    const api = await (this.api ??= this.chooseApi());
    const connection = await this.pool.get(leader);
    // Session id 0 and epoch -1: a full fetch that opens no fetch session on the broker.
    return api.async(connection, maxWaitMs, 1, MAX_BYTES, readCommitted ? 1 : 0, 0, -1, topics, [], "");
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async chooseApi(): Promise<FetchApi> {
    const apis = await this.listApis().catch((e: unknown) => {
      this.api = undefined;
      throw e;
    });
    const fetch = apis.find((a) => a.apiKey === FETCH_API_KEY);
    const top = Math.min(fetch?.maxVersion ?? -1, 17);
    for (let version = top; version >= Math.max(MIN_VERSION, fetch?.minVersion ?? 0); version--) {
      const api = (this.kafka as unknown as Record<string, { api: FetchApi } | undefined>)[`fetchV${version}`]?.api;
      if (api !== undefined) return api;
    }
    throw new Error(
      `the brokers ${this.connection.bootstrapServers.join(",")} speak Fetch versions ${fetch === undefined ? "none" : `${fetch.minVersion}–${fetch.maxVersion}`}; the Kafka source needs version ${MIN_VERSION} or later (Kafka 3.1 or later)`,
    );
  }
}

/** Whether the client library would retry `error`: every error in its chain may be retried. */
export function isRetryable(error: unknown): boolean {
  const findBy = (error as { findBy?: unknown } | null)?.findBy;
  return typeof findBy === "function" && (findBy as (property: string, value: unknown) => unknown).call(error, "canRetry", false) == null;
}
