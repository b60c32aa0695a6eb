/**
 * Timers and window state through SavepointWriter: a keyed process function's timers registered
 * by a bootstrap function fire in the job that restores them, and a rewrite keeps an operator's
 * timers and window contents, whether the operator is left as it was or only some of its states
 * are changed.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  defineJob,
  generatorSource,
  ProcessWindowFunction,
  runJob,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  WatermarkStrategy,
  type Collector,
  type JobControl,
  type ProcessWindowFunctionContext,
  type RuntimeContext,
  type TimeWindow,
  type ValueState,
} from "../../src/index.ts";
import { KeyedStateBootstrapFunction, readSavepoint, SavepointWriter, type KeyedStateBootstrapContext } from "../../src/state-processor/index.ts";
import { BALANCE } from "../fixtures/jobs/sp-timers.ts";
import { collect } from "./final-checkpoint.ts";

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), "weir-sp-timers-"))));
after(() => rmSync(dir, { recursive: true, force: true }));

const TIMERS_JOB = new URL("../fixtures/jobs/sp-timers.ts", import.meta.url);

interface Account {
  readonly user: string;
  readonly balance: number;
  readonly remindAt?: number;
  readonly processingAt?: number;
}

/** Opens each account with its balance and the reminders it asks for. */
class OpenAccounts extends KeyedStateBootstrapFunction<string, Account> {
  private balance!: ValueState<number>;

  override open(context: RuntimeContext): void {
    this.balance = context.getState(BALANCE);
  }

  processElement(account: Account, ctx: KeyedStateBootstrapContext<string>): void {
    this.balance.update(account.balance);
    if (account.remindAt !== undefined) ctx.timerService().registerEventTimeTimer(account.remindAt);
    if (account.processingAt !== undefined) ctx.timerService().registerProcessingTimeTimer(account.processingAt);
  }
}

const ACCOUNTS: Account[] = [
  { user: "u0", balance: 100, remindAt: 1_000_000 },
  { user: "u1", balance: 200, processingAt: 5 },
  { user: "u2", balance: 300, remindAt: 1_000_001 },
];

/** The timers job resumed from `from` with 9 new events (3 per user) at `parallelism`: what its timers emitted, sorted. */
async function firedFrom(from: string, parallelism = 2): Promise<string[]> {
  const result = await runJob(TIMERS_JOB, { runtime: "single-thread", parallelism, from, allowNonRestoredState: true, checkpointing: { dir: join(dir, "chk"), intervalMs: 3_600_000 }, args: ["--batch", "2"] });
  return result.collected<string>("out").sort();
}

describe("SavepointWriter and timers", () => {
  let bootstrapped = "";

  before(async () => {
    bootstrapped = await SavepointWriter.newSavepoint({ maxParallelism: 128 })
      .withOperator("reminders", { parallelism: 2, bootstrap: { data: ACCOUNTS, keyBy: (a: Account) => a.user, function: new OpenAccounts() } })
      .write(join(dir, "bootstrapped"));
  });

  it("a bootstrap function's state and event-time and processing-time timers are restored and fire, at the parallelism written and at another", async () => {
    const expected = ["u0,event,1000000,-,103", "u1,processing,5,-,_", "u2,event,1000001,-,303"];
    assert.deepEqual(await firedFrom(bootstrapped), expected);
    assert.deepEqual(await firedFrom(bootstrapped, 3), expected);
    const timers = await collect((await readSavepoint(bootstrapped)).operator("reminders").timers());
    assert.deepEqual(timers.map((t) => `${String(t.key)} ${t.domain} ${t.time}`).sort(), ["u0 EVENT_TIME 1000000", "u1 PROCESSING_TIME 5", "u2 EVENT_TIME 1000001"]);
  });

  it("a rewrite that leaves the operator as it was keeps its timers", async () => {
    const rewritten = await (await SavepointWriter.fromExistingSavepoint(bootstrapped)).withOperator("audit", { operatorListState: { seen: [1] } }).write(join(dir, "unchanged"));
    assert.deepEqual(await firedFrom(rewritten), ["u0,event,1000000,-,103", "u1,processing,5,-,_", "u2,event,1000001,-,303"]);
  });

  it("a rewrite that changes one state of the operator keeps its other states and its timers, and a bootstrap function adds timers to them", async () => {
    const writer = await SavepointWriter.fromExistingSavepoint(bootstrapped);
    const rewritten = await writer
      .changeOperator("reminders", {
        keyedState: { label: { kind: "value", entries: [["u0", "gold"], ["u2", "silver"]] } },
        bootstrap: { data: [{ user: "u1", balance: 250, remindAt: 1_000_002 }], keyBy: (a: Account) => a.user, function: new OpenAccounts() },
      })
      .write(join(dir, "changed"));
    assert.deepEqual(await firedFrom(rewritten), ["u0,event,1000000,gold,103", "u1,event,1000002,-,253", "u1,processing,5,-,_", "u2,event,1000001,silver,303"]);
  });

  it("changing a state replaces it for every key, and an operator the savepoint lacks cannot be changed", async () => {
    const rewritten = await (await SavepointWriter.fromExistingSavepoint(bootstrapped))
      .changeOperator("reminders", { keyedState: { balance: { kind: "value", entries: [["u2", 7]] } } })
      .write(join(dir, "replaced"));
    assert.deepEqual(await firedFrom(rewritten), ["u0,event,1000000,-,3", "u1,processing,5,-,_", "u2,event,1000001,-,10"]);
    const writer = await SavepointWriter.fromExistingSavepoint(bootstrapped);
    assert.throws(() => writer.changeOperator("remindres", {}), (e: Error & { code?: string }) => e.code === "WEIR_ERR_UID_MISMATCH" && /'reminders'/.test(e.message));
  });
});

describe("SavepointWriter and window state", () => {
  /** Per user, how many windows fired; kept across windows in the window function's global state. */
  const FIRED = new ValueStateDescriptor<number>("fired");

  class SumPerWindow extends ProcessWindowFunction<{ user: string; at: number }, string, string, TimeWindow> {
    process(user: string, context: ProcessWindowFunctionContext<TimeWindow>, elements: Iterable<{ user: string; at: number }>, out: Collector<string>): void {
      const fired = context.globalState().getState(FIRED);
      fired.update((fired.value() ?? 0) + 1);
      let sum = 0;
      for (const e of elements) sum += e.at;
      out.collect(`${user},${context.window().start},${sum},${fired.value()}`);
    }
  }

  /**
   * Events at times from..to-1 (user u<i mod 3> at i) in windows of 10 per user. Unbounded (`to`
   * undefined): the source goes on past 25 but only times below 25 pass, so the watermark stays
   * below 30 and window [20, 30) stays open.
   */
  const windowJob = (lines: string[], batch: number, from: number, to: number | undefined) =>
    defineJob((env) => {
      env
        .fromSource(generatorSource({ count: to === undefined ? undefined : to - from, eventsPerSecond: to === undefined ? 2_000 : undefined, generate: (i) => ({ user: `u${(from + i) % 3}`, at: from + i }) }), "events")
        .uid(`events-${batch}`)
        .filter((e) => e.at < 25 || to !== undefined)
        .uid(`first-${batch}`)
        .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<{ user: string; at: number }>().withTimestampAssigner((e) => e.at))
        .keyBy((e) => e.user)
        .window(TumblingEventTimeWindows.of(10))
        .process(new SumPerWindow())
        .uid("windows")
        .sinkTo({ createWriter: () => ({ write: (line: string) => void lines.push(line) }) })
        .uid("out");
    });

  /** A savepoint of the window job stopped once windows [0, 10) and [10, 20) fired, with [20, 30) holding times 20..24. */
  async function midWindowSavepoint(): Promise<{ savepoint: string; fired: string[] }> {
    const fired: string[] = [];
    let savepoint: string | undefined;
    const stop = async (control: JobControl): Promise<void> => {
      while (fired.length < 6) await sleep(10);
      const trigger = control.stopWithSavepoint(join(dir, "window-savepoints"), false);
      assert.ok(trigger.ok);
      for (;;) {
        const status = control.savepointStatus(trigger.triggerId);
        if (status?.status === "completed") return void (savepoint = status.location);
        assert.notEqual(status?.status, "failed", JSON.stringify(status));
        await sleep(10);
      }
    };
    let stopping: Promise<void> | undefined;
    await runJob(windowJob(fired, 1, 0, undefined), {
      runtime: "single-thread",
      parallelism: 2,
      checkpointing: { dir: join(dir, "window-chk"), intervalMs: 3_600_000 },
      onControl: (control) => void (stopping = stop(control)),
    });
    await stopping;
    return { savepoint: savepoint!, fired: fired.sort() };
  }

  /** The window job resumed from `savepoint` with times 25..39: its windows' sums, sorted. */
  async function resumed(savepoint: string): Promise<string[]> {
    const lines: string[] = [];
    await runJob(windowJob(lines, 2, 25, 40), { runtime: "single-thread", parallelism: 3, from: savepoint, allowNonRestoredState: true, checkpointing: { dir: join(dir, "window-chk"), intervalMs: 3_600_000 } });
    return lines.sort();
  }

  /** Sums of user u's times in [start, end). */
  const sum = (user: number, start: number, end: number) => Array.from({ length: end - start }, (_, i) => start + i).filter((t) => t % 3 === user).reduce((a, b) => a + b, 0);

  it("a rewrite keeps an unchanged window operator's contents and timers, and one whose other state changed: the open window fires with every element", async () => {
    const { savepoint, fired } = await midWindowSavepoint();
    assert.deepEqual(fired, [0, 1, 2].flatMap((u) => [`u${u},0,${sum(u, 0, 10)},1`, `u${u},10,${sum(u, 10, 20)},2`]).sort());
    const untouched = await (await SavepointWriter.fromExistingSavepoint(savepoint)).removeOperator("events-1").write(join(dir, "windows-unchanged"));
    assert.deepEqual(await resumed(untouched), [0, 1, 2].flatMap((u) => [`u${u},20,${sum(u, 20, 30)},3`, `u${u},30,${sum(u, 30, 40)},4`]).sort());
    const changed = await (await SavepointWriter.fromExistingSavepoint(savepoint))
      .changeOperator("windows", { keyedState: { fired: { kind: "value", entries: [["u0", 100], ["u1", 200], ["u2", 300]] } } })
      .write(join(dir, "windows-changed"));
    assert.deepEqual(await resumed(changed), [0, 1, 2].flatMap((u) => [`u${u},20,${sum(u, 20, 30)},${(u + 1) * 100 + 1}`, `u${u},30,${sum(u, 30, 40)},${(u + 1) * 100 + 2}`]).sort());
  });
});
