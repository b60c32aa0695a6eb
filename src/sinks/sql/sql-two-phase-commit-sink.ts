/**
 * An exactly-once database sink on the two-phase-commit base (two-phase-commit-sink.ts): each
 * checkpoint interval's rows go into one database transaction per subtask, which is prepared
 * (durable on the server, invisible) when the checkpoint is taken and committed by its id when
 * the checkpoint completes.
 *
 * Transaction ids: `weir:<job>:<operator>:<subtask>:<n>`, where n is the checkpoint that covers
 * the transaction when the server names transactions at prepare time (PostgreSQL), or a sequence
 * number kept in the checkpoint when it names them at begin time (XA).
 *
 * Idempotent commit: a server cannot tell a committed id from a rolled-back one, so each
 * transaction also inserts its id into a marker table before it is prepared; the marker becomes
 * visible exactly when the transaction commits. Committing an id the server no longer holds
 * succeeds when its marker exists, and is lost data (WEIR_ERR_SINK_CONFLICT) otherwise.
 *
 * Restore: the base commits the restored checkpoint's prepared transactions; then every prepared
 * transaction under this subtask's id prefix that the checkpoint does not know is rolled back
 * (it belongs to a checkpoint that never completed). A fresh start rolls back all of them and
 * forgets this subtask's markers. A marker newer than the restored checkpoint means output of a
 * later history of the job, which is refused (WEIR_ERR_SINK_CONFLICT).
 *
 * Rows are buffered and sent in batches of `batchSize` while the transaction is open; a failed
 * batch fails the task at the next record or checkpoint. Not guaranteed: a restore at another
 * parallelism rolls back only the prepared transactions of subtasks that exist again.
 */
import { WeirError } from "../../core/errors.ts";
import type { Sink, SinkContext } from "../sink.ts";
import { twoPhaseCommitSink, type TransactionalWriter } from "../two-phase-commit-sink.ts";
import type { Row, TwoPhaseDialect } from "./sql-dialect.ts";
import { checkWriteOptions, paramsOf, readBackQuery, rowWriter, type SqlWriteOptions } from "./sql-sink-options.ts";
import { connectSession, likePrefix, RepeatableSession, sqlFailure, type SqlServer, type SqlSession } from "./sql-server.ts";
import { SqlSinkMetrics, type SqlWriterCounts } from "./sql-sink-metrics.ts";
import type { ConnectorMetrics } from "../../runtime/metrics.ts";

export interface SqlTwoPhaseCommitSinkOptions<T> extends SqlWriteOptions<T> {
  /** Names this job's transactions (letters, digits, `_`, `-`, `.`): two jobs writing to one server need different names. */
  readonly jobName: string;
  /** The table of committed transaction ids (default `weir_sink_commits`), created when missing. */
  readonly markerTable?: string;
  /** A query whose rows are what the sink committed, for the crash-test kit (default: its columns of its table). */
  readonly readBack?: string;
}

/** A transaction as checkpoints store it. */
export interface SqlTransaction {
  /** The checkpoint (or sequence number) in its id; set when it begins (XA) or is prepared. */
  seq?: number;
  id?: string;
  /** Rows written into it; a transaction with none is never prepared. */
  rows: number;
}

const JOB_NAME = /^[A-Za-z0-9_.-]+$/;

interface OpenTransaction {
  readonly transaction: SqlTransaction;
  session: SqlSession | undefined;
  buffer: Row[];
  /** Batches sent so far, in order; rejects with the first failure. */
  sent: Promise<void>;
}

class SqlTransactionalWriter<T> implements TransactionalWriter<T, SqlTransaction> {
  /** Commits, roll-backs, listings and markers: statements that are safe to repeat on a fresh connection. */
  private readonly control: RepeatableSession;
  private idle: SqlSession | undefined;
  private open: OpenTransaction | undefined;
  private failure: unknown;
  private nextSeq = 1;
  private readonly server: SqlServer;
  private readonly writeRows: (session: SqlSession, rows: readonly Row[]) => Promise<void>;
  private readonly p1: string;

  constructor(
    private readonly dialect: TwoPhaseDialect,
    private readonly options: SqlTwoPhaseCommitSinkOptions<T>,
    private readonly batchSize: number,
    private readonly prefix: string,
    private readonly markerTable: string,
    private readonly restoredCheckpointId: number | undefined,
    private readonly counts: SqlWriterCounts,
  ) {
    this.server = dialect.server(options);
    this.control = new RepeatableSession(this.server);
    this.writeRows = rowWriter(dialect, options);
    this.p1 = dialect.placeholder(1);
  }

  /**
   * Set when a newer writer of the same subtask started in this process: this one belongs to a
   * failed attempt whose task may still be finishing a snapshot. It must prepare nothing more, or
   * the prepared transaction would outlive the new writer's roll-back of strays.
   */
  private retired = false;

  async start(): Promise<void> {
    const previous = liveWriters.get(this.prefix);
    liveWriters.set(this.prefix, this);
    await previous?.retire();
    await this.control.run("checking the server", (s) => this.dialect.checkServer(s));
    const setup = [
      `CREATE TABLE IF NOT EXISTS ${this.markerTable} (transaction_id VARCHAR(200) NOT NULL PRIMARY KEY, committed_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
      ...(this.options.setup ?? []),
    ];
    await this.control.run("setup", (s) => this.dialect.runSetup(s, setup));
  }

  private idOf(seq: number): string {
    return `${this.prefix}${seq}`;
  }

  beginTransaction(): SqlTransaction {
    if (!this.dialect.idAtBegin) return { rows: 0 };
    const seq = this.nextSeq++;
    return { seq, id: this.idOf(seq), rows: 0 };
  }

  write(transaction: SqlTransaction, record: T): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.open?.transaction !== transaction) this.open = { transaction, session: undefined, buffer: [], sent: Promise.resolve() };
    this.open.buffer.push(paramsOf(this.options, record));
    transaction.rows++;
    if (this.open.buffer.length >= this.batchSize) this.send(this.open);
  }

  /** Sends the buffered rows after the batches before them, beginning the transaction with the first. */
  private send(open: OpenTransaction): void {
    const rows = open.buffer;
    open.buffer = [];
    open.sent = open.sent.then(async () => {
      if (open.session === undefined) {
        open.session = await this.beginOn(this.idle, open.transaction.id);
        this.idle = undefined;
      }
      await this.writeRows(open.session, rows);
      this.counts.recordsWritten += rows.length;
    });
    // Seen by the next write; preCommit awaits `sent` itself.
    open.sent.catch((e: unknown) => {
      this.failure ??= sqlFailure(this.server, `writing into transaction ${open.transaction.id ?? "(open)"}`, e);
    });
  }

  /**
   * A session with the transaction begun: on the session kept from the last prepare when it still
   * works, else on a fresh one. Its connection may have died while idle without the client knowing
   * yet; nothing is written in the transaction before it begins, so a lost BEGIN moves to a fresh session.
   */
  private async beginOn(idle: SqlSession | undefined, id: string | undefined): Promise<SqlSession> {
    if (idle !== undefined && !idle.lost) {
      try {
        await this.dialect.begin(idle, id);
        return idle;
      } catch (e) {
        await idle.end();
        if (!this.server.transient(e)) throw e;
      }
    }
    const session = await connectSession(this.server);
    try {
      await this.dialect.begin(session, id);
    } catch (e) {
      await session.end();
      throw e;
    }
    return session;
  }

  /** The prepare in progress, which a newer writer of this subtask waits for before it looks for strays. */
  private preparing: Promise<void> | undefined;

  async preCommit(transaction: SqlTransaction, checkpointId?: number): Promise<void> {
    const done = this.prepare(transaction, checkpointId);
    this.preparing = done;
    await done;
  }

  private async prepare(transaction: SqlTransaction, checkpointId: number | undefined): Promise<void> {
    const open = this.open;
    if (open?.transaction !== transaction || transaction.rows === 0) return;
    this.open = undefined;
    if (!this.dialect.idAtBegin) {
      transaction.seq = checkpointId ?? 0;
      transaction.id = this.idOf(transaction.seq);
    }
    const id = transaction.id!;
    if (open.buffer.length > 0) this.send(open);
    try {
      await open.sent;
      if (this.retired) throw new Error("a newer attempt of this subtask started: its transactions are rolled back");
      const session = open.session!;
      await session.query(`INSERT INTO ${this.markerTable} (transaction_id) VALUES (${this.p1})`, [id]);
      await this.dialect.prepare(session, id);
      if (this.dialect.reuseAfterPrepare) this.idle = session;
      else await session.end();
    } catch (e) {
      await open.session?.end().catch(() => {});
      throw sqlFailure(this.server, `preparing transaction ${id}`, e);
    }
  }

  async commit(transaction: SqlTransaction): Promise<void> {
    if (transaction.rows === 0 || transaction.id === undefined) return;
    const id = transaction.id;
    const committed = await this.control.run(`committing transaction ${id}`, (s) => this.dialect.commitPrepared(s, id));
    if (committed) {
      this.counts.recordsOut += transaction.rows;
      return;
    }
    const marked = await this.control.run(`looking up transaction ${id}`, (s) => s.query(`SELECT 1 FROM ${this.markerTable} WHERE transaction_id = ${this.p1}`, [id]));
    if (marked.length > 0) return;
    throw new WeirError(
      "WEIR_ERR_SINK_CONFLICT",
      `${this.server.product} at ${this.server.address}: transaction ${id} holds ${transaction.rows} checkpointed rows but is neither prepared nor committed ` +
        `(it has no marker in ${this.markerTable}): it was rolled back outside the job, or the marker table was emptied`,
    );
  }

  async abort(transaction: SqlTransaction): Promise<void> {
    const open = this.open;
    if (open?.transaction === transaction) {
      this.open = undefined;
      // Closing the session rolls the open transaction back; its batches may still be in flight.
      await open.sent.catch(() => {});
      await open.session?.end().catch(() => {});
      return;
    }
    if (transaction.rows === 0 || transaction.id === undefined) return;
    const id = transaction.id;
    await this.control.run(`rolling back transaction ${id}`, (s) => this.dialect.rollbackPrepared(s, id));
  }

  async discardStrays(known: readonly SqlTransaction[]): Promise<void> {
    // Only prepared transactions are kept: the one that was current at the checkpoint had no rows
    // then (it began right after the prepare), so whatever a failed attempt prepared under its id is a stray.
    const keep = new Set(known.filter((t) => t.rows > 0).map((t) => t.id));
    const prepared = await this.control.run("listing prepared transactions", (s) => this.dialect.listPrepared(s, this.prefix));
    for (const id of prepared) {
      if (!keep.has(id)) await this.control.run(`rolling back transaction ${id}`, (s) => this.dialect.rollbackPrepared(s, id));
    }
    const pattern = likePrefix(this.prefix);
    const markers = await this.control.run("reading markers", (s) => s.query(`SELECT transaction_id FROM ${this.markerTable} WHERE transaction_id LIKE ${this.p1}`, [pattern]));
    const marked = markers.map((r) => String(r.transaction_id));
    if (known.length === 0) {
      await this.forgetMarkers(marked);
      return;
    }
    // XA: the newest transaction the checkpoint knows is its open one, which it never committed, so
    // a marker of that transaction or a later one comes from a later history. Ids named at prepare:
    // the checkpoint itself is the newest one this history committed.
    const newest = Math.max(...known.map((t) => t.seq ?? 0));
    const bound = this.dialect.idAtBegin ? newest - 1 : (this.restoredCheckpointId ?? 0);
    this.nextSeq = (this.dialect.idAtBegin ? newest : bound) + 1;
    const newer = marked.filter((id) => Number(id.slice(this.prefix.length)) > bound);
    if (newer.length > 0) {
      throw new WeirError(
        "WEIR_ERR_SINK_CONFLICT",
        `${this.server.product} at ${this.server.address}: transaction ${newer[0]} was committed after the restored checkpoint: ` +
          "its output belongs to a later history of the job; restore from the newest checkpoint, or give the job another jobName",
      );
    }
  }

  /**
   * Deletes markers by their ids, not by a LIKE range: a range delete would wait for the locks of
   * a neighbouring marker that another subtask or job holds in a prepared transaction (InnoDB
   * locks the record after the range), for as long as that stays prepared.
   */
  private async forgetMarkers(ids: readonly string[]): Promise<void> {
    for (let from = 0; from < ids.length; from += MARKERS_PER_DELETE) {
      const chunk = ids.slice(from, from + MARKERS_PER_DELETE);
      const list = chunk.map((_, i) => this.dialect.placeholder(i + 1)).join(", ");
      await this.control.run("forgetting markers of an earlier run", (s) => s.query(`DELETE FROM ${this.markerTable} WHERE transaction_id IN (${list})`, chunk));
    }
  }

  /** Closes the open transaction's session (the server rolls it back) and stops this writer preparing. */
  async retire(): Promise<void> {
    this.retired = true;
    await this.open?.session?.end().catch(() => {});
    // A prepare already past its check finishes first, so that the newer writer sees it as a stray.
    await this.preparing?.catch(() => {});
  }

  metrics(): ConnectorMetrics {
    return { numRecordsOut: this.counts.recordsOut };
  }

  async close(): Promise<void> {
    if (liveWriters.get(this.prefix) === this) liveWriters.delete(this.prefix);
    await this.idle?.end().catch(() => {});
    await this.control.end();
  }
}

const MARKERS_PER_DELETE = 500;

/** The newest writer of each transaction id prefix (job, operator, subtask) in this process or thread. */
const liveWriters = new Map<string, { retire(): Promise<void> }>();

/** The exactly-once sink of `dialect` (see the module comment); options are checked at once. */
export function sqlTwoPhaseCommitSink<T>(sinkName: string, dialect: TwoPhaseDialect, options: SqlTwoPhaseCommitSinkOptions<T>): Sink<T> & { readonly metrics: SqlSinkMetrics } {
  const batchSize = checkWriteOptions(sinkName, options);
  if (typeof options.jobName !== "string" || !JOB_NAME.test(options.jobName)) {
    throw new WeirError("WEIR_ERR_INVALID_ARGUMENT", `${sinkName}: jobName must be letters, digits, '_', '-' or '.', got ${JSON.stringify(options.jobName)}`);
  }
  const markerTable = options.markerTable ?? "weir_sink_commits";
  const metrics = new SqlSinkMetrics();
  const query = readBackQuery(options);
  const create = async (context: SinkContext) => {
    const prefix = `weir:${options.jobName}:${context.operatorId}:${context.subtaskIndex}:`;
    if (prefix.length + 15 > dialect.maxIdLength) {
      throw new WeirError(
        "WEIR_ERR_INVALID_ARGUMENT",
        `${sinkName}: transaction ids '${prefix}<n>' would exceed ${dialect.product}'s ${dialect.maxIdLength} characters: give the job a shorter jobName or the sink a shorter uid`,
      );
    }
    const writer = new SqlTransactionalWriter(dialect, options, batchSize, prefix, markerTable, context.restoredCheckpointId, metrics.forInstance());
    opened.set(context, writer);
    await writer.start();
    return writer;
  };
  // A writer that fails to start (a refused server, a conflict found on restore) is never closed by its task: close its sessions here.
  const opened = new WeakMap<SinkContext, SqlTransactionalWriter<T>>();
  const readBack = query === undefined ? undefined : { readCommitted: () => readRows(dialect.server(options), query) };
  const sink = twoPhaseCommitSink<T, SqlTransaction>(create, readBack);
  return {
    ...sink,
    metrics,
    async createWriter(context) {
      try {
        return await sink.createWriter(context);
      } catch (e) {
        await opened.get(context)?.close();
        throw e;
      }
    },
  };
}

/** Every row `query` returns, each as the list of its values. */
export async function readRows(server: SqlServer, query: string): Promise<unknown[][]> {
  const session = await connectSession(server);
  try {
    return (await session.query(query)).map((row) => Object.values(row));
  } catch (e) {
    throw sqlFailure(server, "reading back committed rows", e);
  } finally {
    await session.end().catch(() => {});
  }
}
