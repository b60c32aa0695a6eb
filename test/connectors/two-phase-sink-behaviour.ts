/**
 * What every two-phase-commit database sink must do, checked against a real server: the tests
 * of the PostgreSQL and the MariaDB sink run these with their own sink and server.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import type { Sink } from "../../src/sinks/sink.ts";
import type { TwoPhaseDialect } from "../../src/sinks/sql/sql-dialect.ts";
import type { SqlTwoPhaseCommitSinkOptions } from "../../src/sinks/sql/sql-two-phase-commit-sink.ts";
import type { SqlSession } from "../../src/sinks/sql/sql-server.ts";
import type { TwoPhaseCommitState } from "../../src/sinks/two-phase-commit-sink.ts";
import type { SqlTransaction } from "../../src/sinks/sql/sql-two-phase-commit-sink.ts";
import { sinkOperator } from "../sinks/sink-context.ts";
import { withRetries } from "../../src/core/retry.ts";
import { uniqueTable, withSession as withSessionOf, type Service } from "./services.ts";
import { faultProxy } from "./fault-proxy.ts";

interface Reading {
  name: string;
  n: number;
}

export interface TwoPhaseSinkUnderTest {
  readonly service: Service;
  readonly dialect: TwoPhaseDialect;
  readonly makeSink: (options: SqlTwoPhaseCommitSinkOptions<Reading>) => Sink<Reading>;
}

type State = TwoPhaseCommitState<SqlTransaction>;

export function twoPhaseSinkBehaviour({ service, dialect, makeSink }: TwoPhaseSinkUnderTest): void {
  const server = dialect.server(service.connection);
  const withSession = <R>(run: (session: SqlSession) => Promise<R>): Promise<R> => withSessionOf(service, dialect, run);

  async function fresh(): Promise<{ table: string; options: SqlTwoPhaseCommitSinkOptions<Reading> }> {
    const table = uniqueTable("weir_2pc");
    await withSession((s) => s.query(`CREATE TABLE ${table} (name VARCHAR(40) NOT NULL, n INTEGER NOT NULL)`));
    return { table, options: { ...service.connection, jobName: table, table, columns: ["name", "n"], toParams: (r) => [r.name, r.n], batchSize: 3 } };
  }

  const rows = (table: string) => withSession(async (s) => (await s.query(`SELECT name, n FROM ${table} ORDER BY n`)).map((r) => `${String(r.name)}=${String(r.n)}`));
  const prepared = (table: string) => withSession((s) => dialect.listPrepared(s, `weir:${table}:`));
  const drop = (table: string) => withSession((s) => s.query(`DROP TABLE ${table}`));

  it("makes a checkpoint's rows visible only when the checkpoint completes, written in batches from records changed in place", { timeout: 60_000 }, async () => {
    const { table, options } = await fresh();
    const op = await sinkOperator(makeSink(options), { operatorId: "sink" });
    const reading = { name: "a", n: 0 };
    for (let n = 1; n <= 7; n++) {
      reading.n = n;
      op.processElement(reading);
    }
    await op.snapshotState(1);
    assert.deepEqual(await rows(table), [], "a prepared transaction is invisible");
    assert.deepEqual(await prepared(table), [`weir:${table}:sink:0:${dialect.idAtBegin ? 1 : 1}`]);
    assert.deepEqual(op.connectorMetrics(), { numRecordsOut: 0 }, "prepared rows are not out yet");
    await op.notifyCheckpointComplete(1);
    assert.deepEqual(await rows(table), ["a=1", "a=2", "a=3", "a=4", "a=5", "a=6", "a=7"]);
    assert.deepEqual(op.connectorMetrics(), { numRecordsOut: 7 });
    assert.deepEqual(await prepared(table), []);
    await op.close();
    await drop(table);
  });

  it("on restore commits the restored checkpoint's transactions once, however often it restores, and rolls back later ones it does not know", { timeout: 60_000 }, async () => {
    const { table, options } = await fresh();
    const first = await sinkOperator(makeSink(options));
    first.processElement({ name: "a", n: 1 });
    const atOne = (await first.snapshotState(1)) as State;
    first.processElement({ name: "b", n: 2 });
    await first.snapshotState(2);
    // The process dies here: checkpoint 1 completed, but its notification never arrived; 2 never completed.
    await first.close();
    assert.equal((await prepared(table)).length, 2);

    for (let attempt = 0; attempt < 2; attempt++) {
      const again = await sinkOperator(makeSink(options), { restoredState: atOne, restoredCheckpointId: 1 });
      assert.deepEqual(await rows(table), ["a=1"]);
      assert.deepEqual(await prepared(table), []);
      await again.close();
    }
    await drop(table);
  });

  it("refuses to restore from a checkpoint older than one whose transaction already committed, instead of writing its rows twice", { timeout: 60_000 }, async () => {
    const { table, options } = await fresh();
    const first = await sinkOperator(makeSink(options));
    first.processElement({ name: "a", n: 1 });
    const atOne = (await first.snapshotState(1)) as State;
    await first.notifyCheckpointComplete(1);
    first.processElement({ name: "b", n: 2 });
    await first.snapshotState(2);
    await first.notifyCheckpointComplete(2);
    await first.close();
    await assert.rejects(
      (async () => {
        const older = await sinkOperator(makeSink(options), { restoredState: atOne, restoredCheckpointId: 1 });
        try {
          older.processElement({ name: "b", n: 2 });
          await older.snapshotState(2);
          await older.notifyCheckpointComplete(2);
        } finally {
          await older.close();
        }
      })(),
      (e: Error & { code?: string }) => e.code === "WEIR_ERR_SINK_CONFLICT",
    );
    assert.deepEqual(await rows(table), ["a=1", "b=2"]);
    await drop(table);
  });

  it("reports a checkpointed transaction that was rolled back behind its back instead of skipping it", { timeout: 60_000 }, async () => {
    const { table, options } = await fresh();
    const op = await sinkOperator(makeSink(options));
    op.processElement({ name: "a", n: 1 });
    await op.snapshotState(1);
    const [id] = await prepared(table);
    await withSession((s) => withRetries(() => dialect.rollbackPrepared(s, id!), server.transient));
    await assert.rejects(op.notifyCheckpointComplete(1), (e: Error & { code?: string }) => {
      assert.match(e.message, /neither prepared nor committed/);
      return true;
    });
    await op.close();
    await drop(table);
  });

  it("a fresh start rolls back what an earlier run of the job left prepared", { timeout: 60_000 }, async () => {
    const { table, options } = await fresh();
    const earlier = await sinkOperator(makeSink(options));
    earlier.processElement({ name: "a", n: 1 });
    await earlier.snapshotState(1);
    await earlier.close();
    const later = await sinkOperator(makeSink(options));
    assert.deepEqual(await prepared(table), []);
    later.processElement({ name: "b", n: 2 });
    await later.snapshotState(1);
    await later.notifyCheckpointComplete(1);
    assert.deepEqual(await rows(table), ["b=2"]);
    await later.close();
    await drop(table);
  });

  it("without checkpoints commits everything at end of input", { timeout: 60_000 }, async () => {
    const { table, options } = await fresh();
    const op = await sinkOperator(makeSink(options), { checkpointing: false });
    for (let n = 1; n <= 4; n++) op.processElement({ name: "x", n });
    await op.endInput();
    await op.close();
    assert.deepEqual(await rows(table), ["x=1", "x=2", "x=3", "x=4"]);
    await drop(table);
  });

  it("fails the task on a row the server rejects, naming the server and its error", { timeout: 60_000 }, async () => {
    const { table, options } = await fresh();
    const op = await sinkOperator(makeSink({ ...options, toParams: (r) => [r.name, r.n === 2 ? "not a number" : r.n] }));
    for (let n = 1; n <= 3; n++) op.processElement({ name: "a", n });
    await assert.rejects(op.snapshotState(1), (e: Error & { code?: string }) => {
      assert.match(e.message, new RegExp(`${dialect.product} at 127\\.0\\.0\\.1:\\d+/test`));
      return true;
    });
    await op.close();
    await drop(table);
  });
  it("replaces connections lost while idle with fresh ones, for the next transaction and for the commit", { timeout: 60_000 }, async () => {
    const { table, options } = await fresh();
    const proxy = await faultProxy(service.connection.port!);
    try {
      const op = await sinkOperator(makeSink({ ...options, port: proxy.port }));
      op.processElement({ name: "a", n: 1 });
      await op.snapshotState(1);
      await op.notifyCheckpointComplete(1);
      proxy.cut(); // a server restart, or a firewall dropping idle connections
      op.processElement({ name: "b", n: 2 });
      await op.snapshotState(2);
      proxy.cut();
      await op.notifyCheckpointComplete(2);
      assert.deepEqual(await rows(table), ["a=1", "b=2"]);
      await op.close();
    } finally {
      await proxy.close();
    }
    await drop(table);
  });

  it("fails a commit the server never answers within its statement timeout and attempts, naming the address, and a restore commits it later", { timeout: 60_000 }, async () => {
    const { table, options } = await fresh();
    const proxy = await faultProxy(service.connection.port!);
    const bounded = { ...options, port: proxy.port, connectTimeoutMs: 500, statementTimeoutMs: 1000, retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 10 } };
    try {
      const op = await sinkOperator(makeSink(bounded));
      op.processElement({ name: "a", n: 1 });
      const atOne = (await op.snapshotState(1)) as State;
      proxy.freeze();
      // The runtime's sink operator reports the sink's error as the cause of its own.
      await assert.rejects(op.notifyCheckpointComplete(1), (e: Error & { cause?: Error & { code?: string } }) => {
        assert.equal(e.cause?.code, "WEIR_ERR_SINK_UNREACHABLE");
        assert.match(e.message, new RegExp(`${dialect.product} at 127\\.0\\.0\\.1:${proxy.port}/test.*no answer to (a statement|connecting) within (1000|500) ms`));
        return true;
      });
      await op.close();
      proxy.thaw();
      const restored = await sinkOperator(makeSink({ ...bounded, retry: undefined }), { restoredState: atOne, restoredCheckpointId: 1 });
      assert.deepEqual(await rows(table), ["a=1"]);
      await restored.close();
    } finally {
      await proxy.close();
    }
    await drop(table);
  });

  it("gives up on a row blocked by another job's prepared transaction after the statement timeout instead of waiting for it", { timeout: 60_000 }, async () => {
    const table = uniqueTable("wlock").slice(0, 24);
    await withSession((s) => s.query(`CREATE TABLE ${table} (name VARCHAR(40) NOT NULL, n INTEGER NOT NULL PRIMARY KEY)`));
    const options = { ...service.connection, table, columns: ["name", "n"], toParams: (r: Reading) => [r.name, r.n], statementTimeoutMs: 1000 };
    const other = await sinkOperator(makeSink({ ...options, jobName: `${table}_o` }));
    other.processElement({ name: "other", n: 1 });
    await other.snapshotState(1); // prepared, never committed: it holds the key
    await other.close();
    const op = await sinkOperator(makeSink({ ...options, jobName: table }));
    op.processElement({ name: "mine", n: 1 });
    await assert.rejects(op.snapshotState(1), (e: Error) => {
      assert.match(e.message, new RegExp(`${dialect.product} at 127\\.0\\.0\\.1:\\d+/test: `));
      return true;
    });
    await op.close();
    await withSession(async (s) => {
      for (const id of await dialect.listPrepared(s, `weir:${table}_o:`)) await dialect.rollbackPrepared(s, id);
    });
    await drop(table);
  });
}
