import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { StreamExecutionEnvironment } from "../../src/api/environment.ts";
import { InvalidJobError, type ErrorCode } from "../../src/core/errors.ts";
import { resolveStreamGraph } from "../../src/graph/validate.ts";
import { discardingSink } from "../../src/sinks/collect.ts";
import { graphs, numbers } from "./graph-fixtures.ts";

const discard = discardingSink<unknown>();

function refused(code: ErrorCode, message: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof InvalidJobError);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  };
}

describe("stream graph validation", () => {
  it("operators without a parallelism take the environment's default; others keep theirs", () => {
    const { graph } = graphs((env) => numbers(env).map((x) => x).setParallelism(5).sinkTo(discard), { parallelism: 3 });
    assert.deepEqual(graph.nodes.map((n) => n.parallelism), [3, 5, 3]);
    assert.equal(graph.defaultParallelism, 3);
    assert.equal(graph.maxParallelism, 128);
  });

  it("a forward edge between different parallelisms becomes rebalance; other edges keep their partitioning", () => {
    const { graph } = graphs((env) => {
      const s = numbers(env).setParallelism(1);
      s.map((x) => x).setParallelism(1).sinkTo(discard).setParallelism(1);
      s.map((x) => x).setParallelism(2).sinkTo(discard).setParallelism(2);
      s.keyBy((x) => x).reduce((a) => a).setParallelism(2).sinkTo(discard).setParallelism(2);
      s.broadcast().map((x) => x).setParallelism(2).sinkTo(discard).setParallelism(2);
    });
    const kinds = graph.nodes.filter((n) => n.kind === "operator" && !n.isSink).map((n) => n.inputs[0]!.partitioning.kind);
    assert.deepEqual(kinds, ["forward", "rebalance", "hash", "broadcast"]);
  });

  it("resolving leaves the nodes the job built untouched", () => {
    const env = new StreamExecutionEnvironment({ parallelism: 2 });
    numbers(env).setParallelism(1).map((x) => x).sinkTo(discard);
    const original = env.node(1);
    env.buildGraph();
    assert.equal(original.parallelism, undefined);
    assert.equal(original.inputs[0]!.partitioning.kind, "forward");
  });

  it("a job without a sink is refused as empty", () => {
    assert.throws(() => graphs((env) => void numbers(env).map((x) => x)), refused("WEIR_ERR_EMPTY_JOB", /no sink/));
    assert.throws(() => resolveStreamGraph([], { parallelism: 1, maxParallelism: 128 }), refused("WEIR_ERR_EMPTY_JOB", /no sink/));
  });

  it("a parallelism above max parallelism is refused, naming the operator; equal to it is fine", () => {
    assert.throws(
      () => graphs((env) => numbers(env).map((x) => x).name("wide").setParallelism(5).sinkTo(discard), { parallelism: 1, maxParallelism: 4 }),
      refused("WEIR_ERR_PARALLELISM_ABOVE_MAX", /operator 'wide' has parallelism 5, above the job's max parallelism 4/),
    );
    assert.throws(
      () => graphs((env) => numbers(env).sinkTo(discard), { parallelism: 5, maxParallelism: 4 }),
      refused("WEIR_ERR_PARALLELISM_ABOVE_MAX", /'Source: n' has parallelism 5/),
    );
    assert.doesNotThrow(() => graphs((env) => numbers(env).sinkTo(discard), { parallelism: 4, maxParallelism: 4 }));
  });

  it("two operators with the same uid are refused, naming both", () => {
    assert.throws(
      () =>
        graphs((env) => {
          numbers(env).name("first").uid("same").sinkTo(discard);
          numbers(env).map((x) => x).name("second").uid("same").sinkTo(discard);
        }),
      refused("WEIR_ERR_DUPLICATE_UID", /uid 'same' is given to both 'first' and 'second'/),
    );
  });
});
