/**
 * `natsSource`: a JetStream stream as a replayable, split-based source.
 *
 * Splits are the stream's subject filters (nats-stream-split.ts); a reader reads each through an
 * ordered consumer (nats-stream-reader.ts). Positions are stream sequences, kept in checkpoints:
 * a restore resumes after the last message emitted before the checkpoint, so with an
 * exactly-once sink each message counts once. Bounded mode ends at the stream's last sequence
 * when the job first starts (`bounded: "latest"`) or at a given one.
 *
 * Not guaranteed: messages removed from the stream by its retention (limits, age, a work queue)
 * before they were read are skipped without notice; a restore after they went starts at the
 * stream's first remaining message. Start position "new" is resolved when the job first starts.
 */
import { loadJetStream } from "../../core/client-libraries.ts";
import { WeirError } from "../../core/errors.ts";
import type { SplitSource } from "../../sources/split-source.ts";
import { deserializerFunction, type NatsDeserializer } from "./nats-codec.ts";
import {
  checkNatsConnectionOptions,
  connectNats,
  describeNatsError,
  isTransientNatsError,
  lastCause,
  natsAddress,
  repeatNats,
  type NatsConnectionOptions,
} from "./nats-connection.ts";
import { NatsSourceMetrics, NatsStreamReader } from "./nats-stream-reader.ts";
import { initialNatsSplits, NatsSplitEnumerator, type NatsEnumeratorState, type NatsStartPosition, type NatsStopPosition, type NatsStreamSplit } from "./nats-stream-split.ts";

export interface NatsSourceOptions<T> extends NatsConnectionOptions {
  /** The JetStream stream to read. */
  readonly stream: string;
  /**
   * Subject filters, one split each, read in parallel by different readers; they must not
   * overlap. Absent: the whole stream is one split.
   */
  readonly subjects?: readonly string[];
  /** Where a first start begins: the stream's first message (default), the messages after its last one ("new"), or a sequence. */
  readonly start?: NatsStartPosition;
  /** Absent: unbounded. "latest": stop after the stream's last message when the job first started; `{ sequence }`: after that one. */
  readonly bounded?: NatsStopPosition;
  /** How a payload becomes a record (default "string"). */
  readonly deserializer?: NatsDeserializer<T>;
  /** Messages per fetch (default 500); at most two fetches are buffered per split. */
  readonly fetchSize?: number;
  /** How long a fetch waits when no message is there (default 1000 ms). */
  readonly fetchWaitMs?: number;
}

export type NatsSource<T> = SplitSource<T, NatsStreamSplit, NatsEnumeratorState> & { readonly metrics: NatsSourceMetrics };

export function natsSource<T = string>(options: NatsSourceOptions<T>): NatsSource<T> {
  const where = `natsSource(${JSON.stringify(options?.stream)})`;
  checkNatsSourceOptions(options, where);
  const decode = deserializerFunction<T>(options.deserializer ?? ("string" as NatsDeserializer<T>), where);
  const metrics = new NatsSourceMetrics();
  const bounded = options.bounded !== undefined;
  const resolve = () => resolveSplits(options, where);
  return {
    boundedness: bounded ? "bounded" : "unbounded",
    // Built-in deserialisers make a new value per message; the user's may hand out one it keeps.
    emitsOwnedRecords: typeof options.deserializer !== "function",
    metrics,
    createEnumerator: (context) => new NatsSplitEnumerator(context, undefined, bounded, resolve),
    restoreEnumerator: (context, checkpoint) => new NatsSplitEnumerator(context, checkpoint, bounded, resolve),
    createReader: (context) =>
      new NatsStreamReader<T>(context, { connection: options, fetchSize: options.fetchSize ?? 500, fetchWaitMs: options.fetchWaitMs ?? 1000, decode, counts: metrics.forInstance(), where }),
  };
}

function checkNatsSourceOptions<T>(options: NatsSourceOptions<T>, where: string): void {
  const invalid = (message: string) => new WeirError("WEIR_ERR_INVALID_ARGUMENT", `${where}: ${message}`);
  if (options === null || typeof options !== "object") throw invalid("needs options with a stream name");
  if (typeof options.stream !== "string" || options.stream === "" || /[\s.*>]/.test(options.stream)) {
    throw invalid(`stream must be a stream name (no spaces, dots or wildcards), got ${JSON.stringify(options.stream)}`);
  }
  checkNatsConnectionOptions(options, where);
  const { subjects, start, bounded, fetchSize, fetchWaitMs } = options;
  if (subjects !== undefined) {
    if (!Array.isArray(subjects) || subjects.length === 0 || subjects.some((s) => typeof s !== "string" || s === "" || /\s/.test(s))) {
      throw invalid(`subjects must be a non-empty list of subject filters, got ${JSON.stringify(subjects)}`);
    }
    if (new Set(subjects).size !== subjects.length) throw invalid(`subjects must not repeat a filter, got ${JSON.stringify(subjects)}`);
  }
  const isSequence = (p: unknown) => typeof p === "object" && p !== null && Number.isSafeInteger((p as { sequence?: unknown }).sequence) && (p as { sequence: number }).sequence >= 0;
  if (start !== undefined && start !== "first" && start !== "new" && !(isSequence(start) && (start as { sequence: number }).sequence >= 1)) {
    throw invalid(`start must be "first", "new" or { sequence } with a sequence of at least 1, got ${JSON.stringify(start)}`);
  }
  if (bounded !== undefined && bounded !== "latest" && !isSequence(bounded)) {
    throw invalid(`bounded must be "latest" or { sequence } with a whole number, got ${JSON.stringify(bounded)}`);
  }
  if (fetchSize !== undefined && !(Number.isSafeInteger(fetchSize) && fetchSize >= 1)) throw invalid(`fetchSize must be a whole number of at least 1, got ${fetchSize}`);
  if (fetchWaitMs !== undefined && !(Number.isFinite(fetchWaitMs) && fetchWaitMs >= 100)) throw invalid(`fetchWaitMs must be at least 100 ms, got ${fetchWaitMs}`);
}

/** Asks the server for the stream's bounds and makes the splits of a first start (runs in the job master). */
async function resolveSplits<T>(options: NatsSourceOptions<T>, where: string): Promise<NatsStreamSplit[]> {
  const connection = await connectNats(options, "source");
  try {
    const manager = await (await loadJetStream()).jetstreamManager(connection, { timeout: options.requestTimeoutMs });
    const info = await repeatNats(options, () => manager.streams.info(options.stream));
    const bounds = { firstSequence: info.state.first_seq, lastSequence: info.state.last_seq };
    return initialNatsSplits(options.stream, options.subjects, options.start ?? "first", options.bounded, bounds);
  } catch (e) {
    const cause = lastCause(e);
    if (cause instanceof WeirError) throw cause;
    const missing = (cause as { name?: string } | null)?.name === "StreamNotFoundError" || (cause as Error | null)?.constructor?.name === "StreamNotFoundError";
    throw new WeirError(
      isTransientNatsError(cause) ? "WEIR_ERR_SOURCE_UNREACHABLE" : "WEIR_ERR_SOURCE_IO",
      `${where}: ${missing ? `stream ${options.stream} does not exist` : `asking for stream ${options.stream} failed: ${describeNatsError(cause)}`} on NATS at ${natsAddress(options)}`,
      { cause },
    );
  } finally {
    await connection.close().catch(() => {});
  }
}
