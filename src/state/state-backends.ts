/**
 * The keyed state backends a job can choose by name (`EnvironmentConfig.stateBackend`); the
 * runtime creates every keyed operator's backend here and knows no implementation. Adding a
 * backend is adding its factory to `stateBackends`: the name becomes a valid configuration value,
 * and the backend must pass the conformance suites under test/state/.
 */
import { invalidArgument } from "../core/errors.ts";
import { DiskKeyedStateBackend } from "./disk/disk-keyed-state-backend.ts";
import { HeapKeyedStateBackend } from "./heap/heap-keyed-state-backend.ts";
import type { KeyedStateBackend, KeyedStateBackendOptions } from "./keyed-state-backend.ts";

export type KeyedStateBackendFactory = (options: KeyedStateBackendOptions) => KeyedStateBackend;

const stateBackends = {
  /** Maps per key group in the JavaScript heap; snapshots copy on write, per entry. */
  heap: (options) => new HeapKeyedStateBackend(options),
  /** An embedded LMDB store on local disk, for state larger than memory; reads are copies. */
  disk: (options) => new DiskKeyedStateBackend(options),
} satisfies Record<string, KeyedStateBackendFactory>;

/** The name of a registered keyed state backend. */
export type StateBackendName = keyof typeof stateBackends;

export const DEFAULT_STATE_BACKEND: StateBackendName = "heap";

/**
 * Whether checkpoints of the backend's state are incremental unless the job says otherwise: on for
 * the on-disk backend, whose state is too large to write whole every time; off for the heap,
 * where keeping the changelog costs each write a little.
 */
export function incrementalByDefault(name: StateBackendName): boolean {
  return name === "disk";
}

/** The names of every registered backend, for messages and the command line. */
export function stateBackendNames(): StateBackendName[] {
  return Object.keys(stateBackends) as StateBackendName[];
}

/**
 * A new backend of the named kind. The name is checked here too, as it may come from outside the
 * type system (a job's configuration in JavaScript, a message between threads): an unknown one is
 * WEIR_ERR_INVALID_ARGUMENT.
 */
export function createKeyedStateBackend(name: StateBackendName, options: KeyedStateBackendOptions): KeyedStateBackend {
  return stateBackends[checkStateBackendName(name)](options);
}

/**
 * `name` when it names a registered backend; WEIR_ERR_INVALID_ARGUMENT otherwise, naming the
 * known ones ('rocksdb', Flink's name for its on-disk backend, is told what to use instead).
 */
export function checkStateBackendName(name: string): StateBackendName {
  if (Object.hasOwn(stateBackends, name)) return name as StateBackendName;
  const hint = name === "rocksdb"
    ? "; Weir has no RocksDB backend (no RocksDB binding for Node serves state synchronously fast enough, see docs/state.md), and its on-disk backend for state larger than memory is 'disk' (LMDB)"
    : "";
  throw invalidArgument(`unknown state backend '${String(name)}'${hint}; choose one of: ${stateBackendNames().join(", ")}`);
}
