import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ExecutionPlan } from "../../src/runtime/execution-plan.ts";
import { discardingSink } from "../../src/sinks/collect.ts";
import { graphs, numbers } from "../graph/graph-fixtures.ts";

const discard = discardingSink<unknown>();

/** source(p1) → keyBy → reduce(p2) → sink(p3): a hash edge, then a rebalance edge unless p2 = p3 (the sink then chains). */
function threeStages(p1: number, p2: number, p3: number) {
  return graphs((env) =>
    numbers(env)
      .setParallelism(p1)
      .keyBy((x) => x)
      .reduce((a) => a)
      .setParallelism(p2)
      .sinkTo(discard)
      .setParallelism(p3),
  ).job;
}

describe("ExecutionPlan", () => {
  it("has as many slots as the widest vertex, and no more workers than slots", () => {
    const job = threeStages(1, 3, 2);
    assert.deepEqual([new ExecutionPlan(job, 8).slots, new ExecutionPlan(job, 8).workers], [3, 3]);
    assert.equal(new ExecutionPlan(job, 2).workers, 2);
    assert.equal(new ExecutionPlan(job, 0).workers, 1);
  });

  it("spreads slots over workers round-robin", () => {
    const plan = new ExecutionPlan(threeStages(1, 5, 1), 2);
    assert.deepEqual([plan.slotsOfWorker(0), plan.slotsOfWorker(1)], [[0, 2, 4], [1, 3]]);
    assert.deepEqual([0, 1, 2, 3, 4].map((s) => plan.workerOfSlot(s)), [0, 1, 0, 1, 0]);
  });

  it("numbers channels edge by edge, producer by producer, consumer by consumer", () => {
    const plan = new ExecutionPlan(threeStages(2, 3, 2), 2);
    const spec = (edge: number, producer: number) => plan.outputChannels(edge, producer).map((c) => [c.id, c.producer, c.consumer]);
    assert.deepEqual(spec(0, 0), [[0, 0, 0], [1, 0, 1], [2, 0, 2]]);
    assert.deepEqual(spec(0, 1), [[3, 1, 0], [4, 1, 1], [5, 1, 2]]);
    assert.deepEqual(spec(1, 2), [[10, 2, 0], [11, 2, 1]]);
    assert.deepEqual(plan.inputChannels(1, 1).map((c) => c.id), [7, 9, 11]);
  });

  it("a forward edge connects subtask i to subtask i only", () => {
    const { job } = graphs((env) => {
      numbers(env, "a").union(numbers(env, "b")).map((x) => x).sinkTo(discard);
    }, { parallelism: 3 });
    const plan = new ExecutionPlan(job, 2);
    for (const edge of [0, 1]) {
      for (let s = 0; s < 3; s++) {
        assert.deepEqual(plan.outputChannels(edge, s).map((c) => [c.producer, c.consumer]), [[s, s]]);
        assert.deepEqual(plan.inputChannels(edge, s).map((c) => [c.producer, c.consumer]), [[s, s]]);
      }
    }
  });

  it("every producer-consumer pair of a partitioned edge has exactly one channel, and ids are 0..n-1", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), (p1, p2, p3, workers) => {
        const job = threeStages(p1, p2, p3);
        const plan = new ExecutionPlan(job, workers);
        const ids: number[] = [];
        job.edges.forEach((edge, e) => {
          const producers = job.vertices[edge.source]!.parallelism;
          const consumers = job.vertices[edge.target]!.parallelism;
          const forward = edge.partitioning.kind === "forward";
          for (let p = 0; p < producers; p++) {
            const out = plan.outputChannels(e, p);
            // Ordered by consumer, so a record writer can index channels by consumer subtask.
            assert.deepEqual(out.map((c) => c.consumer), forward ? [p] : Array.from({ length: consumers }, (_, c) => c));
            ids.push(...out.map((c) => c.id));
          }
          for (let c = 0; c < consumers; c++) {
            assert.deepEqual(plan.inputChannels(e, c).map((s) => s.producer), forward ? [c] : Array.from({ length: producers }, (_, p) => p));
          }
        });
        assert.deepEqual(ids, Array.from({ length: ids.length }, (_, i) => i));
        assert.equal(ids.length, p1 * p2 + (p2 === p3 ? 0 : p2 * p3));
      }),
    );
  });
});
