/**
 * The client libraries of connectors and of the on-disk state backend, loaded on first use, not
 * when the public API is imported: importing them costs CPU at start (the Kafka client compiles
 * its protocol schemas, about half a second), which every worker thread and every job that uses
 * none of them would otherwise pay. Each loader imports its library once per thread; a job
 * that uses a connector loads it when the connector first connects.
 *
 * Modules that use a library import its types with `import type` only, and its values through
 * these loaders; test/core/client-libraries.test.ts checks that the public entry point reaches
 * none of the libraries through a static import.
 */
import { createRequire } from "node:module";
import type * as JetStreamClient from "@nats-io/jetstream";
import type * as NatsTransport from "@nats-io/transport-node";
import type * as KafkaClient from "@platformatic/kafka";
import type * as Lmdb from "lmdb";
import type * as MysqlClient from "mysql2";
import type PostgresClient from "pg";

/** A loader that imports the module on its first call and gives every call the same promise. */
function once<M>(load: () => Promise<M>): () => Promise<M> {
  let loading: Promise<M> | undefined;
  return () => (loading ??= load());
}

export const loadKafkaClient = once<typeof KafkaClient>(() => import("@platformatic/kafka"));
export const loadJetStream = once<typeof JetStreamClient>(() => import("@nats-io/jetstream"));
export const loadNatsTransport = once<typeof NatsTransport>(() => import("@nats-io/transport-node"));
export const loadPostgresClient = once<typeof PostgresClient>(async () => (await import("pg")).default);
export const loadMysqlClient = once<typeof MysqlClient>(() => import("mysql2"));

let lmdb: typeof Lmdb | undefined;
/**
 * LMDB, loaded synchronously (its CommonJS build): a disk backend's store opens in a constructor
 * that state backends call synchronously.
 */
export function loadLmdb(): typeof Lmdb {
  return (lmdb ??= createRequire(import.meta.url)("lmdb") as typeof Lmdb);
}
