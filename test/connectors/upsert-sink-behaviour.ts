/** What every upsert sink must do, checked against a real server (PostgreSQL's and MariaDB's run these). */
import { it } from "node:test";
import assert from "node:assert/strict";
import type { Sink } from "../../src/sinks/sink.ts";
import type { SqlDialect } from "../../src/sinks/sql/sql-dialect.ts";
import type { SqlUpsertSinkOptions } from "../../src/sinks/sql/sql-upsert-sink.ts";
import type { SqlSession } from "../../src/sinks/sql/sql-server.ts";
import { sinkOperator } from "../sinks/sink-context.ts";
import { uniqueTable, withSession as withSessionOf, type Service } from "./services.ts";

type Count = [key: string, count: number];

export function upsertSinkBehaviour(service: Service, dialect: SqlDialect, makeSink: (options: SqlUpsertSinkOptions<Count>) => Sink<Count>): void {
  const withSession = <R>(run: (session: SqlSession) => Promise<R>): Promise<R> => withSessionOf(service, dialect, run);

  async function fresh(): Promise<{ table: string; options: SqlUpsertSinkOptions<Count> }> {
    const table = uniqueTable("weir_upsert");
    await withSession((s) => s.query(`CREATE TABLE ${table} (k VARCHAR(40) NOT NULL PRIMARY KEY, c INTEGER NOT NULL)`));
    return { table, options: { ...service.connection, table, columns: ["k", "c"], keyColumns: ["k"], toParams: (r) => [r[0], r[1]], batchSize: 4 } };
  }
  const rows = (table: string) => withSession(async (s) => (await s.query(`SELECT k, c FROM ${table} ORDER BY k`)).map((r) => `${String(r.k)}=${String(r.c)}`));
  const drop = (table: string) => withSession((s) => s.query(`DROP TABLE ${table}`));

  it("writes each key's latest value, and everything before a checkpoint when it is taken", { timeout: 60_000 }, async () => {
    const { table, options } = await fresh();
    const op = await sinkOperator(makeSink(options));
    const record: Count = ["a", 0];
    for (let c = 1; c <= 3; c++) {
      record[1] = c;
      op.processElement(record);
    }
    op.processElement(["b", 1]);
    await op.snapshotState(1);
    assert.deepEqual(await rows(table), ["a=3", "b=1"]);
    assert.deepEqual(op.connectorMetrics(), { numRecordsOut: 2 }, "rows written, a key's replaced values not counted");
    await op.close();
    await drop(table);
  });

  it("leaves the table as a run without failures does when a restore replays the records after a checkpoint", { timeout: 60_000 }, async () => {
    const { table, options } = await fresh();
    const input: Count[] = [["a", 1], ["b", 1], ["a", 2], ["c", 1], ["b", 2], ["a", 3]];
    const first = await sinkOperator(makeSink(options));
    for (const r of input.slice(0, 3)) first.processElement(r);
    await first.snapshotState(1);
    for (const r of input.slice(3, 5)) first.processElement(r);
    await first.endInput(); // written, then the job fails before checkpoint 2
    await first.close();
    const replay = await sinkOperator(makeSink(options), { restoredCheckpointId: 1 });
    for (const r of input.slice(3)) replay.processElement(r);
    await replay.endInput();
    await replay.close();
    assert.deepEqual(await rows(table), ["a=3", "b=2", "c=1"]);
    await drop(table);
  });
}
