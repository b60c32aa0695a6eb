/**
 * The conformance suites with incremental checkpoints on: for every backend that keeps a
 * changelog, a snapshot is a chain (a full snapshot, then the changes after it, restored in order;
 * see changelog-chain-backend.ts), and every guarantee of the suites holds for it.
 */
import { after } from "node:test";
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
  if (name === "heap") keyedStateMigrationConformance(label, chained);
}
