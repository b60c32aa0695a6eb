import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildJob, defineJob } from "../../src/api/define-job.ts";
import {
  BroadcastProcessFunction,
  discardingSink,
  MapStateDescriptor,
  type FunctionInitializationContext,
  KeyedProcessFunction,
  ListStateDescriptor,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  WatermarkStrategy,
  type Collector,
  type RuntimeContext,
} from "../../src/index.ts";
import { declaredStates } from "../../src/runtime/declared-states.ts";
import type { JobDefinition } from "../../src/api/define-job.ts";

class Visits extends KeyedProcessFunction<number, number, number> {
  override open(context: RuntimeContext): void {
    context.getState(new ValueStateDescriptor<{ count: number }>("visits", { version: 3, migrate: (old) => old as { count: number } }));
    context.getListState(new ListStateDescriptor<number>("recent", { version: 2 }));
  }
  processElement(value: number, _ctx: unknown, out: Collector<number>): void {
    out.collect(value);
  }
}

class NeedsDatabase extends KeyedProcessFunction<number, number, number> {
  override open(): void {
    throw "no database at localhost:5432";
  }
  processElement(value: number, _ctx: unknown, out: Collector<number>): void {
    out.collect(value);
  }
}

async function declared(definition: JobDefinition): Promise<ReturnType<typeof declaredStates>> {
  return declaredStates((await buildJob(definition, {}, [])).job, []);
}

describe("declaredStates", () => {
  it("lists what a keyed function asks for in open, with each descriptor's kind, version and whether it migrates", async () => {
    const found = await declared(
      defineJob((env) => {
        env.fromElements(1, 2, 3).keyBy((n) => n % 2).process(new Visits()).uid("visits").sinkTo(discardingSink());
      }),
    );
    assert.deepEqual([...found], [
      [
        "visits",
        {
          states: [
            { name: "visits", kind: "value", namespaced: false, version: 3, migrates: true },
            { name: "recent", kind: "list", namespaced: false, version: 2, migrates: false },
          ],
          operatorStates: [],
        },
      ],
    ]);
  });

  it("lists the states an operator registers itself, such as a window's contents, and a keyed reduce's", async () => {
    const found = await declared(
      defineJob((env) => {
        const stream = env.fromElements(1, 2, 3).assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((n) => n));
        stream.keyBy((n) => n % 2).window(TumblingEventTimeWindows.of(10)).reduce((a, b) => a + b).uid("windows").sinkTo(discardingSink());
        stream.keyBy((n) => n % 2).reduce((a, b) => a + b).uid("sums").sinkTo(discardingSink());
      }),
    );
    const windows = found.get("windows")!;
    assert.ok("states" in windows && windows.states.some((s) => s.namespaced && s.kind === "reducing"), JSON.stringify(windows));
    const sums = found.get("sums")!;
    assert.ok("states" in sums && sums.states.length > 0 && sums.states.every((s) => !s.namespaced && s.version === 1));
  });

  it("reports an operator whose open throws (a thrown string too) instead of its states", async () => {
    const found = await declared(
      defineJob((env) => {
        env.fromElements(1).keyBy((n) => n).process(new NeedsDatabase()).uid("lookup").sinkTo(discardingSink());
      }),
    );
    assert.deepEqual(found.get("lookup"), { unknown: "its open failed without records: no database at localhost:5432" });
  });

  it("opens no operator that is neither on a keyed stream nor broadcast: only a CheckpointedFunction's initializeState runs", async () => {
    let opened = 0;
    class Enrich {
      initializeState(context: FunctionInitializationContext): void {
        context.getOperatorStateStore().getListState(new ListStateDescriptor<number>("offsets", { version: 2, migrate: (old) => old as number }));
        context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<number>("watermarks"));
      }
      snapshotState(): void {}
      open(): void {
        opened++;
      }
      map(value: number): number {
        return value;
      }
    }
    const found = await declared(
      defineJob((env) => {
        env.fromElements(1).map(new Enrich()).uid("enrich").filter(() => true).uid("plain").sinkTo(discardingSink());
      }),
    );
    assert.deepEqual(found.get("enrich"), {
      states: [],
      operatorStates: [
        { name: "offsets", kind: "split", version: 2, migrates: true },
        { name: "watermarks", kind: "union", version: 1, migrates: false },
      ],
    });
    assert.deepEqual(found.get("plain"), { states: [], operatorStates: [] });
    assert.equal(opened, 0);
  });

  it("lists the broadcast states declared on the stream of a broadcast operator", async () => {
    const rules = new MapStateDescriptor<string, number>("rules", { version: 3 });
    class Apply extends BroadcastProcessFunction<number, number, number> {
      processElement(value: number, _ctx: unknown, out: Collector<number>): void {
        out.collect(value);
      }
      processBroadcastElement(): void {}
    }
    const found = await declared(
      defineJob((env) => {
        env.fromElements(1).connect(env.fromElements(2).broadcast(rules)).process(new Apply()).uid("apply").sinkTo(discardingSink());
      }),
    );
    assert.deepEqual(found.get("apply"), { states: [], operatorStates: [{ name: "rules", kind: "broadcast", version: 3, migrates: false }] });
  });

  it("lists keyed state descriptors that are fields of the function, asked for on a record, but not those used as operator state", async () => {
    class Lazy extends KeyedProcessFunction<number, number, number> {
      private readonly totals = new ValueStateDescriptor<number>("totals", { version: 2 });
      private readonly offsets = new ListStateDescriptor<number>("offsets");
      private context!: RuntimeContext;
      override initializeState(context: FunctionInitializationContext): void {
        context.getOperatorStateStore().getListState(this.offsets);
      }
      override snapshotState(): void {}
      override open(context: RuntimeContext): void {
        this.context = context;
      }
      processElement(value: number, _ctx: unknown, out: Collector<number>): void {
        this.context.getState(this.totals).update(value);
        out.collect(value);
      }
    }
    const found = await declared(
      defineJob((env) => {
        env.fromElements(1).keyBy((n) => n).process(new Lazy()).uid("lazy").sinkTo(discardingSink());
      }),
    );
    assert.deepEqual(found.get("lazy"), {
      states: [{ name: "totals", kind: "value", namespaced: false, version: 2, migrates: false }],
      operatorStates: [{ name: "offsets", kind: "split", version: 1, migrates: false }],
    });
  });

  it("reports a function whose initializeState throws instead of its states", async () => {
    const found = await declared(
      defineJob((env) => {
        env
          .fromElements(1)
          .map({
            initializeState: () => {
              throw "no registry";
            },
            snapshotState: () => {},
            map: (n: number) => n,
          })
          .uid("broken")
          .sinkTo(discardingSink());
      }),
    );
    assert.deepEqual(found.get("broken"), { unknown: "its initializeState failed without records: no registry" });
  });
});
