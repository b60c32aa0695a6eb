/** JetStream streams of their own for the NATS connector tests, on the server of `NATS` (services.ts). */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type StreamConfig } from "@nats-io/jetstream";
import { NATS } from "./services.ts";

export const NATS_SERVER = `127.0.0.1:${NATS.connection.port}`;

/** A stream name (and subject prefix) no other test run uses. */
export function uniqueStream(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
}

/** Creates stream `name` capturing `<name>.>`; deleted by `deleteStream`. */
export async function createStream(name: string, config: Partial<StreamConfig> = {}): Promise<void> {
  await withConnection(async (connection) => {
    const manager = await jetstreamManager(connection);
    await manager.streams.add({ name, subjects: [`${name}.>`], ...config });
  });
}

export async function deleteStream(name: string): Promise<void> {
  await withConnection(async (connection) => {
    const manager = await jetstreamManager(connection);
    await manager.streams.delete(name).catch(() => {});
  });
}

/** Publishes each value as JSON to `subjectOf(value, i)`, waiting for every acknowledgement. */
export async function publishJson<T>(values: readonly T[], subjectOf: (value: T, index: number) => string): Promise<void> {
  await withConnection(async (connection) => {
    const client = jetstream(connection);
    const window = 500;
    for (let i = 0; i < values.length; i += window) {
      await Promise.all(values.slice(i, i + window).map((v, j) => client.publish(subjectOf(v, i + j), JSON.stringify(v))));
    }
  });
}

export async function withConnection<R>(run: (connection: NatsConnection) => Promise<R>): Promise<R> {
  const connection = await connect({ servers: NATS_SERVER, timeout: 5000 });
  try {
    return await run(connection);
  } finally {
    await connection.close();
  }
}
