import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { OperatorStateMetadata } from "../../../src/checkpoint/storage/checkpoint-metadata.ts";
import { planRestore, remapCheckpoint, type JobOperator, type RestoreFinding } from "../../../src/runtime/master/restore-plan.ts";
import { describeRestorePlan, restoreRefusedError } from "../../../src/runtime/master/restore-report.ts";

const HANDLE = { path: "state", bytes: 1, checksum: "0".repeat(64) };

/** A checkpoint operator; `keyed` gives its subtasks key-group ranges, `empty` writes no state. */
function written(operatorId: string, parallelism: number, options: { keyed?: boolean; empty?: boolean; maxParallelism?: number } = {}): OperatorStateMetadata {
  const maxParallelism = options.maxParallelism ?? 128;
  return {
    operatorId,
    parallelism,
    maxParallelism,
    subtasks: Array.from({ length: parallelism }, (_, subtask) => ({
      subtask,
      state: options.empty === true ? [] : [HANDLE],
      ...(options.keyed === true
        ? { keyGroupRange: { start: Math.ceil((subtask * maxParallelism) / parallelism), end: Math.ceil(((subtask + 1) * maxParallelism) / parallelism) - 1 } }
        : {}),
    })),
  };
}

function operator(operatorId: string, parallelism: number, options: Partial<JobOperator> = {}): JobOperator {
  return { operatorId, name: operatorId, hasUid: true, parallelism, maxParallelism: 128, source: undefined, stateful: true, ...options };
}

const kinds = (findings: readonly RestoreFinding[]) => findings.map((f) => `${f.kind} ${"operatorId" in f ? f.operatorId : f.old}`);

describe("planRestore", () => {
  it("restores every operator of an unchanged job, and refuses nothing", () => {
    const plan = planRestore({ operators: [written("events", 2), written("counts", 2, { keyed: true })] }, [operator("events", 2, { source: "splits" }), operator("counts", 2)]);
    assert.deepEqual(kinds(plan.findings), ["restored events", "restored counts"]);
    assert.equal(plan.refusal, undefined);
    assert.deepEqual([...plan.sourceOf], [["events", "events"], ["counts", "counts"]]);
  });

  it("starts an operator the checkpoint does not know empty", () => {
    const plan = planRestore({ operators: [written("counts", 1, { keyed: true })] }, [operator("counts", 1), operator("enrich", 1)]);
    assert.deepEqual(kinds(plan.findings), ["restored counts", "new enrich"]);
    assert.equal(plan.refusal, undefined);
  });

  it("refuses state of an operator that is gone with WEIR_ERR_UID_MISMATCH, naming it; --allow-non-restored-state lets it go", () => {
    const checkpoint = { operators: [written("counts", 1, { keyed: true }), written("old-dedup", 1, { keyed: true })] };
    const refused = planRestore(checkpoint, [operator("counts", 1)]);
    assert.equal(refused.refusal?.code, "WEIR_ERR_UID_MISMATCH");
    assert.deepEqual(refused.refusal?.finding, { kind: "dropped", operatorId: "old-dedup", allowed: false });
    const error = restoreRefusedError(refused, "/chk/_metadata");
    assert.match(error.message, /'old-dedup': its state matches no operator of the job; refused unless --allow-non-restored-state/);
    const allowed = planRestore(checkpoint, [operator("counts", 1)], { allowNonRestoredState: true });
    assert.equal(allowed.refusal, undefined);
    assert.deepEqual(allowed.findings.at(-1), { kind: "dropped", operatorId: "old-dedup", allowed: true });
  });

  it("does not count an operator that wrote no state as dropped", () => {
    const plan = planRestore({ operators: [written("counts", 1, { keyed: true }), written("Map#2", 1, { empty: true })] }, [operator("counts", 1)]);
    assert.equal(plan.refusal, undefined);
    assert.deepEqual(kinds(plan.findings), ["restored counts"]);
  });

  it("restores a renamed uid with the uid map, and the checkpoint's own operator of the new name is then dropped", () => {
    const checkpoint = { operators: [written("counter", 1, { keyed: true })] };
    const plan = planRestore(checkpoint, [operator("count-per-key", 1)], { uidMap: new Map([["counter", "count-per-key"]]) });
    assert.equal(plan.refusal, undefined);
    assert.deepEqual(plan.findings, [{ kind: "restored", operatorId: "count-per-key", from: "counter", stateful: true }]);
    const remapped = remapCheckpoint({ formatVersion: 1, jobId: "job-1", checkpointId: 1 as never, triggeredAt: 0, completedAt: 0, jobFingerprint: "f", operators: checkpoint.operators }, plan);
    assert.deepEqual(remapped.operators.map((o) => o.operatorId), ["count-per-key"]);
  });

  it("refuses a uid mapping whose old id is not in the checkpoint, or whose new id is not in the job", () => {
    const checkpoint = { operators: [written("counter", 1, { keyed: true })] };
    const job = [operator("counter", 1)];
    const noOld = planRestore(checkpoint, job, { uidMap: new Map([["countr", "counter"]]) });
    assert.deepEqual(noOld.refusal, { code: "WEIR_ERR_UID_MISMATCH", finding: { kind: "unmatched-uid-mapping", old: "countr", new: "counter", missing: "old" } });
    const noNew = planRestore(checkpoint, job, { uidMap: new Map([["counter", "counts"]]) });
    assert.equal(noNew.refusal?.finding.kind, "unmatched-uid-mapping");
    // A mapping that is refused does not take the operator's own state away from it.
    assert.deepEqual(noNew.findings[1], { kind: "restored", operatorId: "counter", from: "counter", stateful: true });
  });

  it("warns about a stateful operator without a uid, restored or new, without refusing", () => {
    const plan = planRestore({ operators: [written("KeyedProcess#2", 1, { keyed: true })] }, [
      operator("KeyedProcess#2", 1, { hasUid: false }),
      operator("Sink#3", 1, { hasUid: false }),
      operator("Map#4", 1, { hasUid: false, stateful: false }),
    ]);
    assert.deepEqual(kinds(plan.findings), ["restored KeyedProcess#2", "no-uid KeyedProcess#2", "new Sink#3", "no-uid Sink#3", "new Map#4"]);
    assert.equal(plan.refusal, undefined);
  });

  it("allows another parallelism and says how many key groups move", () => {
    const plan = planRestore({ operators: [written("counts", 2, { keyed: true }), written("sink", 2)] }, [operator("counts", 3), operator("sink", 3)]);
    assert.equal(plan.refusal, undefined);
    const changed = plan.findings.filter((f) => f.kind === "parallelism-changed");
    assert.equal(changed.length, 2);
    // Subtask ranges 0-63 / 64-127 become 0-42 / 43-85 / 86-127: groups 43-63 and 86-127 change owner; 64-85 stay on subtask 1.
    assert.match(changed[0]!.kind === "parallelism-changed" ? changed[0]!.moves : "", /^63 of 128 key groups/);
    assert.match(changed[1]!.kind === "parallelism-changed" ? changed[1]!.moves : "", /list state split evenly/);
  });

  it("allows another max parallelism for keyed operators only", () => {
    const plan = planRestore({ operators: [written("counts", 2, { keyed: true }), written("sink", 2)] }, [operator("counts", 2, { maxParallelism: 256 }), operator("sink", 2, { maxParallelism: 256 })]);
    assert.equal(plan.refusal, undefined);
    assert.deepEqual(
      plan.findings.filter((f) => f.kind === "max-parallelism-changed"),
      [{ kind: "max-parallelism-changed", operatorId: "counts", from: 128, to: 256 }],
    );
  });

  it("refuses to rescale a source without splits, whose positions belong to its subtasks", () => {
    const plan = planRestore({ operators: [written("lines", 2)] }, [operator("lines", 3, { source: "readers" })]);
    assert.deepEqual(plan.refusal, { code: "WEIR_ERR_CHECKPOINT_MISMATCH", finding: { kind: "source-not-rescalable", operatorId: "lines", from: 2, to: 3 } });
    assert.equal(planRestore({ operators: [written("lines", 2)] }, [operator("lines", 3, { source: "splits" })]).refusal, undefined);
  });

  it("refuses an operator whose parallelism is above the max parallelism", () => {
    const plan = planRestore({ operators: [written("counts", 2, { keyed: true })] }, [operator("counts", 8, { maxParallelism: 4 })]);
    assert.equal(plan.refusal?.code, "WEIR_ERR_PARALLELISM_ABOVE_MAX");
  });

  it("renames split enumerator states with their operators and leaves out those of unmatched ones", () => {
    const checkpoint = {
      formatVersion: 1 as const,
      jobId: "job-1",
      checkpointId: 3 as never,
      triggeredAt: 0,
      completedAt: 0,
      jobFingerprint: "f",
      operators: [written("events", 1), written("gone", 1)],
      properties: { sourceEnumerators: { events: { next: 5 }, gone: { next: 1 } } },
    };
    const plan = planRestore(checkpoint, [operator("events-v2", 1, { source: "splits" })], { uidMap: new Map([["events", "events-v2"]]), allowNonRestoredState: true });
    assert.deepEqual(remapCheckpoint(checkpoint, plan).properties, { sourceEnumerators: { "events-v2": { next: 5 } } });
  });

  it("prints one labelled line per finding", () => {
    const plan = planRestore({ operators: [written("counts", 2, { keyed: true })] }, [operator("counts", 1), operator("extra", 1, { stateful: false })]);
    const lines = describeRestorePlan(plan).trimEnd().split("\n");
    assert.deepEqual(
      lines.map((l) => l.trim().split("  ")[0]),
      ["restored", "parallelism changed", "new"],
    );
  });
  describe("keyed states", () => {
    const stored = (versions: number[], kind: "value" | "map" = "value", namespaced = false) => new Map([["counts", { keyed: [{ name: "visits", kind, namespaced, versions }], operator: [] }]]);
    const asking = (version: number, migrates: boolean, kind: "value" | "map" = "value", namespaced = false) =>
      operator("counts", 1, { states: { states: [{ name: "visits", kind, namespaced, version, migrates }], operatorStates: [] } });
    const checkpoint = { operators: [written("counts", 1, { keyed: true })] };
    const stateFindings = (plan: ReturnType<typeof planRestore>) => plan.findings.filter((f) => f.kind.startsWith("state"));

    it("an unchanged state adds no finding", () => {
      const plan = planRestore(checkpoint, [asking(1, false)], { storedStates: stored([1]) });
      assert.deepEqual(stateFindings(plan), []);
      assert.equal(plan.refusal, undefined);
    });

    it("an older version with a migration is migrated, once per version the checkpoint holds", () => {
      const plan = planRestore(checkpoint, [asking(3, true)], { storedStates: stored([1, 2]) });
      assert.deepEqual(stateFindings(plan), [
        { kind: "state-migrated", operatorId: "counts", state: "visits", from: 1, to: 3 },
        { kind: "state-migrated", operatorId: "counts", state: "visits", from: 2, to: 3 },
      ]);
      assert.equal(plan.refusal, undefined);
      assert.match(describeRestorePlan(plan), /state version migrated +'counts' state 'visits': version 1 -> 3, migrated/);
    });

    it("a version that grew without a migration is refused with WEIR_ERR_STATE_MIGRATION_MISSING, and so is a newer one", () => {
      const missing = planRestore(checkpoint, [asking(2, false)], { storedStates: stored([1]) });
      assert.equal(missing.refusal?.code, "WEIR_ERR_STATE_MIGRATION_MISSING");
      assert.match(restoreRefusedError(missing, "/sp/_metadata").message, /'counts' state 'visits' was written at version 1 and its descriptor is at version 2, but the descriptor has no migrate function/);
      assert.match(describeRestorePlan(missing), /^ {2}state version changed without a migration {2}'counts' state 'visits'/m);
      const newer = planRestore(checkpoint, [asking(1, true)], { storedStates: stored([2]) });
      assert.equal(newer.refusal?.code, "WEIR_ERR_STATE_MIGRATION_MISSING");
      assert.match(restoreRefusedError(newer, "/sp/_metadata").message, /written at version 2, newer than its descriptor's version 1/);
    });

    it("a state asked for as another kind, or namespaced where it was not, is refused with WEIR_ERR_STATE_CONFLICT", () => {
      const map = planRestore(checkpoint, [asking(1, false, "map")], { storedStates: stored([1]) });
      assert.deepEqual(map.refusal, { code: "WEIR_ERR_STATE_CONFLICT", finding: { kind: "state-kind-changed", operatorId: "counts", state: "visits", from: "value", to: "map" } });
      const namespaced = planRestore(checkpoint, [asking(1, false, "value", true)], { storedStates: stored([1]) });
      assert.equal(namespaced.refusal?.code, "WEIR_ERR_STATE_CONFLICT");
      assert.match(describeRestorePlan(namespaced), /state kind changed +'counts' state 'visits': value state in the checkpoint, asked for as namespaced value state; refused/);
    });

    it("a state only the job asks for is new; one only the checkpoint holds is not inspected; neither refuses", () => {
      const plan = planRestore(checkpoint, [operator("counts", 1, { states: { states: [{ name: "other", kind: "map", namespaced: false, version: 4, migrates: false }], operatorStates: [] } })], {
        storedStates: stored([1]),
      });
      assert.deepEqual(stateFindings(plan), [
        { kind: "state-new", operatorId: "counts", state: "other", stateKind: "map" },
        { kind: "state-not-inspected", operatorId: "counts", state: "visits", stateKind: "value", notAskedIn: "open" },
      ]);
      assert.equal(plan.refusal, undefined);
      const report = describeRestorePlan(plan);
      assert.match(report, /^ {2}state new +'counts' map state 'other': not in the checkpoint, starts empty$/m);
      assert.match(report, /^ {2}state not inspected +'counts' value state 'visits': in the checkpoint, but not asked for in open nor declared as a field of the function; not compared/m);
    });

    it("states renamed by --map-uid are compared under the old id", () => {
      const renamed = planRestore(checkpoint, [operator("counts-v2", 1, { states: { states: [{ name: "visits", kind: "value", namespaced: false, version: 2, migrates: false }], operatorStates: [] } })], {
        storedStates: stored([1]),
        uidMap: new Map([["counts", "counts-v2"]]),
      });
      assert.equal(renamed.refusal?.code, "WEIR_ERR_STATE_MIGRATION_MISSING");
    });

    it("operator states are compared with operator states only, each kind by its distribution", () => {
      const checkpointed = new Map([
        [
          "counts",
          {
            keyed: [{ name: "visits", kind: "list" as const, namespaced: false, versions: [1] }],
            operator: [
              { name: "seen", kind: "split" as const, versions: [1] },
              { name: "instances", kind: "union" as const, versions: [1] },
              { name: "rules", kind: "broadcast" as const, versions: [1] },
            ],
          },
        ],
      ]);
      const plan = planRestore(
        checkpoint,
        [
          operator("counts", 1, {
            states: {
              states: [{ name: "visits", kind: "list", namespaced: false, version: 1, migrates: false }],
              operatorStates: [
                { name: "seen", kind: "union", version: 1, migrates: false },
                { name: "instances", kind: "union", version: 2, migrates: true },
                { name: "rules", kind: "broadcast", version: 2, migrates: false },
              ],
            },
          }),
        ],
        { storedStates: checkpointed },
      );
      assert.deepEqual(stateFindings(plan), [
        { kind: "state-kind-changed", operatorId: "counts", state: "seen", from: "operator list", to: "union list" },
        { kind: "state-migrated", operatorId: "counts", state: "instances", from: 1, to: 2 },
        { kind: "state-migration-missing", operatorId: "counts", state: "rules", from: 1, to: 2 },
      ]);
      assert.equal(plan.refusal?.code, "WEIR_ERR_STATE_CONFLICT");
      assert.match(describeRestorePlan(plan), /state kind changed +'counts' state 'seen': operator list state in the checkpoint, asked for as union list state; refused/);
    });

    it("an operator whose states could not be learned is a warning, not a refusal", () => {
      const plan = planRestore(checkpoint, [operator("counts", 1, { states: { unknown: "its open failed without records: no database" } })], { storedStates: stored([1]) });
      assert.equal(plan.refusal, undefined);
      assert.match(describeRestorePlan(plan), /states not inspected +'counts': its states were not compared \(its open failed without records: no database\)/);
    });
  });
});
