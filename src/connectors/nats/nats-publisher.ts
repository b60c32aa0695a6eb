/**
 * Publishing to JetStream with a bounded window of unacknowledged messages: at most
 * `maxInFlight` publishes wait for their acknowledgement at once; the rest queue in order.
 * A publish that fails in a way that may pass (a timeout, a lost connection) is repeated with the
 * same `Nats-Msg-Id`, so the stream keeps it once. `drain()` resolves once every message handed
 * over so far is acknowledged, and rejects with the first failure that persisted.
 */
import type { JetStreamClient } from "@nats-io/jetstream";
import { WeirError } from "../../core/errors.ts";
import { CountsInProcess } from "../../runtime/metrics.ts";
import { describeNatsError, isTransientNatsError, lastCause, natsAddress, repeatNats, type NatsConnectionOptions } from "./nats-connection.ts";

/** What one writer of a NATS sink counts. */
export interface NatsSinkCounts {
  /** Messages the stream acknowledged (duplicates included). */
  recordsOut: number;
  /** Acknowledged messages the stream had already (same message id within its duplicate window): replays it dropped. */
  duplicates: number;
}

/** Counts of a NATS sink's writers in this process (see CountsInProcess). */
export class NatsSinkMetrics extends CountsInProcess<NatsSinkCounts> {
  constructor() {
    super(() => ({ recordsOut: 0, duplicates: 0 }));
  }

  /** Messages the stream acknowledged (duplicates included). */
  get recordsOut(): number {
    return this.sum("recordsOut");
  }

  /** Acknowledged messages the stream had already (same message id within its duplicate window): replays it dropped. */
  get duplicates(): number {
    return this.sum("duplicates");
  }
}

interface Outgoing {
  readonly subject: string;
  readonly payload: Uint8Array;
  readonly id: string;
}

export class NatsPublisher {
  private queue: Outgoing[] = [];
  private head = 0;
  private inFlight = 0;
  private failure: WeirError | undefined;
  private idle: (() => void)[] = [];

  constructor(
    private readonly client: JetStreamClient,
    private readonly options: NatsConnectionOptions,
    private readonly maxInFlight: number,
    /** This publisher's own counts. */
    readonly counts: NatsSinkCounts,
    private readonly where: string,
  ) {}

  /** Hands a message over; throws the failure of an earlier one, if any persisted. */
  publish(subject: string, payload: Uint8Array, id: string): void {
    if (this.failure !== undefined) throw this.failure;
    this.queue.push({ subject, payload, id });
    this.pump();
  }

  /** Resolves when every message handed over is acknowledged. */
  async drain(): Promise<void> {
    if (this.inFlight > 0 || this.head < this.queue.length) await new Promise<void>((resolve) => this.idle.push(resolve));
    if (this.failure !== undefined) throw this.failure;
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.head < this.queue.length && this.failure === undefined) {
      const message = this.queue[this.head++]!;
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      }
      this.inFlight++;
      repeatNats(this.options, () => this.client.publish(message.subject, message.payload, { msgID: message.id, timeout: this.options.requestTimeoutMs }))
        .then(
          (ack) => {
            this.counts.recordsOut++;
            if (ack.duplicate) this.counts.duplicates++;
          },
          (e: unknown) => {
            this.failure ??= this.failed(message, e);
          },
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
          if (this.inFlight === 0 && (this.head >= this.queue.length || this.failure !== undefined)) {
            const waiting = this.idle;
            this.idle = [];
            for (const resolve of waiting) resolve();
          }
        });
    }
  }

  private failed(message: Outgoing, error: unknown): WeirError {
    const cause = lastCause(error);
    return new WeirError(
      isTransientNatsError(cause) ? "WEIR_ERR_SINK_UNREACHABLE" : "WEIR_ERR_SINK_WRITE",
      `${this.where}: publishing to ${message.subject} (message id ${message.id}) on NATS at ${natsAddress(this.options)} failed: ${describeNatsError(cause)}`,
      { cause },
    );
  }
}
