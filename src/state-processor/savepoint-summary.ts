/**
 * What `weir savepoint inspect` shows: the job, the format, and per operator its uid, name,
 * parallelism and max parallelism, and each of its states with kind, entry count and bytes.
 *
 * Counts and bytes:
 * - keyed state: entries are keys (or (key, namespace) pairs for namespaced state, as windows
 *   keep); a map state's key counts once however many user keys its map holds. Bytes are what its
 *   entries take in the keyed snapshots.
 * - operator list and union state, timers, and what `snapshotState` returned: elements, timers,
 *   and subtasks that returned something; bytes are their encoding by the value codec.
 * - broadcast state: the entries of one copy; bytes of all copies (every subtask stores one).
 * Nothing else is added: framing of the files is in the operator's total bytes only.
 * Files and bytes per operator count its state files; states small enough to be kept inside
 * `_metadata` (the job's memory threshold) are counted apart, as inline, with their bytes.
 */
import { basename, dirname } from "node:path";
import { formatBytes } from "../checkpoint/storage/list-checkpoints.ts";
import { parseCheckpointDirName } from "../checkpoint/storage/checkpoint-paths.ts";
import { encodeValue } from "../core/value-codec.ts";
import { formatTable } from "../core/text-table.ts";
import { SAVEPOINT_PROPERTY } from "../runtime/master/decision-executor.ts";
import { SOURCE_SPLITS_STATE } from "../runtime/split-source-driver.ts";
import { scanKeyedSnapshot } from "../state/heap/heap-snapshot.ts";
import type { StateKind } from "../state/descriptors.ts";
import type { ExistingSavepoint, SavepointOperator } from "./savepoint-reader.ts";

export type StateSummaryKind =
  | StateKind
  | "operator list"
  | "union list"
  | "broadcast"
  | "timers"
  | "source split positions"
  | "source positions"
  | "sink transactions"
  | "operator snapshot";

export interface StateSummary {
  readonly name: string;
  readonly kind: StateSummaryKind;
  /** Keyed state kept per (key, namespace), as windows keep theirs. */
  readonly namespaced?: boolean;
  readonly entries: number;
  readonly bytes: number;
}

export interface OperatorSummary {
  /** The uid, or the id derived from the operator's name and position. */
  readonly uid: string;
  readonly name: string | undefined;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The state files of all subtasks, and their bytes. */
  readonly files: number;
  readonly bytes: number;
  /** Subtask states kept inside `_metadata` instead of files (smaller than the job's memory threshold), and their bytes. */
  readonly inline: number;
  readonly inlineBytes: number;
  readonly states: readonly StateSummary[];
}

export interface SavepointSummary {
  /** The `_metadata` file. */
  readonly path: string;
  /** A savepoint, or a checkpoint (a `chk-<n>` directory that is not one). */
  readonly type: "savepoint" | "checkpoint";
  readonly jobId: string;
  /** The job's module, when the savepoint records it. */
  readonly jobName?: string;
  readonly formatVersion: number;
  readonly checkpointId: number;
  /** When it completed, ISO 8601 in UTC. */
  readonly timestamp: string;
  readonly operators: readonly OperatorSummary[];
}

/** Reads every state file of the savepoint once. */
export async function summarizeSavepoint(savepoint: ExistingSavepoint): Promise<SavepointSummary> {
  const { metadata } = savepoint;
  const operators: OperatorSummary[] = [];
  for (const operator of savepoint.operators) operators.push(await summarizeOperator(operator));
  const inCheckpointDir = parseCheckpointDirName(basename(dirname(savepoint.path))) !== undefined;
  return {
    path: savepoint.path,
    type: metadata.properties?.[SAVEPOINT_PROPERTY] !== undefined || !inCheckpointDir ? "savepoint" : "checkpoint",
    jobId: metadata.jobId,
    ...(savepoint.jobName === undefined ? {} : { jobName: savepoint.jobName }),
    formatVersion: metadata.formatVersion,
    checkpointId: metadata.checkpointId,
    timestamp: new Date(metadata.completedAt).toISOString(),
    operators,
  };
}

class Tally {
  private readonly states = new Map<string, { name: string; kind: StateSummaryKind; namespaced?: boolean; entries: number; bytes: number }>();

  add(name: string, kind: StateSummaryKind, entries: number, bytes: number, namespaced?: boolean): void {
    const id = `${kind}\u0000${name}`;
    const seen = this.states.get(id);
    if (seen === undefined) this.states.set(id, { name, kind, ...(namespaced ? { namespaced } : {}), entries, bytes });
    else {
      seen.entries += entries;
      seen.bytes += bytes;
    }
  }

  /** Sets a state's entry count (broadcast: one copy's), keeping its bytes. */
  setEntries(name: string, kind: StateSummaryKind, entries: number): void {
    this.states.get(`${kind}\u0000${name}`)!.entries = entries;
  }

  result(): StateSummary[] {
    return [...this.states.values()];
  }
}

const OWN_STATE_KIND = { source: "source positions", sink: "sink transactions", operator: "operator snapshot" } as const;

function sizeOf(value: unknown, where: string): number {
  return encodeValue(value, () => where).length;
}

async function summarizeOperator(operator: SavepointOperator): Promise<OperatorSummary> {
  const tally = new Tally();
  let files = 0;
  let bytes = 0;
  let inline = 0;
  let inlineBytes = 0;
  const broadcastEntries = new Map<string, number>();
  for await (const { content, from, bytes: stateBytes, inline: isInline } of operator.contents()) {
    if (isInline) {
      inline++;
      inlineBytes += stateBytes;
    } else {
      files++;
      bytes += stateBytes;
    }
    if (content.keyed !== undefined) {
      const { states, parts } = scanKeyedSnapshot(content.keyed, from);
      for (const state of states) tally.add(state.name, state.kind, 0, 0, state.namespaced);
      for (const part of parts()) tally.add(part.state.name, part.state.kind, part.count, part.bytes, part.state.namespaced);
    }
    if (content.timers.length > 0) tally.add("timers", "timers", content.timers.length, sizeOf(content.timers, from));
    for (const [name, distribution, elements] of content.operatorState?.lists ?? []) {
      const kind = name === SOURCE_SPLITS_STATE ? "source split positions" : distribution === "union" ? "union list" : "operator list";
      tally.add(name, kind, elements.length, sizeOf(elements, from));
    }
    for (const [name, entries] of content.operatorState?.broadcast ?? []) {
      tally.add(name, "broadcast", 0, sizeOf(entries, from));
      broadcastEntries.set(name, Math.max(broadcastEntries.get(name) ?? 0, entries.length));
    }
    if (content.state !== undefined) tally.add("snapshotState", OWN_STATE_KIND[operator.role ?? "operator"], 1, sizeOf(content.state, from));
  }
  for (const [name, entries] of broadcastEntries) tally.setEntries(name, "broadcast", entries);
  return { uid: operator.uid, name: operator.name, parallelism: operator.parallelism, maxParallelism: operator.maxParallelism, files, bytes, inline, inlineBytes, states: tally.result() };
}

/** The summary as text for a terminal; ends with a newline. */
export function formatSavepointSummary(summary: SavepointSummary): string {
  const lines = [
    `${summary.type} ${summary.path}`,
    `  job             ${summary.jobId}${summary.jobName === undefined ? "" : ` (${summary.jobName})`}`,
    `  format version  ${summary.formatVersion}`,
    `  checkpoint      ${summary.checkpointId}`,
    `  completed       ${summary.timestamp}`,
  ];
  for (const o of summary.operators) {
    lines.push("");
    const name = o.name === undefined || o.name === o.uid ? "" : ` (${o.name})`;
    const inline = o.inline === 0 ? "" : `; ${o.inline} subtask state${o.inline === 1 ? "" : "s"} inline in _metadata, ${formatBytes(o.inlineBytes)}`;
    lines.push(`operator '${o.uid}'${name}: parallelism ${o.parallelism}, max parallelism ${o.maxParallelism}, ${o.files} file${o.files === 1 ? "" : "s"}, ${formatBytes(o.bytes)}${inline}`);
    if (o.states.length === 0) {
      lines.push("  no state");
      continue;
    }
    const rows = o.states.map((s) => [s.name, s.namespaced === true ? `${s.kind} (namespaced)` : s.kind, String(s.entries), String(s.bytes)]);
    lines.push(...formatTable(["STATE", "KIND", "ENTRIES", "BYTES"], rows, new Set([2, 3])).map((l) => `  ${l}`));
  }
  return `${lines.join("\n")}\n`;
}
