/**
 * Whether a checkpoint (or savepoint) can be restored into a job that may have changed since it
 * was written, and how: pure decisions over the checkpoint's metadata and the new job graph.
 *
 * Operator state is matched by operator id: the uid given with `.uid(...)`, or the id derived from
 * the operator's name and position (which changes when the job's shape changes, so operators that
 * hold state should have uids). `uidMap` renames checkpoint ids to the job's (`--map-uid old=new`).
 * Each operator of the job is then restored (from its match), or new (starts empty); each
 * operator of the checkpoint that holds state and matches none is dropped, which refuses the
 * restore unless `allowNonRestoredState`. Any operator's parallelism, and the job's max
 * parallelism, may differ from the checkpoint's (see restored-states.ts for what moves where),
 * except for a source without splits, whose read positions belong to its subtasks.
 *
 * When the states the job's operators ask for are known (declared-states.ts) and those the
 * checkpoint holds (stored-states.ts), each state of a restored operator is compared too, keyed
 * states with keyed states and operator states (split list, union list, broadcast) with operator
 * states: asked for as another kind is refused (WEIR_ERR_STATE_CONFLICT); written at another
 * schema version is migrated when the descriptor can migrate from it, else refused
 * (WEIR_ERR_STATE_MIGRATION_MISSING) (see state/schema-versions.ts); asked for but not in the
 * checkpoint starts empty; in the checkpoint but not asked for when the job was inspected is
 * reported as not inspected (a warning: it is kept, and checked if the job asks for it later).
 *
 * The findings are a closed list the `savepoint check` command prints and `--from` reports when it
 * refuses; `refusal` is the first finding that refuses, with its error code.
 */
import type { CheckpointMetadata, JsonValue, OperatorStateMetadata } from "../../checkpoint/storage/checkpoint-metadata.ts";
import { subtaskForKeyGroup } from "../../core/key-groups.ts";
import type { ErrorCode } from "../../core/errors.ts";
import { operatorIdOf, type JobGraph } from "../../graph/job-graph.ts";
import { displayName, type StreamNode } from "../../graph/stream-graph.ts";
import { isSplitSource } from "../../sources/split-source.ts";
import { versionChange } from "../../state/schema-versions.ts";
import type { OperatorStates } from "../declared-states.ts";
import type { OperatorStateKind } from "../../state/operator/operator-state-store.ts";
import type { StoredStates } from "./stored-states.ts";
import { ENUMERATORS_PROPERTY } from "./source-coordinator.ts";

/** An operator of the job being started, as far as restoring needs it. */
export interface JobOperator {
  readonly operatorId: string;
  readonly name: string;
  /** Whether the id is a uid the job set, rather than derived from name and position. */
  readonly hasUid: boolean;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** A source whose positions are splits (restorable at any parallelism), one without, or no source. */
  readonly source: "splits" | "readers" | undefined;
  /** Whether the operator's kind keeps state that restores need (sources, sinks, keyed and broadcast operators, async I/O). */
  readonly stateful: boolean;
  /** The states it asks for, when they were looked for (operators opened or with a user function, see declared-states.ts). */
  readonly states?: OperatorStates;
}

export interface RestoreSettings {
  /** Start although state of operators that no longer exist would be lost. */
  readonly allowNonRestoredState?: boolean;
  /** Checkpoint operator id → job operator id. */
  readonly uidMap?: ReadonlyMap<string, string>;
  /** The states of the checkpoint, by checkpoint operator id; without it, states are not compared. */
  readonly storedStates?: ReadonlyMap<string, StoredStates>;
}

export type RestoreFinding =
  /** The operator gets the state of checkpoint operator `from` (its own id, or renamed by the uid map). */
  | { readonly kind: "restored"; readonly operatorId: string; readonly from: string; readonly stateful: boolean }
  /** No checkpoint operator matches: the operator starts empty. */
  | { readonly kind: "new"; readonly operatorId: string }
  /** A checkpoint operator with state that no job operator matches; refused unless `allowed`. */
  | { readonly kind: "dropped"; readonly operatorId: string; readonly allowed: boolean }
  /** The operator has no uid: its derived id changes when the job changes (a warning, not a refusal). */
  | { readonly kind: "no-uid"; readonly operatorId: string }
  /** Allowed: restored at another parallelism; `moves` says what moves. */
  | { readonly kind: "parallelism-changed"; readonly operatorId: string; readonly from: number; readonly to: number; readonly moves: string }
  /** Allowed: keyed state is re-bucketed into the new number of key groups. */
  | { readonly kind: "max-parallelism-changed"; readonly operatorId: string; readonly from: number; readonly to: number }
  /** Refused: a source without splits keeps positions per subtask, which cannot move. */
  | { readonly kind: "source-not-rescalable"; readonly operatorId: string; readonly from: number; readonly to: number }
  /** Refused: the operator's parallelism exceeds the job's max parallelism. */
  | { readonly kind: "parallelism-above-max"; readonly operatorId: string; readonly parallelism: number; readonly maxParallelism: number }
  /** Refused: a `--map-uid old=new` whose old id is not in the checkpoint, or whose new id is not in the job. */
  | { readonly kind: "unmatched-uid-mapping"; readonly old: string; readonly new: string; readonly missing: "old" | "new" }
  /** Refused: a state of the checkpoint is asked for as another kind ("value", "namespaced list", "union list", ...). */
  | { readonly kind: "state-kind-changed"; readonly operatorId: string; readonly state: string; readonly from: string; readonly to: string }
  /** Refused: a state was written at a version its descriptor cannot migrate from (older without migrate, or newer). */
  | { readonly kind: "state-migration-missing"; readonly operatorId: string; readonly state: string; readonly from: number; readonly to: number }
  /** Allowed: a state written at an older version is migrated to the descriptor's when the function asks for it. */
  | { readonly kind: "state-migrated"; readonly operatorId: string; readonly state: string; readonly from: number; readonly to: number }
  /** Allowed: a state of `stateKind` the operator asks for that the checkpoint does not hold starts empty. */
  | { readonly kind: "state-new"; readonly operatorId: string; readonly state: string; readonly stateKind: string }
  /**
   * Allowed, a warning: a state of the checkpoint the operator did not ask for where it was inspected
   * (`open` for keyed state, `initializeState` for operator state): kept, and checked if asked for later.
   */
  | { readonly kind: "state-not-inspected"; readonly operatorId: string; readonly state: string; readonly stateKind: string; readonly notAskedIn: "open" | "initializeState" }
  /** Allowed, a warning: the operator's states could not be learned without running it, so they were not compared. */
  | { readonly kind: "states-not-inspected"; readonly operatorId: string; readonly reason: string };

export interface RestorePlan {
  readonly findings: readonly RestoreFinding[];
  /** For each job operator that restores state: the checkpoint operator it restores. */
  readonly sourceOf: ReadonlyMap<string, string>;
  /** Undefined when the restore can go ahead. */
  readonly refusal: { readonly code: ErrorCode; readonly finding: RestoreFinding } | undefined;
}

/** Whether a checkpoint operator wrote any state file. */
export function holdsState(operator: OperatorStateMetadata): boolean {
  return operator.subtasks.some((s) => s.state.length > 0);
}

function isStatefulKind(node: StreamNode): boolean {
  if (node.kind === "source") return true;
  return node.isSink || node.keySelectors.some((k) => k !== undefined) || /Broadcast|Async/.test(node.operatorType);
}

/** The operators of `job`, in graph order. */
export function jobOperators(job: JobGraph): JobOperator[] {
  return job.vertices.flatMap((vertex) =>
    vertex.nodes.map((node) => ({
      operatorId: operatorIdOf(node),
      name: displayName(node),
      hasUid: node.uid !== undefined,
      parallelism: vertex.parallelism,
      maxParallelism: job.maxParallelism,
      source: node.kind !== "source" ? undefined : isSplitSource(node.source) ? ("splits" as const) : ("readers" as const),
      stateful: isStatefulKind(node),
    })),
  );
}

/** The job operators that keep state but have no uid: a job that has some gets a warning when it starts. */
export function statefulWithoutUid(operators: readonly JobOperator[]): JobOperator[] {
  return operators.filter((o) => o.stateful && !o.hasUid);
}

/** What a parallelism change moves for a checkpoint operator, in words. */
function movesOf(operator: OperatorStateMetadata, to: number, maxParallelism: number): string {
  const keyed = operator.subtasks.some((s) => s.keyGroupRange !== undefined);
  if (!keyed) return "operator state redistributed: list state split evenly, union and broadcast state to every subtask, each old subtask's own state to subtask (old index mod new parallelism)";
  if (maxParallelism !== operator.maxParallelism) return `keyed state and timers re-bucketed by key into ${maxParallelism} key groups over ${to} subtasks`;
  let moved = 0;
  for (let group = 0; group < maxParallelism; group++) {
    if (subtaskForKeyGroup(group, operator.parallelism, maxParallelism) !== subtaskForKeyGroup(group, to, maxParallelism)) moved++;
  }
  return `${moved} of ${maxParallelism} key groups (with their keyed state and timers) move to another subtask`;
}

const REFUSAL_CODES: { readonly [K in RestoreFinding["kind"]]?: ErrorCode } = {
  "unmatched-uid-mapping": "WEIR_ERR_UID_MISMATCH",
  dropped: "WEIR_ERR_UID_MISMATCH",
  "source-not-rescalable": "WEIR_ERR_CHECKPOINT_MISMATCH",
  "parallelism-above-max": "WEIR_ERR_PARALLELISM_ABOVE_MAX",
  "state-kind-changed": "WEIR_ERR_STATE_CONFLICT",
  "state-migration-missing": "WEIR_ERR_STATE_MIGRATION_MISSING",
};

function describeStateKind(state: { readonly kind: string; readonly namespaced: boolean }): string {
  return state.namespaced ? `namespaced ${state.kind}` : state.kind;
}

const OPERATOR_STATE_KINDS: { readonly [K in OperatorStateKind]: string } = { split: "operator list", union: "union list", broadcast: "broadcast" };

/** A state on one side of the comparison: its name and its kind in words. */
interface Compared {
  readonly name: string;
  readonly kind: string;
}

/** What restoring `stored` into an operator that asks for `declared` (states of one scope, keyed or operator) does to each. */
function compareStates(
  operatorId: string,
  declared: readonly (Compared & { readonly version: number; readonly migrates: boolean })[],
  stored: readonly (Compared & { readonly versions: readonly number[] })[],
  notAskedIn: "open" | "initializeState",
): RestoreFinding[] {
  const findings: RestoreFinding[] = [];
  const old = new Map(stored.map((s) => [s.name, s]));
  for (const state of declared) {
    const previous = old.get(state.name);
    if (previous === undefined) {
      findings.push({ kind: "state-new", operatorId, state: state.name, stateKind: state.kind });
      continue;
    }
    if (previous.kind !== state.kind) {
      findings.push({ kind: "state-kind-changed", operatorId, state: state.name, from: previous.kind, to: state.kind });
      continue;
    }
    for (const version of previous.versions) {
      const change = versionChange(version, state.version, state.migrates);
      if (change === "migrated") findings.push({ kind: "state-migrated", operatorId, state: state.name, from: version, to: state.version });
      else if (change !== "unchanged") findings.push({ kind: "state-migration-missing", operatorId, state: state.name, from: version, to: state.version });
    }
  }
  const asked = new Set(declared.map((s) => s.name));
  for (const state of stored) if (!asked.has(state.name)) findings.push({ kind: "state-not-inspected", operatorId, state: state.name, stateKind: state.kind, notAskedIn });
  return findings;
}

/** What restoring `stored` (the checkpoint operator's states) into `operator` does to each state. */
const NO_STATES: StoredStates = { keyed: [], operator: [] };

function stateFindings(operator: JobOperator, stored: StoredStates): RestoreFinding[] {
  const declared = operator.states;
  if (declared === undefined) return [];
  const operatorId = operator.operatorId;
  if ("unknown" in declared) return [{ kind: "states-not-inspected", operatorId, reason: declared.unknown }];
  const keyed = (s: { readonly kind: string; readonly namespaced: boolean }) => describeStateKind(s);
  const operatorKind = (s: { readonly kind: OperatorStateKind }) => OPERATOR_STATE_KINDS[s.kind];
  return [
    ...compareStates(operatorId, declared.states.map((s) => ({ ...s, kind: keyed(s) })), stored.keyed.map((s) => ({ ...s, kind: keyed(s) })), "open"),
    ...compareStates(operatorId, declared.operatorStates.map((s) => ({ ...s, kind: operatorKind(s) })), stored.operator.map((s) => ({ ...s, kind: operatorKind(s) })), "initializeState"),
  ];
}

/** Whether a finding refuses the restore. */
export function refuses(finding: RestoreFinding): boolean {
  if (finding.kind === "dropped") return !finding.allowed;
  return REFUSAL_CODES[finding.kind] !== undefined;
}

export function planRestore(checkpoint: Pick<CheckpointMetadata, "operators">, job: readonly JobOperator[], settings: RestoreSettings = {}): RestorePlan {
  const old = new Map(checkpoint.operators.map((o) => [o.operatorId, o]));
  const jobIds = new Set(job.map((o) => o.operatorId));
  const uidMap = settings.uidMap ?? new Map<string, string>();
  const findings: RestoreFinding[] = [];
  /** Job id → checkpoint id, for the mappings that name ids on both sides; the others are refused and otherwise ignored. */
  const mappedTo = new Map<string, string>();
  const renamed = new Set<string>();
  for (const [from, to] of uidMap) {
    if (!old.has(from)) findings.push({ kind: "unmatched-uid-mapping", old: from, new: to, missing: "old" });
    else if (!jobIds.has(to)) findings.push({ kind: "unmatched-uid-mapping", old: from, new: to, missing: "new" });
    else {
      mappedTo.set(to, from);
      renamed.add(from);
    }
  }
  const sourceOf = new Map<string, string>();
  for (const operator of job) {
    const own = old.has(operator.operatorId) && !renamed.has(operator.operatorId) ? operator.operatorId : undefined;
    const from = mappedTo.get(operator.operatorId) ?? own;
    if (operator.parallelism > operator.maxParallelism) {
      findings.push({ kind: "parallelism-above-max", operatorId: operator.operatorId, parallelism: operator.parallelism, maxParallelism: operator.maxParallelism });
    }
    if (from === undefined) {
      findings.push({ kind: "new", operatorId: operator.operatorId });
      if (operator.stateful && !operator.hasUid) findings.push({ kind: "no-uid", operatorId: operator.operatorId });
      continue;
    }
    const previous = old.get(from)!;
    const stateful = holdsState(previous);
    sourceOf.set(operator.operatorId, from);
    findings.push({ kind: "restored", operatorId: operator.operatorId, from, stateful });
    if (!operator.hasUid && (stateful || operator.stateful)) findings.push({ kind: "no-uid", operatorId: operator.operatorId });
    if (!stateful) continue;
    if (previous.parallelism !== operator.parallelism) {
      if (operator.source === "readers") {
        findings.push({ kind: "source-not-rescalable", operatorId: operator.operatorId, from: previous.parallelism, to: operator.parallelism });
      } else {
        findings.push({ kind: "parallelism-changed", operatorId: operator.operatorId, from: previous.parallelism, to: operator.parallelism, moves: movesOf(previous, operator.parallelism, operator.maxParallelism) });
      }
    }
    if (previous.maxParallelism !== operator.maxParallelism && previous.subtasks.some((s) => s.keyGroupRange !== undefined)) {
      findings.push({ kind: "max-parallelism-changed", operatorId: operator.operatorId, from: previous.maxParallelism, to: operator.maxParallelism });
    }
    if (settings.storedStates !== undefined) findings.push(...stateFindings(operator, settings.storedStates.get(from) ?? NO_STATES));
  }
  const restoredFrom = new Set(sourceOf.values());
  for (const operator of checkpoint.operators) {
    if (restoredFrom.has(operator.operatorId) || !holdsState(operator)) continue;
    findings.push({ kind: "dropped", operatorId: operator.operatorId, allowed: settings.allowNonRestoredState === true });
  }
  const refusing = findings.find(refuses);
  return { findings, sourceOf, refusal: refusing === undefined ? undefined : { code: REFUSAL_CODES[refusing.kind]!, finding: refusing } };
}

/**
 * The checkpoint as the job sees it: operators under the ids of the job operators that restore
 * them (unmatched ones left out), and split enumerator states likewise, so that everything
 * downstream looks state up by the job's own ids.
 */
export function remapCheckpoint(metadata: CheckpointMetadata, plan: RestorePlan): CheckpointMetadata {
  const operators = new Map(metadata.operators.map((o) => [o.operatorId, o]));
  const remapped: OperatorStateMetadata[] = [];
  for (const [operatorId, from] of plan.sourceOf) remapped.push({ ...operators.get(from)!, operatorId });
  const enumerators = metadata.properties?.[ENUMERATORS_PROPERTY] as { readonly [operatorId: string]: JsonValue } | undefined;
  let properties = metadata.properties;
  if (enumerators !== undefined) {
    const renamed: { [operatorId: string]: JsonValue } = {};
    for (const [operatorId, from] of plan.sourceOf) if (Object.hasOwn(enumerators, from)) renamed[operatorId] = enumerators[from]!;
    properties = { ...metadata.properties, [ENUMERATORS_PROPERTY]: renamed };
  }
  return { ...metadata, operators: remapped, ...(properties === undefined ? {} : { properties }) };
}
