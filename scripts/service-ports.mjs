// The servers the connector tests use, on 127.0.0.1, and their ports (each can be moved with its
// environment variable). scripts/services.mjs starts them; scripts/test.mjs names them.
export const SERVICE_PORTS = {
  postgres: { label: "PostgreSQL (max_prepared_transactions > 0)", port: Number(process.env.WEIR_PG_PORT ?? 5433) },
  mariadb: { label: "MariaDB", port: Number(process.env.WEIR_MARIADB_PORT ?? 3306) },
  nats: { label: "NATS JetStream", port: Number(process.env.WEIR_NATS_PORT ?? 4222) },
  kafka: { label: "Apache Kafka", port: Number(process.env.KAFKA_PORT ?? 9092) },
};
