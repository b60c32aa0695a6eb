import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { countsTowardFailureLimit } from "../../../src/checkpoint/coordinator/failure-reason.ts";
import type { CoordinatorDecision } from "../../../src/checkpoint/coordinator/decisions.ts";
import { id, setup, STATS, TASKS } from "./harness.ts";

type Step =
  | { readonly op: "advance"; readonly ms: number }
  | { readonly op: "tick" }
  | { readonly op: "ack" | "decline"; readonly back: number; readonly task: number }
  | { readonly op: "persisted" | "persistFailed"; readonly pick: number }
  | { readonly op: "triggerNow"; readonly reject: boolean }
  | { readonly op: "taskFailed" | "resume" };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 3_000 }) }) },
  { weight: 2, arbitrary: fc.constant({ op: "tick" as const }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant("ack" as const), back: fc.integer({ min: -1, max: 3 }), task: fc.integer({ min: 0, max: TASKS.length }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("decline" as const), back: fc.integer({ min: -1, max: 3 }), task: fc.integer({ min: 0, max: TASKS.length }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("persisted" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("persistFailed" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("triggerNow" as const), reject: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ op: "taskFailed" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "resume" as const }) },
);

const config = fc.record({
  intervalMs: fc.integer({ min: 1, max: 2_000 }),
  timeoutMs: fc.integer({ min: 1, max: 6_000 }),
  minPauseMs: fc.integer({ min: 0, max: 1_500 }),
  maxConcurrent: fc.integer({ min: 1, max: 3 }),
  tolerableFailures: fc.integer({ min: 0, max: 3 }),
  retained: fc.integer({ min: 1, max: 3 }),
});

describe("the coordinator under random facts", () => {
  it("keeps ids increasing, pending within maxConcurrent, one end per checkpoint, nextWakeUp exact, and its statistics consistent", () => {
    fc.assert(
      fc.property(config, fc.integer({ min: 1, max: 50 }), fc.array(step, { maxLength: 120 }), (cfg, first, steps) => {
        const { clock, coordinator } = setup(cfg, { firstCheckpointId: id(first) });
        let lastTriggered = first - 1;
        const triggered = new Set<number>();
        const askedToPersist: number[] = [];
        const ended = new Map<number, string>();

        const check = (decisions: readonly CoordinatorDecision<string>[]): void => {
          for (const [i, d] of decisions.entries()) {
            switch (d.kind) {
              case "trigger":
                assert.ok(d.checkpointId > lastTriggered, `trigger ${d.checkpointId} after ${lastTriggered}`);
                assert.equal(d.timestamp, clock.now());
                lastTriggered = d.checkpointId;
                triggered.add(d.checkpointId);
                break;
              case "persist":
                assert.ok(triggered.has(d.checkpointId) && !ended.has(d.checkpointId));
                assert.deepEqual(d.acknowledgements.map((a) => a.taskId), TASKS);
                askedToPersist.push(d.checkpointId);
                break;
              case "complete":
                assert.ok(askedToPersist.includes(d.checkpointId), `complete ${d.checkpointId} without persist`);
                assert.ok(!ended.has(d.checkpointId), `${d.checkpointId} ended twice`);
                ended.set(d.checkpointId, "complete");
                break;
              case "abort":
                assert.ok(triggered.has(d.checkpointId), `abort of untriggered ${d.checkpointId}`);
                assert.ok(!ended.has(d.checkpointId), `${d.checkpointId} ended twice`);
                ended.set(d.checkpointId, d.reason.kind);
                break;
              case "fail-job": {
                const previous = decisions[i - 1];
                assert.ok(previous?.kind === "abort" && countsTowardFailureLimit(previous.reason), "fail-job follows a counted abort");
                assert.ok(d.consecutiveFailures > cfg.tolerableFailures);
                break;
              }
              case "discard":
                assert.equal(ended.get(d.checkpointId), "complete");
                break;
              case "drop-request":
                break;
            }
          }
          if (decisions.some((d) => d.kind === "trigger")) assert.equal(coordinator.phase, "running");
          const pending = coordinator.pendingCheckpoints();
          assert.ok(pending.length <= cfg.maxConcurrent, `${pending.length} pending`);
          assert.ok(coordinator.retainedCheckpoints.length <= cfg.retained);
          assert.deepEqual(pending.map((p) => p.id).sort((a, b) => a - b), [...triggered].filter((n) => !ended.has(n)).sort((a, b) => a - b));
          const counts = coordinator.stats.counts();
          const completed = [...ended.values()].filter((v) => v === "complete").length;
          assert.deepEqual(counts, { triggered: triggered.size, inProgress: pending.length, completed, failed: ended.size - completed });
        };

        for (const s of steps) {
          switch (s.op) {
            case "advance":
              clock.advance(s.ms);
              break;
            case "tick":
              check(coordinator.tick());
              break;
            case "ack": {
              const target = id(Math.max(1, lastTriggered - s.back));
              const { outcome, decisions } = coordinator.acknowledge(target, TASKS[s.task] ?? ("9:9" as never), STATS, "s");
              if (outcome.kind === "success") assert.ok(triggered.has(target) && !ended.has(target));
              if (outcome.kind === "unknown" && TASKS[s.task] !== undefined) assert.ok(!triggered.has(target));
              check(decisions);
              break;
            }
            case "decline":
              check(coordinator.decline(id(Math.max(1, lastTriggered - s.back)), TASKS[s.task] ?? ("9:9" as never), "no"));
              break;
            case "persisted":
            case "persistFailed": {
              if (askedToPersist.length === 0) break;
              const target = id(askedToPersist[s.pick % askedToPersist.length]!);
              check(s.op === "persisted" ? coordinator.persisted(target) : coordinator.persistFailed(target, new Error("io")));
              break;
            }
            case "triggerNow": {
              const { outcome, decisions } = coordinator.triggerNow({ whenBusy: s.reject ? "reject" : "queue" });
              check(decisions);
              if (outcome.kind === "triggered") assert.equal(outcome.checkpointId, lastTriggered);
              break;
            }
            case "taskFailed":
              check(coordinator.taskFailed());
              assert.notEqual(coordinator.phase, "running");
              break;
            case "resume":
              check(coordinator.resume());
              assert.equal(coordinator.phase, "running");
              break;
          }
          const wakeUp = coordinator.nextWakeUp();
          if (wakeUp !== undefined && wakeUp > clock.now()) {
            clock.set(wakeUp - 1);
            const before = coordinator.pendingCheckpoints().length;
            const early = coordinator.tick();
            assert.ok(early.every((d) => d.kind !== "trigger" && !(d.kind === "abort" && d.reason.kind === "expired")), "nothing is due before nextWakeUp");
            assert.equal(coordinator.pendingCheckpoints().length, before);
            check(early);
            clock.set(wakeUp);
            const due = coordinator.tick();
            assert.ok(due.length > 0, "something is due at nextWakeUp");
            check(due);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
