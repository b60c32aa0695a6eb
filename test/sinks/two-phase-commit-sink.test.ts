import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { twoPhaseCommitSink, type TransactionalWriter, type TwoPhaseCommitState } from "../../src/sinks/two-phase-commit-sink.ts";
import type { SinkWriter } from "../../src/sinks/sink.ts";
import { sinkContext, sinkOperator } from "./sink-context.ts";

/** A transactional target in memory: committed output, and a log of every call. */
class Ledger {
  readonly committed: string[] = [];
  readonly log: string[] = [];
  readonly open = new Map<number, string[]>();
  next = 0;

  writer(): TransactionalWriter<string, number> {
    return {
      beginTransaction: () => {
        const id = this.next++;
        this.open.set(id, []);
        this.log.push(`begin ${id}`);
        return id;
      },
      write: (txn, record) => void this.open.get(txn)!.push(record),
      preCommit: (txn) => void this.log.push(`precommit ${txn}`),
      commit: (txn) => {
        this.log.push(`commit ${txn}`);
        const records = this.open.get(txn);
        if (records !== undefined) this.committed.push(...records);
        this.open.delete(txn);
      },
      abort: (txn) => {
        this.log.push(`abort ${txn}`);
        this.open.delete(txn);
      },
      discardStrays: (known) => void this.log.push(`strays except ${known.join(",") || "none"}`),
    };
  }
}

async function writerOf(ledger: Ledger, restoredState?: TwoPhaseCommitState<number>, checkpointing = true): Promise<SinkWriter<string>> {
  return twoPhaseCommitSink<string, number>(() => ledger.writer()).createWriter(sinkContext({ restoredState, checkpointing }));
}

describe("twoPhaseCommitSink", () => {
  it("makes records visible only when the checkpoint covering them completes", async () => {
    const ledger = new Ledger();
    const w = await writerOf(ledger);
    w.write("a");
    await w.snapshotState!(1);
    w.write("b");
    assert.deepEqual(ledger.committed, []);
    await w.notifyCheckpointComplete!(1);
    assert.deepEqual(ledger.committed, ["a"]);
    await w.snapshotState!(2);
    await w.notifyCheckpointComplete!(2);
    assert.deepEqual(ledger.committed, ["a", "b"]);
  });

  it("keeps an aborted checkpoint's transaction pending and commits it with the next completed one", async () => {
    const ledger = new Ledger();
    const sink = await sinkOperator(twoPhaseCommitSink<string, number>(() => ledger.writer()));
    sink.processElement("a");
    await sink.snapshotState(1);
    await sink.notifyCheckpointAborted(1);
    assert.ok(!ledger.log.includes("abort 0"), "the aborted checkpoint's transaction was not aborted");
    sink.processElement("b");
    await sink.snapshotState(2);
    assert.deepEqual(ledger.committed, []);
    await sink.notifyCheckpointComplete(2);
    assert.deepEqual(ledger.committed, ["a", "b"]);
  });

  it("after a restore commits the restored pending transactions and aborts the restored current one", async () => {
    const ledger = new Ledger();
    const w = await writerOf(ledger);
    w.write("a");
    const state = (await w.snapshotState!(1)) as TwoPhaseCommitState<number>;
    w.write("lost");
    // The process dies here: checkpoint 1 completed, but no task heard of it.
    const restored = await writerOf(ledger, structuredClone(state));
    assert.deepEqual(ledger.committed, ["a"]);
    assert.ok(ledger.log.includes(`abort ${state.current}`));
    assert.ok(ledger.log.includes(`strays except 0,1`));
    restored.write("c");
    await restored.snapshotState!(2);
    await restored.notifyCheckpointComplete!(2);
    assert.deepEqual(ledger.committed, ["a", "c"]);
  });

  it("commits at end of input when the job takes no checkpoints", async () => {
    const ledger = new Ledger();
    const w = await writerOf(ledger, undefined, false);
    w.write("a");
    await w.flush!();
    assert.deepEqual(ledger.committed, ["a"]);
  });

  it("commits nothing at end of input when checkpoints will commit it", async () => {
    const ledger = new Ledger();
    const w = await writerOf(ledger);
    w.write("a");
    await w.flush!();
    await w.close!();
    assert.deepEqual(ledger.committed, []);
  });
});
