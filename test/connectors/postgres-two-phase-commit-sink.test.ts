import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { postgresTwoPhaseCommitSink } from "../../src/sinks/postgres/postgres-sinks.ts";
import { postgresDialect } from "../../src/sinks/postgres/postgres-dialect.ts";
import { sinkOperator } from "../sinks/sink-context.ts";
import { POSTGRES, skipUnless } from "./services.ts";
import { twoPhaseSinkBehaviour } from "./two-phase-sink-behaviour.ts";

describe("postgresTwoPhaseCommitSink", { skip: await skipUnless(POSTGRES) }, () => {
  twoPhaseSinkBehaviour({ service: POSTGRES, dialect: postgresDialect, makeSink: postgresTwoPhaseCommitSink });
});

describe("postgresTwoPhaseCommitSink on a server without prepared transactions", () => {
  it("refuses to start, saying max_prepared_transactions must be above 0", async (t) => {
    // A default PostgreSQL (max_prepared_transactions = 0), such as a system server on 5432.
    const port = Number(process.env.WEIR_PG_PLAIN_PORT ?? 5432);
    const sink = postgresTwoPhaseCommitSink({ port, database: "postgres", jobName: "plain", table: "t", columns: ["v"], toParams: (v: number) => [v], retry: { attempts: 1, initialDelayMs: 1, maxDelayMs: 1 } });
    const error = await sinkOperator(sink).then(
      (op) => void op.close(),
      (e: unknown) => e as Error & { code?: string },
    );
    if (error === undefined || error.code === "WEIR_ERR_SINK_UNREACHABLE") {
      t.skip(`no PostgreSQL with max_prepared_transactions = 0 on 127.0.0.1:${port}`);
      return;
    }
    assert.equal(error.code, "WEIR_ERR_SINK_SERVER_CONFIG");
    assert.match(error.message, /max_prepared_transactions is 0/);
  });
});
