/**
 * The async I/O operator driven by hand, as a task drives it: records in, mail processed when the
 * operator asks for a step, timers fired on a manual clock. Requests complete when the test says.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { JobArgs } from "../../../src/api/job-args.ts";
import { AsyncFunction, ManualClock, WeirError, type ResultFuture } from "../../../src/index.ts";
import { AsyncWaitOperator, type AsyncOutputMode } from "../../../src/runtime/operators/async-wait.ts";
import { OperatorFailure } from "../../../src/runtime/operators/user-function.ts";
import { StreamingRuntimeContext } from "../../../src/runtime/runtime-context.ts";
import { RecordTimestamp } from "../../../src/runtime/record-timestamp.ts";
import { SideOutputs } from "../../../src/runtime/side-outputs.ts";

/** An async function whose requests the test completes: `pending` holds them by input. */
class Manual extends AsyncFunction<number, string> {
  readonly pending = new Map<number, ResultFuture<string>>();
  readonly invoked: number[] = [];
  asyncInvoke(input: number, resultFuture: ResultFuture<string>): void {
    this.invoked.push(input);
    this.pending.set(input, resultFuture);
  }
  done(input: number, ...results: string[]): void {
    this.pending.get(input)!.complete(results.length === 0 ? [`r${input}`] : results);
  }
}

interface Harness<O> {
  readonly operator: AsyncWaitOperator<number, O>;
  readonly out: O[];
  /** What left, in order: results with the timestamp they carried, and watermarks. */
  readonly events: string[];
  /** The task's record timestamp: set it before handing a record in. */
  readonly time: RecordTimestamp;
  readonly clock: ManualClock;
  /** How many times the operator asked for a step. */
  steps(): number;
  /** What a task does when asked for a step. */
  mail(): void;
}

async function harness<O>(
  fn: ConstructorParameters<typeof AsyncWaitOperator<number, O>>[0],
  options: { mode?: AsyncOutputMode; timeoutMs?: number; capacity?: number; restored?: unknown; clock?: ManualClock } = {},
): Promise<Harness<O>> {
  const clock = options.clock ?? new ManualClock(1_000);
  const out: O[] = [];
  const events: string[] = [];
  const time = new RecordTimestamp();
  let steps = 0;
  const operator = new AsyncWaitOperator<number, O>(fn, { mode: options.mode ?? "ordered", timeoutMs: options.timeoutMs ?? 0, capacity: options.capacity ?? 100 });
  await operator.open(
    {
      runtime: new StreamingRuntimeContext("lookup", 0, 1, 128, new JobArgs(), undefined),
      keyed: undefined,
      clock,
      client: { send: () => {} },
      operatorId: "lookup",
      checkpointing: true,
      restored: options.restored === undefined ? undefined : { checkpointId: 1, state: options.restored, states: [options.restored] },
      sideOutputs: new SideOutputs("lookup", new Map()),
      requestStep: () => void steps++,
      recordTimestamp: time,
    },
    {
      collect: (r) => {
        out.push(r as O);
        events.push(`${String(r)}@${time.current}`);
      },
      emitWatermark: (w: number) => void events.push(`wm ${w}`),
    },
  );
  return {
    operator,
    out,
    events,
    time,
    clock,
    steps: () => steps,
    mail: () => {
      if (operator.hasMail()) operator.processMail();
    },
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("async wait operator, ordered", () => {
  it("emits results in input order, holding a result that completed early until the earlier ones did", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn);
    for (const n of [1, 2, 3]) h.operator.processElement(n);
    fn.done(3);
    fn.done(2);
    h.mail();
    assert.deepEqual(h.out, []);
    fn.done(1);
    h.mail();
    assert.deepEqual(h.out, ["r1", "r2", "r3"]);
  });

  it("asks the task for a step on each completion, and emits nothing outside processMail", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn);
    h.operator.processElement(1);
    fn.done(1);
    assert.deepEqual([h.steps(), h.out], [1, []]);
    assert.equal(h.operator.hasMail(), true);
    h.mail();
    assert.deepEqual(h.out, ["r1"]);
    assert.equal(h.operator.hasMail(), false);
  });

  it("emits every result of a request, and none for an empty one; later completions of one request are ignored", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn);
    h.operator.processElement(1);
    h.operator.processElement(2);
    fn.done(1, "a", "b");
    fn.pending.get(2)!.complete([]);
    fn.done(1, "again");
    h.mail();
    assert.deepEqual(h.out, ["a", "b"]);
  });
});

describe("async wait operator, unordered", () => {
  it("emits results as their requests complete", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn, { mode: "unordered" });
    for (const n of [1, 2, 3]) h.operator.processElement(n);
    fn.done(3);
    h.mail();
    fn.done(1);
    h.mail();
    assert.deepEqual(h.out, ["r3", "r1"]);
  });
});

describe("async wait operator, capacity", () => {
  for (const mode of ["ordered", "unordered"] as const) {
    it(`refuses input at capacity and takes it again once a request was released (${mode})`, async () => {
      const fn = new Manual();
      const h = await harness<string>(fn, { mode, capacity: 2 });
      assert.equal(h.operator.inputRoom(), 2);
      h.operator.processElement(1);
      assert.equal(h.operator.inputRoom(), 1);
      h.operator.processElement(2);
      assert.equal(h.operator.inputRoom(), 0);
      fn.done(1);
      // Completed but not yet emitted still holds its slot.
      assert.equal(h.operator.inputRoom(), 0);
      h.mail();
      assert.equal(h.operator.inputRoom(), 1);
    });
  }

  it("records delivered past capacity wait unissued, and are issued in order as slots free", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn, { capacity: 2 });
    for (const n of [1, 2, 3, 4]) h.operator.processElement(n);
    assert.deepEqual(fn.invoked, [1, 2]);
    fn.done(1);
    h.mail();
    assert.deepEqual(fn.invoked, [1, 2, 3]);
    // Record 4 still waits for a slot.
    assert.equal(h.operator.inputRoom(), 0);
    fn.done(2);
    h.mail();
    assert.deepEqual(fn.invoked, [1, 2, 3, 4]);
  });
});

describe("async wait operator, timeouts", () => {
  it("a request past its timeout fails the task with WEIR_ERR_ASYNC_TIMEOUT when the function has no timeout handler", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn, { timeoutMs: 50 });
    h.operator.processElement(1);
    assert.equal(h.operator.nextTimerTime(), 1_050);
    h.clock.advance(49);
    h.operator.onProcessingTime(h.clock.now());
    assert.equal(h.operator.hasMail(), false);
    h.clock.advance(1);
    h.operator.onProcessingTime(h.clock.now());
    assert.throws(() => h.mail(), (e: unknown) => {
      assert.ok(e instanceof OperatorFailure);
      assert.ok(e.cause instanceof WeirError);
      assert.equal(e.cause.code, "WEIR_ERR_ASYNC_TIMEOUT");
      assert.match(e.message, /operator 'lookup' failed: an async request of operator 'lookup' did not complete within 50 ms/);
      return true;
    });
  });

  it("the timeout handler completes a timed-out request in its place, and the request's late result is ignored", async () => {
    class WithFallback extends Manual {
      override timeout(input: number, resultFuture: ResultFuture<string>): void {
        resultFuture.complete([`fallback ${input}`]);
      }
    }
    const fn = new WithFallback();
    const h = await harness<string>(fn, { timeoutMs: 10 });
    h.operator.processElement(1);
    h.clock.advance(5);
    h.operator.processElement(2);
    h.clock.advance(5);
    h.operator.onProcessingTime(h.clock.now());
    assert.equal(h.operator.nextTimerTime(), 1_015);
    fn.done(1);
    fn.done(2);
    h.mail();
    assert.deepEqual(h.out, ["fallback 1", "r2"]);
  });

  it("completed requests set no timer", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn, { timeoutMs: 10 });
    h.operator.processElement(1);
    fn.done(1);
    assert.equal(h.operator.nextTimerTime(), undefined);
  });
});

describe("async wait operator, failures", () => {
  it("completeExceptionally fails at the next mail, with the cause, even behind an earlier request still in flight", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn);
    h.operator.processElement(1);
    h.operator.processElement(2);
    fn.pending.get(2)!.completeExceptionally("lookup refused");
    assert.throws(() => h.mail(), (e: unknown) => e instanceof OperatorFailure && e.cause === "lookup refused");
  });

  it("a promise-returning function that rejects fails the task with the rejection as cause", async () => {
    const boom = new Error("no such user");
    const h = await harness<string>((n) => (n === 2 ? Promise.reject(boom) : Promise.resolve(`ok ${n}`)));
    h.operator.processElement(1);
    h.operator.processElement(2);
    await settle();
    assert.throws(() => h.mail(), (e: unknown) => e instanceof OperatorFailure && e.cause === boom);
  });

  it("an asyncInvoke that throws fails at once, naming the operator", async () => {
    const h = await harness<string>({
      asyncInvoke: () => {
        throw "bad input";
      },
    });
    assert.throws(() => h.operator.processElement(1), /operator 'lookup' failed: bad input/);
  });

  it("an async asyncInvoke whose promise rejects fails the task", async () => {
    const h = await harness<string>({
      asyncInvoke: async () => {
        throw new Error("connection reset");
      },
    });
    h.operator.processElement(1);
    await settle();
    assert.throws(() => h.mail(), /connection reset/);
  });
});

describe("async wait operator, promise-returning functions", () => {
  it("an array resolves to one result per element, undefined to none, anything else to one result", async () => {
    const h = await harness<unknown>((n) => Promise.resolve(n === 1 ? ["a", "b"] : n === 2 ? undefined : { n }));
    for (const n of [1, 2, 3]) h.operator.processElement(n);
    await settle();
    h.mail();
    assert.deepEqual(h.out, ["a", "b", { n: 3 }]);
  });
});

describe("async wait operator, checkpoints", () => {
  it("stores the inputs of every request not yet emitted, completed or not, and of waiting records, as they arrived", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn, { capacity: 3 });
    for (const n of [1, 2, 3, 4, 5]) h.operator.processElement(n);
    fn.done(1);
    fn.done(3);
    h.mail();
    assert.deepEqual(h.out, ["r1"]);
    assert.deepEqual(await h.operator.snapshotState(1, 0), { inputs: [2, 3, 4, 5] });
  });

  it("keeps the input as it arrived, though the function changed it", async () => {
    const h = await harness<{ id: number; name?: string }>({
      asyncInvoke(input: { id: number; name?: string }) {
        input.name = "changed";
      },
    } as never);
    h.operator.processElement({ id: 7 } as never);
    assert.deepEqual(await h.operator.snapshotState(1, 0), { inputs: [{ id: 7 }] });
  });

  it("after a restore, issues the stored inputs again in order, and emits their results", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn, { restored: { inputs: [4, 5, 6] }, capacity: 2 });
    assert.deepEqual(fn.invoked, [4, 5]);
    fn.done(4);
    fn.done(5);
    h.mail();
    fn.done(6);
    h.mail();
    assert.deepEqual(h.out, ["r4", "r5", "r6"]);
  });

  it("a snapshot changes nothing in flight: results still leave after it", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn, { mode: "unordered" });
    h.operator.processElement(1);
    await h.operator.snapshotState(1, 0);
    fn.done(1);
    h.mail();
    assert.deepEqual([h.out, await h.operator.snapshotState(2, 0)], [["r1"], { inputs: [] }]);
  });
});

describe("async wait operator, end of input", () => {
  it("waits for every request, emitting results as they complete", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn, { mode: "unordered" });
    for (const n of [0, 1, 2]) h.operator.processElement(n);
    let ended = false;
    const ending = h.operator.endInput().then(() => (ended = true));
    fn.done(2);
    await settle();
    assert.deepEqual([h.out, ended], [["r2"], false]);
    fn.done(1);
    fn.done(0);
    await ending;
    assert.deepEqual(h.out, ["r2", "r1", "r0"]);
  });

  it("still times requests out while it waits", async () => {
    const clock = new ManualClock(0);
    const h = await harness<string>(() => new Promise<string>(() => {}), { timeoutMs: 20, clock });
    h.operator.processElement(1);
    clock.advance(20);
    await assert.rejects(h.operator.endInput(), /did not complete within 20 ms/);
  });
});

describe("async wait operator and event time", () => {
  /** Hands `n` in with timestamp `t`, as a task does. */
  const feed = (h: Harness<string>, n: number, t: number): void => {
    h.time.current = t;
    h.operator.processElement(n);
    h.time.current = null;
  };

  it("emits each result with its input record's timestamp, whenever it completes", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn, { mode: "unordered" });
    feed(h, 1, 100);
    feed(h, 2, 200);
    fn.done(2);
    fn.done(1);
    h.mail();
    assert.deepEqual(h.events, ["r2@200", "r1@100"]);
  });

  it("ordered: a watermark leaves after the results of every record before it, and at once when none is in flight", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn);
    h.operator.processWatermark(50);
    feed(h, 1, 100);
    h.operator.processWatermark(150);
    feed(h, 2, 200);
    h.mail();
    assert.deepEqual(h.events, ["wm 50"]);
    fn.done(2);
    h.mail();
    assert.deepEqual(h.events, ["wm 50"], "nothing leaves before record 1's result");
    fn.done(1);
    h.mail();
    assert.deepEqual(h.events, ["wm 50", "r1@100", "wm 150", "r2@200"]);
  });

  it("unordered: results are unordered between watermarks, never across one", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn, { mode: "unordered" });
    feed(h, 1, 100);
    feed(h, 2, 110);
    h.operator.processWatermark(150);
    feed(h, 3, 200);
    fn.done(3);
    fn.done(2);
    h.mail();
    assert.deepEqual(h.events, ["r2@110"], "record 3 completed first but waits behind the watermark");
    fn.done(1);
    h.mail();
    assert.deepEqual(h.events, ["r2@110", "r1@100", "wm 150", "r3@200"]);
  });

  it("keeps a watermark behind records waiting for a slot at capacity", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn, { capacity: 1 });
    feed(h, 1, 100);
    feed(h, 2, 200);
    h.operator.processWatermark(250);
    fn.done(1);
    h.mail();
    assert.deepEqual(h.events, ["r1@100"]);
    fn.done(2);
    h.mail();
    h.mail();
    assert.deepEqual(h.events, ["r1@100", "r2@200", "wm 250"]);
  });

  it("a watermark queued at capacity leaves no room for input, never less than none", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn, { capacity: 1 });
    feed(h, 1, 100);
    h.operator.processWatermark(150);
    assert.equal(h.operator.inputRoom(), 0);
    fn.done(1);
    h.mail();
    assert.equal(h.operator.inputRoom(), 1);
    assert.deepEqual(h.events, ["r1@100", "wm 150"]);
  });

  it("stores the timestamps of the inputs in flight, and results after a restore carry them", async () => {
    const fn = new Manual();
    const h = await harness<string>(fn, { capacity: 1 });
    feed(h, 1, 100);
    feed(h, 2, 200);
    h.operator.processWatermark(250);
    const state = await h.operator.snapshotState(1, 0);
    assert.deepEqual(state, { inputs: [1, 2], timestamps: [100, 200] });
    const again = new Manual();
    const restored = await harness<string>(again, { restored: state, capacity: 1 });
    again.done(1);
    restored.mail();
    again.done(2);
    restored.mail();
    assert.deepEqual(restored.events, ["r1@100", "r2@200"]);
  });
});
