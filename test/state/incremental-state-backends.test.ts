/**
 * The conformance suites with incremental checkpoints on: for every backend that keeps a
 * changelog, a snapshot is a chain (a full snapshot, then the changes after it, restored in order;
 * see changelog-chain-backend.ts), and every guarantee of the suites holds for it.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ValueStateDescriptor } from "../../src/state/descriptors.ts";
import type { KeyedStateSnapshot } from "../../src/state/keyed-state-snapshot.ts";
import { createKeyedStateBackend, stateBackendNames } from "../../src/state/state-backends.ts";
import type { KeyedStateBackend, KeyedStateBackendOptions } from "../../src/state/keyed-state-backend.ts";
import { keyedStateBackendConformance } from "./keyed-state-backend-conformance.ts";
import { BACKEND_TRAITS } from "./backend-traits.ts";
import { keyedStateMigrationConformance } from "./keyed-state-migration-conformance.ts";
import { keyedStateSnapshotConformance } from "./keyed-state-snapshot-conformance.ts";
import { keyedStateTtlConformance } from "./keyed-state-ttl-conformance.ts";
import { keyedStateValueShapesConformance } from "./keyed-state-value-shapes-conformance.ts";
import { changelogChainBackend } from "./changelog-chain-backend.ts";

const traits = BACKEND_TRAITS;

const made: KeyedStateBackend[] = [];
after(() => {
  for (const backend of made.splice(0)) backend.dispose();
});
const only = process.env.WEIR_INCREMENTAL_BACKEND;
for (const name of stateBackendNames()) {
  if (only !== undefined && only !== name) continue;
  const create = (options: KeyedStateBackendOptions): KeyedStateBackend => {
    const backend = createKeyedStateBackend(name, options);
    made.push(backend);
    return backend;
  };
  const chained = changelogChainBackend(create);
  const label = `state backend '${name}' with incremental checkpoints`;
  keyedStateBackendConformance(label, chained, traits[name]);
  keyedStateSnapshotConformance(label, chained);
  keyedStateTtlConformance(label, chained, traits[name]);
  keyedStateValueShapesConformance(label, chained, traits[name]);
  keyedStateMigrationConformance(label, chained);
}

/** The bytes of a snapshot, written to the end and released. */
function written(snapshot: KeyedStateSnapshot): Uint8Array {
  const steps = snapshot.write();
  let step = steps.next();
  while (step.done !== true) step = steps.next();
  snapshot.release();
  return step.value;
}

const RANGE = { start: 0, end: 15 };
const visitsV2 = () => new ValueStateDescriptor<{ count: number; since?: number }>("visits", { version: 2, migrate: (old) => ({ ...(old as { count: number }), since: 0 }) });

for (const name of stateBackendNames()) {
  if (only !== undefined && only !== name) continue;
  describe(`state backend '${name}' with incremental checkpoints, across a schema migration`, () => {
    const backend = (): KeyedStateBackend => {
      const b = createKeyedStateBackend(name, { keyGroupRange: RANGE, maxParallelism: 16, changelog: true });
      made.push(b);
      return b;
    };

    it("a migration of restored state makes the next checkpoint a full one, so base and changes restore the newest values", () => {
      const first = backend();
      const v1 = first.getState(new ValueStateDescriptor<{ count: number }>("visits"));
      for (const key of ["a", "b"]) {
        first.setCurrentKey(key);
        v1.update({ count: 1 });
      }
      const restored = backend();
      restored.restore([written(first.snapshot())]);
      assert.equal(restored.snapshotChanges!(), undefined, "after a restore the chain starts with a full snapshot");
      const base = written(restored.snapshot());
      const v2 = restored.getState(visitsV2());
      restored.setCurrentKey("a");
      v2.update({ count: 5, since: 0 });
      restored.setCurrentKey("b");
      v2.clear();
      const changes = restored.snapshotChanges!();
      const next = backend();
      next.restore(changes === undefined ? [written(restored.snapshot())] : [base, written(changes)]);
      const state = next.getState(visitsV2());
      next.setCurrentKey("a");
      assert.deepEqual(state.value(), { count: 5, since: 0 });
      next.setCurrentKey("b");
      assert.equal(state.value(), undefined);
    });
  });
}
