/**
 * `natsSink`: publishes records to JetStream with a `Nats-Msg-Id` per record, so that the stream
 * drops a record the job publishes again after a restore. Exactly-once within the stream's
 * duplicate window (duplicate-window.ts), at-least-once beyond it.
 *
 * Two ways to name a record, and so two publishing schedules:
 * - `messageId(record)` given: the id comes from the record's identity (a key and a count, an
 *   event id). Records are published as they come; a checkpoint waits until every record before
 *   its barrier is acknowledged. After a restore the job replays the records after the
 *   checkpoint, and a replayed record gets its own id again only if the function returns the same
 *   id for it: it must be a function of the record's content that tells apart every record the
 *   job means to publish.
 * - no `messageId` (the default): ids come from positions that a checkpoint fixes, not from the
 *   records. The records a subtask writes between two checkpoints are kept in its state and
 *   published once the checkpoint that covers them completes, the i-th of checkpoint n with id
 *   `<run>:<subtask>:<n>:<i>`, where <run> is drawn when the job first starts and restored with
 *   the state. A restore publishes the batches of the restored checkpoint again with the same
 *   ids. This needs no determinism from the job, at the price of latency (output appears one
 *   checkpoint later) and of checkpoints that hold the records in between.
 * Without checkpointing, records are published as they come (ids from the run and a counter):
 * there is no restore to be safe against.
 *
 * At start the sink finds the stream that captures its subject and checks that its duplicate
 * window exceeds `checkpointIntervalMs` + `restartTimeMs` (WEIR_ERR_SINK_SERVER_CONFIG
 * otherwise). Publishing keeps at most `maxInFlight` messages unacknowledged per writer.
 *
 * Not guaranteed: anything once a replay comes later than the duplicate window (a job stopped and
 * resumed from an old checkpoint much later); records of two different runs that the user's
 * `messageId` gives the same id (the second is dropped).
 */
import type { ConnectorMetrics } from "../../runtime/metrics.ts";
import { randomUUID } from "node:crypto";
import type { NatsConnection } from "@nats-io/transport-node";
import type { JetStreamClient } from "@nats-io/jetstream";
import { loadJetStream } from "../../core/client-libraries.ts";
import { WeirError } from "../../core/errors.ts";
import { faultPoint } from "../../runtime/fault-hooks.ts";
import type { Sink, SinkContext, SinkWriter } from "../../sinks/sink.ts";
import { deserializerFunction, serializerFunction, type NatsDeserializer, type NatsSerializer } from "./nats-codec.ts";
import { checkNatsConnectionOptions, connectNats, describeNatsError, lastCause, natsAddress, repeatNats, type NatsConnectionOptions } from "./nats-connection.ts";
import { checkpointMessageId, duplicateWindowProblem } from "./duplicate-window.ts";
import { NatsPublisher, NatsSinkMetrics } from "./nats-publisher.ts";
import { readStream } from "./read-stream.ts";

export interface NatsSinkOptions<T> extends NatsConnectionOptions {
  /** The subject to publish to, or a function of the record (then `stream` is needed). */
  readonly subject: string | ((record: T) => string);
  /** The stream that captures the subjects; default: the one the server finds for `subject`. */
  readonly stream?: string;
  /** How a record becomes a payload (default "json"). */
  readonly serializer?: NatsSerializer<T>;
  /** The record's identity as a message id (see above); default: ids from checkpoint positions. */
  readonly messageId?: (record: T) => string;
  /** Unacknowledged publishes per writer (default 500). */
  readonly maxInFlight?: number;
  /** The checkpoint interval for the duplicate window check; default the job's own (60 000 ms without checkpoints). */
  readonly checkpointIntervalMs?: number;
  /** The longest a failed job takes to restart and publish again, for the same check (default 30 000 ms). */
  readonly restartTimeMs?: number;
  /**
   * How to read back what the sink published, for the crash-test kit: the subject filter to read
   * (default: `subject` when it is a string) and the payloads' deserialiser (default "json").
   */
  readonly readBack?: { readonly subject?: string; readonly deserializer?: NatsDeserializer<unknown> };
}

type Outgoing = [subject: string, payload: Uint8Array];

/** What a writer keeps in checkpoints. */
interface NatsSinkState {
  readonly runId: string;
  /** Default ids only: the batches whose checkpoint has not completed yet (as seen by this writer), oldest first. */
  readonly pending: readonly (readonly [checkpointId: number, records: readonly Outgoing[]])[];
}

class NatsSinkWriter<T> implements SinkWriter<T> {
  private buffer: Outgoing[] = [];
  private pending: [number, Outgoing[]][];
  private counter = 0;
  private readonly afterCheckpoint: boolean;

  constructor(
    private readonly connection: NatsConnection,
    private readonly publisher: NatsPublisher,
    private readonly options: NatsSinkOptions<T>,
    private readonly serialize: (record: T) => Uint8Array,
    private readonly context: SinkContext,
    private readonly runId: string,
    restored: NatsSinkState | undefined,
  ) {
    this.afterCheckpoint = context.checkpointing && options.messageId === undefined;
    this.pending = (restored?.pending ?? []).map(([id, records]) => [id, [...records]]);
  }

  write(record: T): void {
    const subject = typeof this.options.subject === "string" ? this.options.subject : this.options.subject(record);
    const payload = this.serialize(record);
    if (this.afterCheckpoint) {
      this.buffer.push([subject, payload]);
      return;
    }
    const id = this.options.messageId?.(record) ?? `${this.runId}:${this.context.subtaskIndex}:${this.counter++}`;
    this.publisher.publish(subject, payload, id);
  }

  async snapshotState(checkpointId: number): Promise<NatsSinkState> {
    if (!this.afterCheckpoint) {
      await this.publisher.drain();
      return { runId: this.runId, pending: [] };
    }
    if (this.buffer.length > 0) this.pending.push([checkpointId, this.buffer]);
    this.buffer = [];
    return { runId: this.runId, pending: this.pending.slice() };
  }

  /**
   * Publishes the batches up to `checkpointId`, oldest first, and waits for their
   * acknowledgements. The crash-test kit's "before-commit" faults strike before each batch (and,
   * with record ids, once per completed checkpoint): a failure there must not lose a batch.
   */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    if (!this.afterCheckpoint) {
      faultPoint("before-commit");
      return;
    }
    while (this.pending.length > 0 && this.pending[0]![0] <= checkpointId) {
      faultPoint("before-commit");
      const [id, records] = this.pending[0]!;
      records.forEach(([subject, payload], i) => this.publisher.publish(subject, payload, checkpointMessageId(this.runId, this.context.subtaskIndex, id, i)));
      await this.publisher.drain();
      this.pending.shift();
    }
  }

  async flush(): Promise<void> {
    await this.publisher.drain();
  }

  metrics(): ConnectorMetrics {
    return { numRecordsOut: this.publisher.counts.recordsOut };
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => {});
  }
}

export function natsSink<T>(options: NatsSinkOptions<T>): Sink<T> & { readonly metrics: NatsSinkMetrics } {
  const where = `natsSink(${typeof options?.subject === "string" ? JSON.stringify(options.subject) : options?.stream ?? "?"})`;
  checkNatsSinkOptions(options, where);
  const serialize = serializerFunction<T>(options.serializer ?? "json", where);
  const metrics = new NatsSinkMetrics();
  const readSubject = options.readBack?.subject ?? (typeof options.subject === "string" ? options.subject : undefined);
  return {
    metrics,
    readsRecordsOnly: true,
    ...(options.readBack === undefined
      ? {}
      : {
          committed: {
            guarantee: "exactly-once" as const,
            read: async () => {
              const connection = await connectNats(options, "sink");
              const stream = await streamOf(connection, options, where).finally(() => connection.close().catch(() => {}));
              return readStream(options, stream, readSubject, deserializerFunction(options.readBack!.deserializer ?? "json", where));
            },
          },
        }),
    async createWriter(context) {
      const connection = await connectNats(options, "sink");
      try {
        const stream = await streamOf(connection, options, where);
        if (context.checkpointing) await checkDuplicateWindow(connection, options, options.checkpointIntervalMs ?? context.checkpointIntervalMs ?? 60_000, stream, where);
        const { jetstream } = await loadJetStream();
        const client: JetStreamClient = jetstream(connection, { timeout: options.requestTimeoutMs });
        const publisher = new NatsPublisher(client, options, options.maxInFlight ?? 500, metrics.forInstance(), where);
        const restored = context.restoredState as NatsSinkState | undefined;
        const writer = new NatsSinkWriter<T>(connection, publisher, options, serialize, context, restored?.runId ?? randomUUID(), restored);
        // The batches of the restored checkpoint are covered by it: it completed, so publish them (again) now.
        if (context.restoredCheckpointId !== undefined) await writer.notifyCheckpointComplete(context.restoredCheckpointId);
        return writer;
      } catch (e) {
        await connection.close().catch(() => {});
        throw e;
      }
    },
  };
}

function checkNatsSinkOptions<T>(options: NatsSinkOptions<T>, where: string): void {
  const invalid = (message: string) => new WeirError("WEIR_ERR_INVALID_ARGUMENT", `${where}: ${message}`);
  if (options === null || typeof options !== "object") throw invalid("needs options with a subject");
  const { subject, stream, messageId, maxInFlight, checkpointIntervalMs, restartTimeMs } = options;
  if (typeof subject === "string") {
    if (subject === "" || /[\s*>]/.test(subject)) throw invalid(`subject must be a subject without spaces or wildcards, got ${JSON.stringify(subject)}`);
  } else if (typeof subject !== "function") {
    throw invalid(`subject must be a string or a function of the record, got ${typeof subject}`);
  } else if (stream === undefined) {
    throw invalid("a subject function needs the stream that captures its subjects (option stream)");
  }
  if (stream !== undefined && (typeof stream !== "string" || stream === "" || /[\s.*>]/.test(stream))) throw invalid(`stream must be a stream name, got ${JSON.stringify(stream)}`);
  if (messageId !== undefined && typeof messageId !== "function") throw invalid(`messageId must be a function of the record, got ${typeof messageId}`);
  if (maxInFlight !== undefined && !(Number.isSafeInteger(maxInFlight) && maxInFlight >= 1)) throw invalid(`maxInFlight must be a whole number of at least 1, got ${maxInFlight}`);
  for (const [name, value] of [
    ["checkpointIntervalMs", checkpointIntervalMs],
    ["restartTimeMs", restartTimeMs],
  ] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw invalid(`${name} must be a number of milliseconds of at least 0, got ${value}`);
  }
  checkNatsConnectionOptions(options, where);
}

/** The stream the sink publishes into: the given one, or the one capturing its subject. */
async function streamOf<T>(connection: NatsConnection, options: NatsSinkOptions<T>, where: string): Promise<string> {
  if (options.stream !== undefined) return options.stream;
  const subject = options.subject as string;
  try {
    const manager = await (await loadJetStream()).jetstreamManager(connection, { timeout: options.requestTimeoutMs });
    return await repeatNats(options, () => manager.streams.find(subject));
  } catch (e) {
    const cause = lastCause(e);
    throw new WeirError("WEIR_ERR_SINK_SERVER_CONFIG", `${where}: no stream on NATS at ${natsAddress(options)} captures subject ${subject}: ${describeNatsError(cause)}`, { cause });
  }
}

async function checkDuplicateWindow<T>(connection: NatsConnection, options: NatsSinkOptions<T>, checkpointIntervalMs: number, stream: string, where: string): Promise<void> {
  let windowMs: number;
  try {
    const manager = await (await loadJetStream()).jetstreamManager(connection, { timeout: options.requestTimeoutMs });
    const info = await repeatNats(options, () => manager.streams.info(stream));
    windowMs = info.config.duplicate_window / 1e6;
  } catch (e) {
    const cause = lastCause(e);
    throw new WeirError("WEIR_ERR_SINK_SERVER_CONFIG", `${where}: stream ${stream} on NATS at ${natsAddress(options)} could not be inspected: ${describeNatsError(cause)}`, { cause });
  }
  const problem = duplicateWindowProblem({ windowMs, checkpointIntervalMs, restartTimeMs: options.restartTimeMs ?? 30_000 });
  if (problem !== undefined) throw new WeirError("WEIR_ERR_SINK_SERVER_CONFIG", `${where}: stream ${stream} cannot keep the sink exactly-once: ${problem}`);
}
