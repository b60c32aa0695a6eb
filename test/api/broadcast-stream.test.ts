import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BroadcastProcessFunction, KeyedBroadcastProcessFunction } from "../../src/api/broadcast-functions.ts";
import { BroadcastConnectedStream, BroadcastStream } from "../../src/api/broadcast-stream.ts";
import { DataStream } from "../../src/api/data-stream.ts";
import { StreamExecutionEnvironment } from "../../src/api/environment.ts";
import type { OperatorNode, StreamNode } from "../../src/graph/stream-graph.ts";
import { discardingSink } from "../../src/sinks/collect.ts";
import { elementsSource } from "../../src/sources/index.ts";
import { MapStateDescriptor, ValueStateDescriptor } from "../../src/state/descriptors.ts";
import { ProcessFunction } from "../../src/api/functions.ts";
import { OutputTag } from "../../src/api/output-tag.ts";

const RULES = new MapStateDescriptor<string, number>("rules");

class Keyed extends KeyedBroadcastProcessFunction<string, string, number, string> {
  processElement(): void {}
  processBroadcastElement(): void {}
}
class NonKeyed extends BroadcastProcessFunction<string, number, string> {
  processElement(): void {}
  processBroadcastElement(): void {}
}

function setup() {
  const env = new StreamExecutionEnvironment({ parallelism: 2 });
  const words = env.fromSource(elementsSource(["a"]), "words");
  const numbers = env.fromSource(elementsSource([1]), "numbers");
  return { env, words, numbers };
}

const operators = (env: StreamExecutionEnvironment) => env.buildGraph().nodes.filter((n: StreamNode): n is OperatorNode => n.kind === "operator");

describe("broadcast() with descriptors and the broadcast-connected stream", () => {
  it("broadcasts a side output, not its operator's main output, when given one", () => {
    const { env, words, numbers } = setup();
    const tag = new OutputTag<number>("rules");
    const rules = numbers.process(new (class extends ProcessFunction<number, number> {
      processElement(): void {}
    })()).getSideOutput(tag).broadcast(RULES);
    words.keyBy((w) => w).connect(rules).process(new Keyed()).sinkTo(discardingSink());
    const broadcastOp = operators(env).find((n) => n.inputs.length === 2)!;
    assert.equal(broadcastOp.inputs[1]!.outputTag, "rules");
  });

  it("broadcast() alone keeps meaning broadcast partitioning; with descriptors it gives a BroadcastStream holding them", () => {
    const { numbers } = setup();
    assert.ok(numbers.broadcast() instanceof DataStream);
    const other = new MapStateDescriptor<string, string>("other");
    const broadcast = numbers.broadcast(RULES, other);
    assert.ok(broadcast instanceof BroadcastStream);
    assert.deepEqual(broadcast.getBroadcastStateDescriptors(), [RULES, other]);
  });

  it("a keyed stream connected with a broadcast stream makes a two-input operator: keyed first input, broadcast second", () => {
    const { env, words, numbers } = setup();
    const connected = words.keyBy((w) => w).connect(numbers.broadcast(RULES));
    assert.ok(connected instanceof BroadcastConnectedStream);
    connected.process(new Keyed()).sinkTo(discardingSink());
    const node = operators(env).find((n) => n.operatorType === "KeyedBroadcastProcess")!;
    assert.equal(node.inputCount, 2);
    assert.deepEqual(node.inputs.map((e) => [e.inputIndex, e.partitioning.kind]), [[0, "hash"], [1, "broadcast"]]);
    assert.equal(typeof node.keySelectors[0], "function");
    assert.equal(node.keySelectors[1], undefined);
  });

  it("a non-keyed stream takes a BroadcastProcessFunction", () => {
    const { env, words, numbers } = setup();
    words.connect(numbers.broadcast(RULES)).process(new NonKeyed()).sinkTo(discardingSink());
    const node = operators(env).find((n) => n.operatorType === "BroadcastProcess")!;
    assert.deepEqual(node.keySelectors, [undefined, undefined]);
  });

  it("a descriptor that is not a MapStateDescriptor is refused by broadcast(), naming it", () => {
    const { numbers } = setup();
    assert.throws(() => numbers.broadcast(new ValueStateDescriptor<number>("v") as unknown as MapStateDescriptor<string, number>), {
      code: "WEIR_ERR_STATE_DESCRIPTOR_KIND",
      message: /broadcast\(\) needs a MapStateDescriptor, got a value state descriptor \('v'\)/,
    });
  });

  it("the function must fit the stream: keyed takes the keyed function, non-keyed the other", () => {
    const { words, numbers } = setup();
    assert.throws(() => words.keyBy((w) => w).connect(numbers.broadcast(RULES)).process(new NonKeyed() as never), {
      code: "WEIR_ERR_INVALID_ARGUMENT",
      message: /BroadcastProcessFunction cannot process a keyed stream/,
    });
    assert.throws(() => words.connect(numbers.broadcast(RULES)).process(new Keyed() as never), {
      code: "WEIR_ERR_INVALID_ARGUMENT",
      message: /KeyedBroadcastProcessFunction needs a keyed stream/,
    });
    assert.throws(() => words.connect(numbers.broadcast(RULES)).process({ processElement() {} } as never), {
      code: "WEIR_ERR_INVALID_ARGUMENT",
      message: /processElement and processBroadcastElement/,
    });
  });

  it("a broadcast stream of another environment cannot be connected", () => {
    const { words } = setup();
    const other = setup().numbers.broadcast(RULES);
    assert.throws(() => words.connect(other), { code: "WEIR_ERR_INVALID_ARGUMENT", message: /different environments/ });
  });
});
