import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { postgresTwoPhaseCommitSink, postgresUpsertSink } from "../../../src/sinks/postgres/postgres-sinks.ts";
import { mariadbXaSink } from "../../../src/sinks/mariadb/mariadb-sinks.ts";
import { postgresDialect } from "../../../src/sinks/postgres/postgres-dialect.ts";
import { mariadbDialect } from "../../../src/sinks/mariadb/mariadb-dialect.ts";
import { connectSession } from "../../../src/sinks/sql/sql-server.ts";
import { sinkOperator } from "../sink-context.ts";
import { silentServer, type SilentServer } from "./silent-server.ts";

const toParams = (v: number) => [v];
const retry = { attempts: 2, initialDelayMs: 10, maxDelayMs: 10 };

describe("a database sink whose server accepts connections and never answers", () => {
  let silent: SilentServer;
  before(async () => {
    silent = await silentServer();
  });
  after(() => silent.close());

  for (const [name, make] of [
    ["postgresTwoPhaseCommitSink", (port: number) => postgresTwoPhaseCommitSink({ port, jobName: "j", table: "t", columns: ["v"], toParams, connectTimeoutMs: 300, retry })],
    ["postgresUpsertSink", (port: number) => postgresUpsertSink({ port, table: "t", columns: ["v"], keyColumns: ["v"], toParams, connectTimeoutMs: 300, retry })],
    ["mariadbXaSink", (port: number) => mariadbXaSink({ port, jobName: "j", table: "t", columns: ["v"], toParams, connectTimeoutMs: 300, retry })],
  ] as const) {
    it(`${name} fails to start after its connect attempts, naming the address and that nothing answered`, { timeout: 20_000 }, async () => {
      await assert.rejects(sinkOperator(make(silent.port)), (e: Error & { code?: string }) => {
        assert.equal(e.code, "WEIR_ERR_SINK_UNREACHABLE");
        assert.match(e.message, new RegExp(`at 127\\.0\\.0\\.1:${silent.port}/\\w+ is unreachable after 2 attempts: no answer to connecting within 300 ms`));
        return true;
      });
    });
  }

  it("drops the connection of every attempt that got no answer", { timeout: 20_000 }, async () => {
    for (const dialect of [postgresDialect, mariadbDialect]) {
      const before = silent.accepted;
      await assert.rejects(connectSession(dialect.server({ port: silent.port, connectTimeoutMs: 200, retry: { attempts: 2, initialDelayMs: 1, maxDelayMs: 1 } })));
      assert.equal(silent.accepted - before, 2);
      // The close reaches the listener a moment after the client dropped the socket.
      for (let i = 0; i < 100 && silent.open > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(silent.open, 0, `${dialect.product} left connections open`);
    }
  });
});
