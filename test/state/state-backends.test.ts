import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildJob, defineJob } from "../../src/api/define-job.ts";
import { WeirError } from "../../src/core/errors.ts";
import { discardingSink } from "../../src/sinks/collect.ts";
import { HeapKeyedStateBackend } from "../../src/state/heap/heap-keyed-state-backend.ts";
import { createKeyedStateBackend, DEFAULT_STATE_BACKEND, stateBackendNames, type StateBackendName } from "../../src/state/state-backends.ts";
import type { KeyedStateBackend, KeyedStateBackendOptions } from "../../src/state/keyed-state-backend.ts";
import { keyedStateBackendConformance } from "./keyed-state-backend-conformance.ts";
import { BACKEND_TRAITS } from "./backend-traits.ts";
import { keyedStateMigrationConformance } from "./keyed-state-migration-conformance.ts";
import { keyedStateSnapshotConformance } from "./keyed-state-snapshot-conformance.ts";
import { keyedStateTtlConformance } from "./keyed-state-ttl-conformance.ts";
import { keyedStateValueShapesConformance } from "./keyed-state-value-shapes-conformance.ts";

const traits = BACKEND_TRAITS;

// Every registered backend passes the conformance suites. Backends made here are disposed after each suite's tests.
const made: KeyedStateBackend[] = [];
after(() => {
  for (const backend of made.splice(0)) backend.dispose();
});
for (const name of stateBackendNames()) {
  const create = (options: KeyedStateBackendOptions): KeyedStateBackend => {
    const backend = createKeyedStateBackend(name, options);
    made.push(backend);
    return backend;
  };
  keyedStateBackendConformance(`state backend '${name}'`, create, traits[name]);
  keyedStateSnapshotConformance(`state backend '${name}'`, create);
  keyedStateTtlConformance(`state backend '${name}'`, create, traits[name]);
  keyedStateValueShapesConformance(`state backend '${name}'`, create, traits[name]);
  keyedStateMigrationConformance(`state backend '${name}'`, create);
}

describe("state backend registry", () => {
  it("the default backend is the heap backend", () => {
    assert.equal(DEFAULT_STATE_BACKEND, "heap");
    assert.ok(createKeyedStateBackend(DEFAULT_STATE_BACKEND, { keyGroupRange: { start: 0, end: 3 }, maxParallelism: 4 }) instanceof HeapKeyedStateBackend);
  });

  it("an unknown name, as a JavaScript job could give, is an invalid argument naming the known ones", () => {
    for (const name of ["rocksdb", "toString", "__proto__"]) {
      assert.throws(
        () => createKeyedStateBackend(name as StateBackendName, { keyGroupRange: { start: 0, end: 3 }, maxParallelism: 4 }),
        (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_INVALID_ARGUMENT" && e.message.includes(`'${name}'`) && e.message.includes("heap"),
      );
    }
  });

  it("the job's configured backend reaches its job graph, where the runtime creates backends from it", async () => {
    const job = defineJob((env) => {
      env.fromElements(1, 2, 3).keyBy((n) => n % 2).reduce((a, b) => a + b).sinkTo(discardingSink());
    });
    assert.equal((await buildJob(job, {}, [])).job.stateBackend, "heap");
    assert.equal((await buildJob(job, { stateBackend: "heap" }, [])).job.stateBackend, "heap");
  });
});
