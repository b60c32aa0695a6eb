/**
 * Reads every message of a stream (or of one subject filter of it) that is there now, in
 * sequence order: the NATS sink's read-back for the crash-test kit, and a check for tests.
 */
import { loadJetStream } from "../../core/client-libraries.ts";
import { connectNats, repeatNats, type NatsConnectionOptions } from "./nats-connection.ts";
import type { NatsMessageMeta } from "./nats-codec.ts";

export async function readStream<T>(
  options: NatsConnectionOptions,
  stream: string,
  filter: string | undefined,
  decode: (data: Uint8Array, message: NatsMessageMeta) => T,
): Promise<T[]> {
  const connection = await connectNats(options, "source");
  try {
    const { DeliverPolicy, jetstream } = await loadJetStream();
    const client = jetstream(connection, { timeout: options.requestTimeoutMs });
    const consumer = await repeatNats(options, () =>
      client.consumers.get(stream, { ...(filter === undefined ? {} : { filter_subjects: filter }), deliver_policy: DeliverPolicy.All }),
    );
    const records: T[] = [];
    if ((await consumer.info()).num_pending === 0) return records;
    for (;;) {
      const batch = await consumer.fetch({ max_messages: 1000, expires: 2000 });
      let last = -1;
      for await (const message of batch) {
        records.push(decode(message.data, { stream, subject: message.subject, sequence: message.info.streamSequence }));
        last = message.info.pending;
      }
      if (last === 0) return records;
      if (last === -1 && (await consumer.info()).num_pending === 0) return records;
    }
  } finally {
    await connection.close().catch(() => {});
  }
}
