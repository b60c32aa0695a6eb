import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { StreamExecutionEnvironment } from "../../src/api/environment.ts";
import type { OperatorNode, StreamNode } from "../../src/graph/stream-graph.ts";
import { discardingSink } from "../../src/sinks/collect.ts";
import { elementsSource } from "../../src/sources/index.ts";

const discard = discardingSink<unknown>();

function env(): StreamExecutionEnvironment {
  return new StreamExecutionEnvironment({ parallelism: 2 });
}

const events = (e: StreamExecutionEnvironment) => e.fromSource(elementsSource([{ k: "a", v: 1 }]), "events");

function operators(e: StreamExecutionEnvironment): OperatorNode[] {
  return e.buildGraph().nodes.filter((n: StreamNode): n is OperatorNode => n.kind === "operator");
}

describe("DataStream API", () => {
  it("each transformation appends one node, numbered in creation order, typed by what it does", () => {
    const e = env();
    const keyed = events(e).map((x) => x).filter(() => true).flatMap((x) => [x]).keyBy((x) => x.k);
    keyed.sum("v").sinkTo(discard);
    keyed.min("v").print();
    keyed.maxBy("v").writeAsText({ dir: "unused" });
    keyed.reduce((a) => a).collect("reduced");
    const nodes = e.buildGraph().nodes;
    assert.deepEqual(
      nodes.map((n) => [n.id, n.operatorType, n.name ?? null, n.uid ?? null]),
      [
        [0, "Source", "Source: events", null],
        [1, "Map", null, null],
        [2, "Filter", null, null],
        [3, "FlatMap", null, null],
        [4, "Sum(v)", null, null],
        [5, "Sink", null, null],
        [6, "Min(v)", null, null],
        [7, "Sink", "Print", null],
        [8, "MaxBy(v)", null, null],
        [9, "Sink", "FileSink", null],
        [10, "Reduce", null, null],
        [11, "Sink", null, "reduced"],
      ],
    );
  });

  it("an operator on a keyed stream gets the key selector; one on a plain stream gets none", () => {
    const e = env();
    const selector = (x: { k: string }) => x.k;
    const s = events(e);
    s.keyBy(selector).reduce((a) => a).sinkTo(discard);
    s.map((x) => x).sinkTo(discard);
    const [reduce, , map] = operators(e);
    assert.equal(reduce!.keySelectors[0], selector);
    assert.deepEqual(map!.keySelectors, [undefined]);
  });

  it("connected streams keyed on both sides give each input its own selector", () => {
    const e = env();
    const first = (x: { k: string }) => x.k;
    const second = (n: number) => String(n);
    events(e)
      .connect(e.fromSource(elementsSource([1]), "numbers"))
      .keyBy(first, second)
      .process({ processElement1: () => {}, processElement2: () => {} })
      .sinkTo(discard);
    const [co] = operators(e);
    assert.equal(co!.inputCount, 2);
    assert.deepEqual(co!.keySelectors, [first, second]);
    assert.deepEqual(co!.inputs.map((i) => [i.inputIndex, i.partitioning.kind]), [
      [0, "hash"],
      [1, "hash"],
    ]);
  });

  it("name, uid and parallelism set on a stream apply to the operator that produced it", () => {
    const e = env();
    events(e).name("named source").uid("src").setParallelism(1).map((x) => x).name("m").uid("m-uid").setParallelism(4).sinkTo(discard).name("out").uid("sink").setParallelism(3);
    assert.deepEqual(
      e.buildGraph().nodes.map((n) => [n.name, n.uid, n.parallelism]),
      [
        ["named source", "src", 1],
        ["m", "m-uid", 4],
        ["out", "sink", 3],
      ],
    );
  });

  it("refuses an empty uid, a parallelism that is not a positive integer, and streams of another environment", () => {
    const e = env();
    const s = events(e);
    assert.throws(() => s.uid(""), { code: "WEIR_ERR_INVALID_ARGUMENT" });
    for (const p of [0, -1, 1.5, Number.NaN]) assert.throws(() => s.setParallelism(p), { code: "WEIR_ERR_INVALID_ARGUMENT" });
    const other = events(env());
    assert.throws(() => s.union(other), { code: "WEIR_ERR_INVALID_ARGUMENT", message: /different environments/ });
    assert.throws(() => s.connect(other), { code: "WEIR_ERR_INVALID_ARGUMENT", message: /different environments/ });
  });
});

describe("StreamExecutionEnvironment", () => {
  it("starts from defaults that a partial configuration overrides", () => {
    const config = new StreamExecutionEnvironment({ parallelism: 3, bufferSize: 10 }).getConfig();
    assert.deepEqual({ ...config }, { parallelism: 3, maxParallelism: 128, bufferSize: 10, bufferTimeoutMs: 100, bufferDebloat: false, bufferDebloatTargetMs: 1000, objectReuse: false, stateBackend: "heap", localStateDirectory: undefined, incrementalCheckpoints: undefined, autoWatermarkInterval: 200 });
  });

  it("refuses settings out of range", () => {
    const e = env();
    assert.throws(() => e.setParallelism(0), { code: "WEIR_ERR_INVALID_ARGUMENT" });
    assert.throws(() => e.setMaxParallelism(0), { code: "WEIR_ERR_INVALID_ARGUMENT" });
    assert.throws(() => e.setMaxParallelism(2 ** 15 + 1), { code: "WEIR_ERR_INVALID_ARGUMENT" });
    assert.throws(() => e.setBufferSize(0), { code: "WEIR_ERR_INVALID_ARGUMENT" });
    assert.throws(() => e.setBufferTimeout(-1), { code: "WEIR_ERR_INVALID_ARGUMENT" });
    assert.throws(() => e.setBufferTimeout(Number.NaN), { code: "WEIR_ERR_INVALID_ARGUMENT" });
    assert.throws(() => e.enableBufferDebloat(0), { code: "WEIR_ERR_INVALID_ARGUMENT" });
    assert.throws(() => e.enableBufferDebloat(Number.POSITIVE_INFINITY), { code: "WEIR_ERR_INVALID_ARGUMENT" });
    e.setParallelism(5).setMaxParallelism(64).setBufferSize(7).setBufferTimeout(0).enableBufferDebloat(250);
    assert.deepEqual({ ...e.getConfig() }, { parallelism: 5, maxParallelism: 64, bufferSize: 7, bufferTimeoutMs: 0, bufferDebloat: true, bufferDebloatTargetMs: 250, objectReuse: false, stateBackend: "heap", localStateDirectory: undefined, incrementalCheckpoints: undefined, autoWatermarkInterval: 200 });
  });

  it("turns object reuse on and off through getConfig(), as Flink's ExecutionConfig does", () => {
    const config = env().getConfig();
    assert.equal(config.isObjectReuseEnabled(), false);
    assert.equal(config.enableObjectReuse().isObjectReuseEnabled(), true);
    assert.equal(config.disableObjectReuse().isObjectReuseEnabled(), false);
  });
});
