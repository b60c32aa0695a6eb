/**
 * A restore plan in words: one line per finding, as `weir savepoint check` prints it and as a
 * refused `--from` explains itself. Each line starts with the finding's label, so the lines can be
 * read by eye and by scripts alike.
 */
import { WeirError } from "../../core/errors.ts";
import { describeRefusedVersionChange } from "../../state/schema-versions.ts";
import { refuses, type RestoreFinding, type RestorePlan } from "./restore-plan.ts";

const LABELS: { readonly [K in RestoreFinding["kind"]]: string } = {
  restored: "restored",
  new: "new",
  dropped: "dropped",
  "no-uid": "no uid",
  "parallelism-changed": "parallelism changed",
  "max-parallelism-changed": "max parallelism changed",
  "source-not-rescalable": "parallelism changed",
  "parallelism-above-max": "parallelism above max",
  "unmatched-uid-mapping": "uid mapping",
  "state-kind-changed": "state kind changed",
  "state-migration-missing": "state version changed without a migration",
  "state-migrated": "state version migrated",
  "state-new": "state new",
  "state-not-inspected": "state not inspected",
  "states-not-inspected": "states not inspected",
};

/** Labels longer than this are not padded (the longest would push every line far right). */
const WIDTH = Math.max(...Object.values(LABELS).filter((l) => l.length <= 24).map((l) => l.length));

function detail(finding: RestoreFinding): string {
  switch (finding.kind) {
    case "restored":
      return `'${finding.operatorId}'${finding.from === finding.operatorId ? "" : ` from '${finding.from}' (--map-uid)`}${finding.stateful ? "" : " (it held no state)"}`;
    case "new":
      return `'${finding.operatorId}': not in the checkpoint, starts empty`;
    case "dropped":
      return finding.allowed
        ? `'${finding.operatorId}': its state matches no operator of the job and is left out (--allow-non-restored-state)`
        : `'${finding.operatorId}': its state matches no operator of the job; refused unless --allow-non-restored-state, ` +
            `or restore it into a renamed operator with --map-uid ${finding.operatorId}=<uid>`;
    case "no-uid":
      return `'${finding.operatorId}': its id is derived from its name and position, which change when the job changes; give it .uid("...")`;
    case "parallelism-changed":
      return `'${finding.operatorId}': ${finding.from} -> ${finding.to}, allowed: ${finding.moves}`;
    case "max-parallelism-changed":
      return `'${finding.operatorId}': ${finding.from} -> ${finding.to}, allowed: every key is re-bucketed into its key group among ${finding.to}`;
    case "source-not-rescalable":
      return `'${finding.operatorId}': ${finding.from} -> ${finding.to}, refused: a source without splits keeps its read positions per subtask; run it at parallelism ${finding.from}`;
    case "parallelism-above-max":
      return `'${finding.operatorId}': parallelism ${finding.parallelism} is above the max parallelism ${finding.maxParallelism}; refused`;
    case "state-kind-changed":
      return `'${finding.operatorId}' state '${finding.state}': ${finding.from} state in the checkpoint, asked for as ${finding.to} state; refused`;
    case "state-migration-missing":
      return `'${finding.operatorId}' state '${finding.state}' ${describeRefusedVersionChange(finding.from, finding.to)}; refused`;
    case "state-migrated":
      return `'${finding.operatorId}' state '${finding.state}': version ${finding.from} -> ${finding.to}, migrated by its descriptor's migrate when the function asks for it`;
    case "state-new":
      return `'${finding.operatorId}' ${finding.stateKind} state '${finding.state}': not in the checkpoint, starts empty`;
    case "state-not-inspected":
      return (
        `'${finding.operatorId}' ${finding.stateKind} state '${finding.state}': in the checkpoint, but not asked for in ${finding.notAskedIn}` +
        (finding.notAskedIn === "open" ? " nor declared as a field of the function" : "") +
        "; not compared, it is kept and checked if the job asks for it later"
      );
    case "states-not-inspected":
      return `'${finding.operatorId}': its states were not compared (${finding.reason}); they are checked when the job asks for them`;
    case "unmatched-uid-mapping":
      return finding.missing === "old"
        ? `--map-uid ${finding.old}=${finding.new}: the checkpoint has no operator '${finding.old}'; refused`
        : `--map-uid ${finding.old}=${finding.new}: the job has no operator '${finding.new}'; refused`;
  }
}

/** One line per finding, in plan order, each ending with a newline. */
export function describeRestorePlan(plan: RestorePlan): string {
  return plan.findings.map((f) => `  ${LABELS[f.kind].padEnd(WIDTH)}  ${detail(f)}\n`).join("");
}

/** The error a refused plan raises: its code, the refusing findings first, then the whole report. */
export function restoreRefusedError(plan: RestorePlan, checkpointPath: string): WeirError {
  const refusal = plan.refusal!;
  const reasons = plan.findings.filter(refuses).map(detail);
  return new WeirError(
    refusal.code,
    `checkpoint ${checkpointPath} cannot be restored into this job: ${reasons.join("; ")}\n` + `what the restore would do:\n${describeRestorePlan(plan).trimEnd()}`,
  );
}
