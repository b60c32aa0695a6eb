import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { JobArgs } from "../../../src/api/job-args.ts";
import { ManualClock } from "../../../src/core/clock.ts";
import { WeirError } from "../../../src/core/errors.ts";
import type { CheckpointMetadata } from "../../../src/checkpoint/storage/checkpoint-metadata.ts";
import { defineJob, runJob } from "../../../src/index.ts";
import { buildJob } from "../../../src/api/define-job.ts";
import { SourceCoordinator, SourceCoordinators } from "../../../src/runtime/master/source-coordinator.ts";
import { generatorSource } from "../../../src/sources/index.ts";
import { installFaultHooks } from "../../../src/runtime/fault-hooks.ts";
import { tempDir } from "../job-fixtures.ts";
import type { SourceSplit, SplitSource } from "../../../src/sources/index.ts";

const env = { args: new JobArgs([]), clock: new ManualClock() };

/** A source whose enumerator throws the string "no partitions" (as user code may) when a reader asks for a split. */
const failingSource: SplitSource<number, SourceSplit, null> = {
  boundedness: "bounded",
  createEnumerator: () => ({
    start: () => {},
    addReader: () => {},
    handleSplitRequest: () => {
      throw "no partitions";
    },
    snapshotState: () => null,
  }),
  restoreEnumerator: () => {
    throw new Error("not restored in this test");
  },
  // A reader that holds no split asks for one when it starts.
  createReader: (context) => generatorSource({ count: 1, generate: (i) => i }).createReader(context),
};

describe("SourceCoordinator", () => {
  it("hands a generator reader its splits when it registers, then says no more come", () => {
    const sent: [string, unknown][] = [];
    const coordinator = new SourceCoordinator("gen", "gen", 4, 2, generatorSource({ count: 10, generate: (i) => i }), undefined, {
      ...env,
      toReader: (taskId, message) => sent.push([taskId, message]),
    });
    coordinator.start();
    coordinator.handle(1, { kind: "register" });
    assert.deepEqual(sent, [
      ["4:1", { kind: "splits", splits: [{ splitId: "1", next: 1, stride: 2, end: 10 }] }],
      ["4:1", { kind: "no-more-splits" }],
    ]);
    assert.deepEqual(coordinator.snapshotState(1), { unassigned: [{ splitId: "0", next: 0, stride: 2, end: 10 }] });
  });

  it("tells a reader of an unbounded generator that gets no split nothing, so it stays idle instead of ending its input", () => {
    const sent: [string, unknown][] = [];
    const unbounded = generatorSource({ generate: (i) => i });
    const restored = { unassigned: [{ splitId: "0", next: 40, stride: 1, end: null }] };
    const coordinator = new SourceCoordinator("gen", "gen", 4, 2, unbounded, restored, { ...env, toReader: (taskId, message) => sent.push([taskId, message]) });
    coordinator.handle(1, { kind: "register" });
    coordinator.handle(0, { kind: "register" });
    assert.deepEqual(sent, [["4:0", { kind: "splits", splits: [{ splitId: "0", next: 40, stride: 1, end: null }] }]]);
  });

  it("holds what the enumerator sends a reader before it registers, and hands it over, in order, when it registers", () => {
    const sent: [string, unknown][] = [];
    const coordinator = new SourceCoordinator("files", "files", 0, 2, pushingSource, undefined, { ...env, toReader: (taskId, message) => sent.push([taskId, message]) });
    coordinator.start();
    assert.deepEqual(sent, [], "no reader registered yet");
    coordinator.handle(1, { kind: "register" });
    assert.deepEqual(sent, [
      ["0:1", { kind: "splits", splits: [{ splitId: "b" }] }],
      ["0:1", { kind: "no-more-splits" }],
    ]);
    coordinator.handle(0, { kind: "register" });
    assert.deepEqual(sent.slice(2), [
      ["0:0", { kind: "splits", splits: [{ splitId: "a" }] }],
      ["0:0", { kind: "no-more-splits" }],
    ]);
  });

  it("refuses an assignment to a reader the source does not have", () => {
    const source: SplitSource<number, SourceSplit, null> = { ...pushingSource, createEnumerator: (context) => ({ ...pushingSource.createEnumerator(context), handleSplitRequest: () => context.assignSplit({ splitId: "c" }, 2) }) };
    const coordinator = new SourceCoordinator("files", "files", 0, 2, source, undefined, { ...env, toReader: () => {} });
    coordinator.handle(0, { kind: "register" });
    assert.throws(
      () => coordinator.handle(0, { kind: "request" }),
      (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_INVALID_ARGUMENT" && /readers 0 to 1, not 2/.test(e.message),
    );
  });

  it("keeps the enumerator's state as it was at the trigger, though the enumerator returned its live list and changed it since", () => {
    const sent: unknown[] = [];
    const coordinator = new SourceCoordinator("batches", "batches", 0, 1, liveListSource, undefined, { ...env, toReader: (_taskId, message) => sent.push(message) });
    coordinator.start();
    coordinator.handle(0, { kind: "register" });
    const atTrigger = coordinator.snapshotState(1);
    coordinator.handle(0, { kind: "request" });
    assert.deepEqual(sent, [{ kind: "splits", splits: [{ splitId: "a", next: 0 }] }]);
    assert.deepEqual(atTrigger, { pending: [{ splitId: "a", next: 0 }, { splitId: "b", next: 0 }] }, "split a, assigned after the trigger, is still pending in checkpoint 1");
  });

  it("hands the reader a copy of a split, as a worker thread gets one: the enumerator changing its split later changes nothing the reader holds", () => {
    const sent: { kind: string; splits?: { next: number }[] }[] = [];
    const coordinator = new SourceCoordinator("batches", "batches", 0, 1, liveListSource, undefined, { ...env, toReader: (_taskId, message) => sent.push(message as never) });
    coordinator.handle(0, { kind: "register" });
    coordinator.handle(0, { kind: "request" });
    coordinator.handle(0, { kind: "event", event: "rewind" });
    assert.equal(sent[0]!.splits![0]!.next, 0);
  });
});

/** An enumerator whose checkpoint is its live list of pending splits, which it shifts from as it assigns (as user code may). */
const liveListSource: SplitSource<number, SourceSplit & { next: number }, { pending: (SourceSplit & { next: number })[] }> = enumeratorOnly("bounded", (context) => {
    const pending = [
      { splitId: "a", next: 0 },
      { splitId: "b", next: 0 },
    ];
    let last: { next: number } | undefined;
    return {
      start: () => {},
      addReader: () => {},
      handleSplitRequest: (subtask) => {
        const split = pending.shift();
        if (split === undefined) return context.signalNoMoreSplits(subtask);
        last = split;
        context.assignSplit(split, subtask);
      },
      handleSourceEvent: () => {
        if (last !== undefined) last.next = 99;
      },
      snapshotState: () => ({ pending }),
    };
});

/** An enumerator that assigns every split in start(), before any reader registered (as Flink's Kafka enumerator may). */
const pushingSource: SplitSource<number, SourceSplit, null> = enumeratorOnly("bounded", (context) => ({
    start: () => {
      context.assignSplits(new Map([[0, [{ splitId: "a" }]], [1, [{ splitId: "b" }]]]));
      context.signalNoMoreSplits(0);
      context.signalNoMoreSplits(1);
    },
    addReader: () => {},
    handleSplitRequest: () => {},
    snapshotState: () => null,
}));

/** A source for tests of its enumerator alone: it is neither restored nor read. */
function enumeratorOnly<Split extends SourceSplit, Checkpoint>(
  boundedness: "bounded" | "unbounded",
  createEnumerator: SplitSource<number, Split, Checkpoint>["createEnumerator"],
): SplitSource<number, Split, Checkpoint> {
  return {
    boundedness,
    createEnumerator,
    restoreEnumerator: () => {
      throw new Error("not restored in this test");
    },
    createReader: () => {
      throw new Error("no reader in this test");
    },
  };
}

/** An enumerator that discovers partitions periodically, as a Kafka source would, and assigns each new one to reader 0. */
function discoveringSource(listPartitions: () => Promise<string[]>): SplitSource<number, SourceSplit, null> {
  return enumeratorOnly("unbounded", (context) => {
      const known = new Set<string>();
      return {
        start: () =>
          context.callAsync(
            listPartitions,
            (partitions, error) => {
              if (error !== undefined) throw error;
              for (const p of partitions ?? []) {
                if (known.has(p)) continue;
                known.add(p);
                context.assignSplit({ splitId: p }, 0);
              }
            },
            0,
            10,
          ),
        addReader: () => {},
        handleSplitRequest: () => {},
        snapshotState: () => null,
      };
  });
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe("SourceCoordinator callAsync", () => {
  it("runs the enumerator's periodic discovery and hands it the result, until closed", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const listings = [["p0"], ["p0", "p1"], ["p0", "p1", "p2"], ["p0", "p1", "p2", "p3"]];
    let listed = 0;
    const assigned: string[] = [];
    const coordinator = new SourceCoordinator("topic", "topic", 0, 1, discoveringSource(async () => listings[Math.min(listed++, listings.length - 1)]!), undefined, {
      ...env,
      toReader: (_taskId, message) => {
        if (message.kind === "splits") assigned.push(...message.splits.map((s) => s.splitId));
      },
    });
    coordinator.handle(0, { kind: "register" });
    coordinator.start();
    t.mock.timers.tick(0);
    await settle();
    assert.deepEqual(assigned, ["p0"]);
    t.mock.timers.tick(10);
    await settle();
    t.mock.timers.tick(10);
    await settle();
    assert.deepEqual(assigned, ["p0", "p1", "p2"]);
    coordinator.close();
    t.mock.timers.tick(100);
    await settle();
    assert.deepEqual(assigned, ["p0", "p1", "p2"], "nothing runs after close");
    assert.equal(listed, 3);
  });

  it("a handler that throws (here on the callable's error) goes to the guard that fails the attempt", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const failures: unknown[] = [];
    const coordinator = new SourceCoordinator("topic", "topic", 0, 1, discoveringSource(() => Promise.reject(new Error("broker unreachable"))), undefined, {
      ...env,
      toReader: () => {},
      runGuarded: (action) => {
        try {
          action();
        } catch (e) {
          failures.push(e);
        }
      },
    });
    coordinator.start();
    t.mock.timers.tick(0);
    await settle();
    assert.equal(failures.length, 1);
    assert.match(String(failures[0]), /broker unreachable/);
    coordinator.close();
  });
});

describe("SourceCoordinators", () => {
  it("start the enumerator of a split-based source the restored checkpoint does not know from scratch: it is new in the job", async () => {
    const { job } = await buildJob(
      defineJob((e) => {
        e.fromSource(generatorSource({ count: 5, generate: (i) => i }), "numbers").uid("numbers").print();
      }),
      {},
      [],
    );
    const restore = { checkpointId: 7, operators: [], properties: {} } as unknown as CheckpointMetadata;
    const failures: Error[] = [];
    const coordinators = new SourceCoordinators(job, restore, { ...env, toReader: () => {} }, (e) => failures.push(e));
    coordinators.start();
    assert.deepEqual(failures, []);
    assert.equal(coordinators.size, 1);
  });

  it("refuse a checkpoint that holds no enumerator state for a split-based source", async () => {
    const { job } = await buildJob(
      defineJob((e) => {
        e.fromSource(generatorSource({ count: 5, generate: (i) => i }), "numbers").uid("numbers").print();
      }),
      {},
      [],
    );
    const handle = { path: "state", bytes: 1, checksum: "0".repeat(64) };
    const restore = {
      checkpointId: 7,
      operators: [{ operatorId: "numbers", parallelism: 1, maxParallelism: 128, subtasks: [{ subtask: 0, state: [handle] }] }],
      properties: {},
    } as unknown as CheckpointMetadata;
    const failures: Error[] = [];
    const coordinators = new SourceCoordinators(job, restore, { ...env, toReader: () => {} }, (e) => failures.push(e));
    coordinators.start();
    assert.equal(failures.length, 1);
    assert.ok(failures[0] instanceof WeirError && failures[0].code === "WEIR_ERR_CHECKPOINT_MISMATCH", String(failures[0]));
    assert.match(failures[0].message, /checkpoint 7 holds no enumerator state for the split-based source 'Source: numbers'/);
  });

  it("an enumerator that assigns every split in start(), before its readers registered, runs the job to its end", async () => {
    const numbers = generatorSource({ count: 6, generate: (i) => i });
    const source: SplitSource<number, SourceSplit, null> = {
      ...pushingSource,
      createEnumerator: (context) => ({
        start: () => {
          context.assignSplit({ splitId: "0", next: 0, stride: 2, end: 6 } as SourceSplit, 0);
          context.assignSplit({ splitId: "1", next: 1, stride: 2, end: 6 } as SourceSplit, 1);
          context.signalNoMoreSplits(0);
          context.signalNoMoreSplits(1);
        },
        addReader: () => {},
        handleSplitRequest: () => {},
        snapshotState: () => null,
      }),
      createReader: (context) => numbers.createReader(context),
    };
    const result = await runJob(
      defineJob((e) => {
        e.fromSource(source, "pushed").collect("out");
      }),
      { runtime: "single-thread", parallelism: 2, restartStrategy: "none" },
    );
    assert.deepEqual(result.collected<number>("out").sort(), [0, 1, 2, 3, 4, 5]);
  });

  it("tell the enumerator of each checkpoint that completed and of each that was aborted", async () => {
    const completed: number[] = [];
    const aborted: number[] = [];
    const numbers = generatorSource({ count: 400, eventsPerSecond: 4000, generate: (i) => i });
    const source: SplitSource<number, SourceSplit, unknown> = {
      ...numbers,
      createEnumerator: (context) =>
        Object.assign(numbers.createEnumerator(context as never), {
          notifyCheckpointComplete: (id: number) => void completed.push(id),
          notifyCheckpointAborted: (id: number) => void aborted.push(id),
        }),
    } as SplitSource<number, SourceSplit, unknown>;
    let writes = 0;
    // The first state write fails: its checkpoint is declined, and aborted; the final checkpoint, at least, completes.
    installFaultHooks({
      pass: (point) => {
        if (point === "snapshot-async" && ++writes === 1) throw new Error("disk full");
        return false;
      },
    });
    try {
      await runJob(
        defineJob((e) => {
          e.fromSource(source, "numbers").uid("numbers").collect("out");
        }),
        { runtime: "single-thread", parallelism: 1, restartStrategy: "none", checkpointing: { intervalMs: 5, tolerableFailures: Infinity, dir: tempDir("enumerator-notifications") } },
      );
    } finally {
      installFaultHooks(undefined);
    }
    assert.ok(completed.length > 0 && aborted.length > 0, `completed ${completed.join(",")}; aborted ${aborted.join(",")}`);
    assert.deepEqual(
      completed.filter((id) => aborted.includes(id)),
      [],
    );
  });

  it("an enumerator that throws fails the job, naming the source and the thrown value", async () => {
    const job = defineJob((e) => {
      e.fromSource(failingSource, "partitions").print();
    });
    await assert.rejects(runJob(job, { runtime: "single-thread", parallelism: 1, restartStrategy: "none" }), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(String(e.message), /partitions \(split enumerator\)/);
      assert.match(String(e.message), /no partitions/);
      return true;
    });
  });
});
