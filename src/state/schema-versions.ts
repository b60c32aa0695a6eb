/**
 * Whether state written at one schema version can be read through a descriptor of another (see
 * descriptors.ts): the one rule the state backends apply when a function asks for restored state,
 * and the compatibility check applies before a restore starts.
 */
import { WeirError } from "../core/errors.ts";

export type VersionChange =
  /** Same version: nothing to do. */
  | "unchanged"
  /** Older, and the descriptor migrates. */
  | "migrated"
  /** Older, and the descriptor has no migrate function. */
  | "missing-migration"
  /** Newer than the descriptor: no migration goes back. */
  | "newer";

export function versionChange(from: number, to: number, migrates: boolean): VersionChange {
  if (from === to) return "unchanged";
  if (from > to) return "newer";
  return migrates ? "migrated" : "missing-migration";
}

/** Why state at version `from` cannot be read at `to`, in words (a change that refuses). */
export function describeRefusedVersionChange(from: number, to: number): string {
  return from > to
    ? `was written at version ${from}, newer than its descriptor's version ${to}; state is never migrated back`
    : `was written at version ${from} and its descriptor is at version ${to}, but the descriptor has no migrate function; give it migrate: (old, fromVersion) => ...`;
}

/** The error that refuses reading state at `from` through a descriptor at `to`; `operator` is its uid or derived id, when known. */
export function migrationMissing(operator: string | undefined, state: string, from: number, to: number): WeirError {
  const subject = `${operator === undefined ? "" : `operator '${operator}': `}state '${state}'`;
  return new WeirError("WEIR_ERR_STATE_MIGRATION_MISSING", `${subject} ${describeRefusedVersionChange(from, to)}`);
}
