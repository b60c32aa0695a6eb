/**
 * Broadcast process functions running in a job: the broadcast side reaches every parallel
 * instance and writes broadcast state, the other side reads it; applyToKeyedState visits every
 * key of the instance; broadcast state is read-only in processElement, and asking for state the
 * broadcast() call did not declare is refused.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  BroadcastProcessFunction,
  defineJob,
  JobFailedError,
  KeyedBroadcastProcessFunction,
  ListStateDescriptor,
  MapStateDescriptor,
  runJob,
  type BroadcastContext,
  type BroadcastReadOnlyContext,
  type Collector,
  type KeyedBroadcastContext,
  type KeyedBroadcastReadOnlyContext,
  type ListState,
  type RuntimeContext,
  type ValueState,
  ValueStateDescriptor,
} from "../../../src/index.ts";
import { ListSink, ScriptedInput, until } from "../scripted.ts";

interface Event {
  readonly user: string;
  readonly amount: number;
}
interface Rule {
  readonly name: string;
  readonly min: number;
}

const RULES = new MapStateDescriptor<string, Rule>("rules");

/** Emits `<rule>:<user>:<amount>` once for every (event, rule) pair that matches, whichever arrives first. */
class MatchRules extends KeyedBroadcastProcessFunction<string, Event, Rule, string> {
  private seen!: ListState<number>;
  private readonly seenDescriptor = new ListStateDescriptor<number>("seen");

  override open(context: RuntimeContext): void {
    this.seen = context.getListState(this.seenDescriptor);
  }

  processElement(event: Event, ctx: KeyedBroadcastReadOnlyContext<string>, out: Collector<string>): void {
    this.seen.add(event.amount);
    for (const [, rule] of ctx.getBroadcastState(RULES).immutableEntries()) {
      if (event.amount >= rule.min) out.collect(`${rule.name}:${ctx.getCurrentKey()}:${event.amount}`);
    }
  }

  processBroadcastElement(rule: Rule, ctx: KeyedBroadcastContext, out: Collector<string>): void {
    ctx.getBroadcastState(RULES).put(rule.name, rule);
    ctx.applyToKeyedState(this.seenDescriptor, (user: string, seen: ListState<number>) => {
      for (const amount of seen.get()) if (amount >= rule.min) out.collect(`${rule.name}:${user}:${amount}`);
    });
  }
}

const EVENTS: Event[] = [
  { user: "ann", amount: 5 },
  { user: "bob", amount: 50 },
  { user: "cyd", amount: 500 },
  { user: "ann", amount: 70 },
];
const RULE_LIST: Rule[] = [
  { name: "big", min: 60 },
  { name: "huge", min: 400 },
];
const EXPECTED = ["big:ann:70", "big:cyd:500", "huge:cyd:500"];

describe("KeyedBroadcastProcessFunction", () => {
  for (const order of ["rules first", "events first"] as const) {
    for (const parallelism of [1, 3]) {
      it(`matches every event with every rule once, ${order}, at parallelism ${parallelism}`, async () => {
        const events = new ScriptedInput<Event>();
        const rules = new ScriptedInput<Rule>();
        const output = new ListSink<string>();
        const job = defineJob((env) => {
          const ruleStream = env.fromSource(rules.source(), "rules").setParallelism(1).broadcast(RULES);
          env
            .fromSource(events.source(), "events")
            .setParallelism(1)
            .keyBy((e) => e.user)
            .connect(ruleStream)
            .process(new MatchRules())
            .sinkTo(output.sink());
        });
        const done = runJob(job, { runtime: "single-thread", parallelism, bufferTimeoutMs: 0 });
        const [first, second] = order === "rules first" ? [() => rules.push(...RULE_LIST), () => events.push(...EVENTS)] : [() => events.push(...EVENTS), () => rules.push(...RULE_LIST)];
        first();
        await new Promise((resolve) => setTimeout(resolve, 20));
        second();
        await until(() => output.records.length >= EXPECTED.length);
        events.end();
        rules.end();
        await done;
        assert.deepEqual([...output.records].sort(), EXPECTED);
      });
    }
  }

  it("applyToKeyedState also takes Flink's KeyedStateFunction object, and visits each key holding the state once, with its key current", async () => {
    const COUNT = new ValueStateDescriptor<number>("count");
    /** Words the keyed side has counted. */
    let seen = 0;
    class Report extends KeyedBroadcastProcessFunction<string, string, string, string> {
      processElement(): void {
        const count = this.count!;
        count.update((count.value() ?? 0) + 1);
        seen++;
      }
      private count: ValueState<number> | undefined;
      override open(context: RuntimeContext): void {
        this.count = context.getState(COUNT);
      }
      processBroadcastElement(tag: string, ctx: KeyedBroadcastContext, out: Collector<string>): void {
        const current = this.count!;
        ctx.applyToKeyedState(COUNT, {
          process: (key: string, state: ValueState<number>) => out.collect(`${tag} ${key}=${state.value()}/${current.value()}`),
        });
      }
    }
    const words = new ScriptedInput<string>();
    const tags = new ScriptedInput<string>();
    const output = new ListSink<string>();
    const job = defineJob((env) => {
      const tagStream = env.fromSource(tags.source(), "tags").setParallelism(1).broadcast(new MapStateDescriptor<string, string>("unused"));
      env
        .fromSource(words.source(), "words")
        .setParallelism(1)
        .keyBy((w) => w)
        .connect(tagStream)
        .process(new Report())
        .setParallelism(2)
        .sinkTo(output.sink());
    });
    const done = runJob(job, { runtime: "single-thread", parallelism: 2, bufferTimeoutMs: 0 });
    words.push("a", "b", "a", "c");
    // Every word has reached the keyed state before the tag comes.
    await until(() => seen === 4);
    tags.push("t");
    await until(() => output.records.length === 3);
    words.end();
    tags.end();
    await done;
    assert.deepEqual([...output.records].sort(), ["t a=2/2", "t b=1/1", "t c=1/1"]);
  });

  it("a write to broadcast state in processElement fails the job with WEIR_ERR_BROADCAST_STATE_READ_ONLY", async () => {
    class Writer extends KeyedBroadcastProcessFunction<string, string, string, string> {
      processElement(value: string, ctx: KeyedBroadcastReadOnlyContext<string>): void {
        (ctx.getBroadcastState(new MapStateDescriptor<string, string>("rules")) as unknown as { put(k: string, v: string): void }).put(value, value);
      }
      processBroadcastElement(): void {}
    }
    const job = defineJob((env) => {
      const rules = env.fromElements("r").broadcast(new MapStateDescriptor<string, string>("rules"));
      env.fromElements("a").keyBy((s) => s).connect(rules).process(new Writer()).name("writer").sinkTo(new ListSink<string>().sink());
    });
    await assert.rejects(runJob(job, { runtime: "single-thread", parallelism: 1 }), (e: unknown) => {
      assert.ok(e instanceof JobFailedError);
      assert.equal(e.code, "WEIR_ERR_BROADCAST_STATE_READ_ONLY");
      assert.match(e.message, /broadcast state 'rules' is read-only in processElement and onTimer of operator 'writer'/);
      return true;
    });
  });

  it("asking for broadcast state the broadcast() call did not declare fails with WEIR_ERR_UNKNOWN_BROADCAST_STATE, listing the declared names", async () => {
    class Asker extends KeyedBroadcastProcessFunction<string, string, string, string> {
      processElement(): void {}
      processBroadcastElement(_value: string, ctx: KeyedBroadcastContext): void {
        ctx.getBroadcastState(new MapStateDescriptor<string, string>("typo"));
      }
    }
    const job = defineJob((env) => {
      const rules = env.fromElements("r").broadcast(new MapStateDescriptor<string, string>("rules"));
      env.fromElements("a").keyBy((s) => s).connect(rules).process(new Asker()).sinkTo(new ListSink<string>().sink());
    });
    await assert.rejects(runJob(job, { runtime: "single-thread", parallelism: 1 }), (e: unknown) => {
      assert.ok(e instanceof JobFailedError);
      assert.equal(e.code, "WEIR_ERR_UNKNOWN_BROADCAST_STATE");
      assert.match(e.message, /'typo'.*declared: 'rules'/);
      return true;
    });
  });
});

describe("BroadcastProcessFunction", () => {
  it("every parallel instance receives every broadcast record and holds the same broadcast state", async () => {
    class Tag extends BroadcastProcessFunction<number, string, string> {
      private subtask = -1;
      override open(context: RuntimeContext): void {
        this.subtask = context.subtaskIndex;
      }
      processElement(value: number, ctx: BroadcastReadOnlyContext, out: Collector<string>): void {
        out.collect(`${value}:${[...ctx.getBroadcastState(new MapStateDescriptor<string, boolean>("tags")).keys()].sort().join("+")}`);
      }
      processBroadcastElement(tag: string, ctx: BroadcastContext, out: Collector<string>): void {
        ctx.getBroadcastState(new MapStateDescriptor<string, boolean>("tags")).put(tag, true);
        out.collect(`subtask ${this.subtask} got ${tag}`);
      }
    }
    const numbers = new ScriptedInput<number>();
    const tags = new ScriptedInput<string>();
    const output = new ListSink<string>();
    const job = defineJob((env) => {
      const tagStream = env.fromSource(tags.source(), "tags").setParallelism(1).broadcast(new MapStateDescriptor<string, boolean>("tags"));
      env.fromSource(numbers.source(), "numbers").setParallelism(1).rebalance().connect(tagStream).process(new Tag()).setParallelism(2).sinkTo(output.sink());
    });
    const done = runJob(job, { runtime: "single-thread", parallelism: 2, bufferTimeoutMs: 0 });
    tags.push("x", "y");
    await until(() => output.records.length === 4);
    numbers.push(1, 2);
    await until(() => output.records.length === 6);
    numbers.end();
    tags.end();
    await done;
    assert.deepEqual([...output.records].sort(), ["1:x+y", "2:x+y", "subtask 0 got x", "subtask 0 got y", "subtask 1 got x", "subtask 1 got y"]);
  });

  it("applyToKeyedState on a non-keyed stream is refused, naming the operator", async () => {
    class Applier extends BroadcastProcessFunction<number, string, string> {
      processElement(): void {}
      processBroadcastElement(_tag: string, ctx: BroadcastContext): void {
        (ctx as unknown as KeyedBroadcastContext).applyToKeyedState(new ListStateDescriptor<number>("l"), () => {});
      }
    }
    const job = defineJob((env) => {
      env.fromElements(1).connect(env.fromElements("t").broadcast(new MapStateDescriptor<string, string>("m"))).process(new Applier()).name("applier").sinkTo(new ListSink<string>().sink());
    });
    await assert.rejects(runJob(job, { runtime: "single-thread", parallelism: 1 }), (e: unknown) => {
      assert.ok(e instanceof JobFailedError);
      assert.equal(e.code, "WEIR_ERR_KEYED_STATE_OUTSIDE_KEYED_STREAM");
      assert.match(e.message, /operator 'applier' called applyToKeyedState/);
      return true;
    });
  });
});
