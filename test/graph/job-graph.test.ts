import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildJob } from "../../src/api/define-job.ts";
import { defineJob } from "../../src/api/define-job.ts";
import { fingerprint, operatorIdOf } from "../../src/graph/job-graph.ts";
import { discardingSink } from "../../src/sinks/collect.ts";
import type { StreamExecutionEnvironment } from "../../src/api/environment.ts";
import { chains, edges, graphs, numbers } from "./graph-fixtures.ts";

const discard = discardingSink<unknown>();

describe("job graph", () => {
  it("forward edges between operators of equal parallelism chain into one vertex", () => {
    const { job } = graphs((env) => numbers(env).map((x) => x).filter(() => true).sinkTo(discard));
    assert.deepEqual(chains(job), [["Source: n", "Map", "Filter", "Sink"]]);
    assert.equal(job.vertices[0]!.name, "Source: n -> Map -> Filter -> Sink");
    assert.deepEqual(job.edges, []);
    assert.deepEqual(job.vertexOfNode, [0, 0, 0, 0]);
  });

  it("keyBy ends a chain: the keyed operator starts a new vertex behind a hash edge", () => {
    const { job } = graphs((env) =>
      numbers(env)
        .keyBy((x) => x)
        .process({ processElement: () => {} })
        .map((x) => x)
        .sinkTo(discard),
    );
    assert.deepEqual(chains(job), [["Source: n"], ["KeyedProcess", "Map", "Sink"]]);
    assert.deepEqual(edges(job), ["0 -> 1 (hash, input 0)"]);
  });

  it("rebalance and broadcast end a chain even at equal parallelism", () => {
    const { job } = graphs((env) => {
      numbers(env, "a").rebalance().map((x) => x).sinkTo(discard);
      numbers(env, "b").broadcast().map((x) => x).sinkTo(discard);
    });
    assert.deepEqual(chains(job), [["Source: a"], ["Map", "Sink"], ["Source: b"], ["Map", "Sink"]]);
    assert.deepEqual(edges(job), ["0 -> 1 (rebalance, input 0)", "2 -> 3 (broadcast, input 0)"]);
  });

  it("a forward edge between different parallelisms does not chain and becomes rebalance", () => {
    const { job } = graphs((env) => numbers(env).setParallelism(1).map((x) => x).setParallelism(3).sinkTo(discard).setParallelism(2));
    assert.deepEqual(chains(job), [["Source: n"], ["Map"], ["Sink"]]);
    assert.deepEqual(edges(job), ["0 -> 1 (rebalance, input 0)", "1 -> 2 (rebalance, input 0)"]);
    assert.deepEqual(
      job.vertices.map((v) => v.parallelism),
      [1, 3, 2],
    );
  });

  it("an operator reading a union of two streams chains to neither, and keeps its forward edges", () => {
    const { job } = graphs((env) => {
      numbers(env, "a")
        .union(numbers(env, "b"))
        .map((x) => x)
        .sinkTo(discard);
    });
    assert.deepEqual(chains(job), [["Source: a"], ["Source: b"], ["Map", "Sink"]]);
    assert.deepEqual(edges(job), ["0 -> 2 (forward, input 0)", "1 -> 2 (forward, input 0)"]);
  });

  it("connected streams feed the two inputs of a vertex of their own", () => {
    const { job } = graphs((env) => {
      numbers(env, "a")
        .connect(numbers(env, "b"))
        .process({ processElement1: () => {}, processElement2: () => {} })
        .sinkTo(discard);
    });
    assert.deepEqual(chains(job), [["Source: a"], ["Source: b"], ["CoProcess", "Sink"]]);
    assert.deepEqual(edges(job), ["0 -> 2 (forward, input 0)", "1 -> 2 (forward, input 1)"]);
  });

  it("two forward consumers of one operator both chain into its vertex", () => {
    const { job } = graphs((env) => {
      const s = numbers(env);
      s.map((x) => x).name("left").sinkTo(discard);
      s.keyBy((x) => x).reduce((a) => a).sinkTo(discard);
    });
    assert.deepEqual(chains(job), [["Source: n", "left", "Sink"], ["Reduce", "Sink"]]);
    const [first, second] = job.vertices;
    assert.deepEqual(first!.outputs.map((e) => [e.sourceNode, e.target]), [[0, second!.id]]);
    assert.deepEqual(second!.inputs, first!.outputs);
  });

  it("a job edge names the node inside its source vertex that feeds it", () => {
    const { job } = graphs((env) => numbers(env).map((x) => x).name("inner").keyBy((x) => x).reduce((a) => a).sinkTo(discard));
    assert.equal(job.edges.length, 1);
    assert.equal(job.edges[0]!.sourceNode, 1);
  });

  it("two builds of the same job have the same fingerprint", async () => {
    const definition = defineJob((env: StreamExecutionEnvironment) => {
      numbers(env).map((x) => x).name("m").uid("m").keyBy((x) => x).reduce((a) => a).setParallelism(3).sinkTo(discard);
    });
    const a = await buildJob(definition, { parallelism: 2 }, []);
    const b = await buildJob(definition, { parallelism: 2 }, []);
    assert.equal(fingerprint(a.job), fingerprint(b.job));
  });

  it("the fingerprint changes with a name, a uid, a parallelism or a partitioning", () => {
    const base = (env: StreamExecutionEnvironment) => numbers(env).map((x) => x);
    const printOf = (build: (env: StreamExecutionEnvironment) => void) => fingerprint(graphs(build).job);
    const prints = [
      printOf((env) => base(env).sinkTo(discard)),
      printOf((env) => base(env).name("renamed").sinkTo(discard)),
      printOf((env) => base(env).uid("u").sinkTo(discard)),
      printOf((env) => base(env).setParallelism(3).sinkTo(discard)),
      printOf((env) => base(env).rebalance().sinkTo(discard)),
      printOf((env) => base(env).broadcast().sinkTo(discard)),
    ];
    assert.equal(new Set(prints).size, prints.length);
  });

  it("an operator is identified by its uid, else by its name and position", () => {
    const { graph } = graphs((env) => numbers(env).map((x) => x).uid("mapper").map((x) => x).name("second").sinkTo(discard));
    assert.deepEqual(graph.nodes.map(operatorIdOf), ["Source: n#0", "mapper", "second#2", "Sink#3"]);
  });
});
