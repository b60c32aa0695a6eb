/**
 * The state backends a job chooses with `env.setStateBackend(...)`, under Flink's class names
 * where Weir has the same backend: `new HashMapStateBackend()` keeps keyed state in the
 * JavaScript heap (the default); `new EmbeddedDiskStateBackend()` keeps it in an embedded LMDB
 * store on local disk, for state larger than memory (Flink's EmbeddedRocksDBStateBackend plays
 * this part; see docs/state.md for why Weir's is LMDB). A backend's name ("heap", "disk") does
 * the same.
 */
import { invalidArgument } from "../core/errors.ts";
import { checkStateBackendName, type StateBackendName } from "../state/state-backends.ts";

/** A chosen keyed state backend: its registered name and where it keeps local files, if anywhere. */
export interface StateBackendChoice {
  readonly name: StateBackendName;
  /** Where an on-disk backend makes its working directories; the system's temp dir when absent. */
  readonly localDirectory?: string | undefined;
}

/** Keyed state in maps per key group in the JavaScript heap; snapshots copy on write, per entry. */
export class HashMapStateBackend implements StateBackendChoice {
  readonly name = "heap";
}

/**
 * Keyed state in an embedded LMDB store on local disk, one per keyed operator subtask, removed
 * when the task ends. Reads decode a copy of the stored value: write back what you change.
 */
export class EmbeddedDiskStateBackend implements StateBackendChoice {
  readonly name = "disk";
  localDirectory: string | undefined;

  constructor(options: { localDirectory?: string } = {}) {
    this.localDirectory = checkDirectory(options.localDirectory);
  }

  /** Where the stores' directories are made (Flink's `setDbStoragePath`); the system's temp dir when undefined. */
  setDbStoragePath(path: string | undefined): this {
    this.localDirectory = checkDirectory(path);
    return this;
  }

  getDbStoragePath(): string | undefined {
    return this.localDirectory;
  }
}

function checkDirectory(path: unknown): string | undefined {
  if (path === undefined) return undefined;
  if (typeof path !== "string" || path.length === 0) throw invalidArgument(`the state backend's local directory must be a non-empty path, got ${JSON.stringify(path)}`);
  return path;
}

/** A backend given by name or as a choice object, checked (JavaScript callers pass anything). */
export function resolveStateBackend(backend: StateBackendName | StateBackendChoice): StateBackendChoice {
  if (typeof backend === "string") return { name: checkStateBackendName(backend) };
  if (typeof backend !== "object" || backend === null || typeof backend.name !== "string") {
    throw invalidArgument(`setStateBackend needs a backend name or a state backend such as new HashMapStateBackend(), got ${String(backend)}`);
  }
  return { name: checkStateBackendName(backend.name), localDirectory: checkDirectory(backend.localDirectory) };
}
