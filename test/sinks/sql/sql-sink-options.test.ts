import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { postgresTwoPhaseCommitSink, postgresUpsertSink } from "../../../src/sinks/postgres/postgres-sinks.ts";
import { mariadbXaSink } from "../../../src/sinks/mariadb/mariadb-sinks.ts";
import { sinkOperator } from "../sink-context.ts";

const toParams = (v: number) => [v];
const invalid = (pattern: RegExp) => (e: Error & { code?: string }) => e.code === "WEIR_ERR_INVALID_ARGUMENT" && pattern.test(e.message);

describe("database sink options", () => {
  it("refuses a statement together with a table, naming the sink", () => {
    assert.throws(() => postgresTwoPhaseCommitSink({ jobName: "j", statement: "INSERT INTO t VALUES ($1)", table: "t", columns: ["v"], toParams }), invalid(/^postgresTwoPhaseCommitSink: give either statement or table/));
  });

  it("refuses a table without columns, a zero batch size and a job name that would break transaction ids", () => {
    assert.throws(() => postgresTwoPhaseCommitSink({ jobName: "j", table: "t", toParams }), invalid(/columns must name at least one column of 't'/));
    assert.throws(() => postgresTwoPhaseCommitSink({ jobName: "j", table: "t", columns: ["v"], toParams, batchSize: 0 }), invalid(/batchSize must be a positive integer/));
    assert.throws(() => postgresTwoPhaseCommitSink({ jobName: "it's", table: "t", columns: ["v"], toParams }), invalid(/jobName must be letters/));
  });

  it("refuses upsert key columns that are not among the columns", () => {
    assert.throws(() => postgresUpsertSink({ table: "t", columns: ["k", "v"], keyColumns: ["id"], toParams }), invalid(/keyColumns must name at least one of the columns \(k, v\)/));
  });

  it("refuses XA transaction ids longer than MariaDB's 64 bytes when the writer starts", async () => {
    const sink = mariadbXaSink({ jobName: "a-rather-long-job-name-for-a-small-id", table: "t", columns: ["v"], toParams });
    await assert.rejects(sinkOperator(sink, { operatorId: "a-long-operator-uid-as-well" }), invalid(/would exceed MariaDB's 64 characters/));
  });
});

describe("a database sink whose server is unreachable", () => {
  it("fails within its attempts, naming the server's address and the cause", async () => {
    // Port 9 (discard) has no listener here: connections are refused at once.
    const sink = postgresTwoPhaseCommitSink({ port: 9, jobName: "j", table: "t", columns: ["v"], toParams, connectTimeoutMs: 500, retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 10 } });
    await assert.rejects(sinkOperator(sink), (e: Error & { code?: string }) => {
      assert.equal(e.code, "WEIR_ERR_SINK_UNREACHABLE");
      assert.match(e.message, /^PostgreSQL at 127\.0\.0\.1:9\/postgres is unreachable after 2 attempts: .*ECONNREFUSED/);
      return true;
    });
  });
});
