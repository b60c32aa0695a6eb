/**
 * Writing a savepoint offline (Flink's State Processor API, `SavepointWriter`): a new one
 * bootstrapped from data, or an existing savepoint (or retained checkpoint) rewritten with
 * operators removed, their state replaced, or some of their states changed (the others, window
 * contents and pending timers included, kept). `weir run <job> --from <dir>` then restores it like
 * any savepoint, matching operators by uid.
 *
 *   await SavepointWriter.newSavepoint({ maxParallelism: 128 })
 *     .withOperator("count-per-key", { parallelism: 2, keyedState: { count: { kind: "value", entries: [[0, 41], [1, 7]] } } })
 *     .write("./bootstrapped");
 *
 * The result is a canonical savepoint directory: its state files are made as a running job's tasks
 * make theirs (operator-bootstrap.ts), kept operators' files are copied byte for byte after their
 * checksums are checked, and it is completed by the storage's own `writeSavepoint` (every file
 * copied in, `_metadata` written last, atomically), so nothing is half-written if it fails.
 * `write(dir)` makes `dir` the savepoint: a directory that exists and is not empty is refused
 * with WEIR_ERR_CHECKPOINT_EXISTS.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { checkpointId } from "../checkpoint/storage/checkpoint-id.ts";
import { CHECKPOINT_FORMAT_VERSION, type CheckpointMetadata, type JsonValue, type OperatorStateMetadata } from "../checkpoint/storage/checkpoint-metadata.ts";
import { CheckpointExistsError } from "../checkpoint/storage/checkpoint-storage-errors.ts";
import { DiskVolume } from "../checkpoint/storage/disk-volume.ts";
import { VolumeCheckpointStorage } from "../checkpoint/storage/volume-checkpoint-storage.ts";
import { DEFAULT_MAX_PARALLELISM, checkMaxParallelism } from "../core/key-groups.ts";
import { invalidArgument, WeirError } from "../core/errors.ts";
import { OPERATOR_DESCRIPTIONS_PROPERTY } from "../runtime/master/checkpoint-metadata-builder.ts";
import { SAVEPOINT_PROPERTY } from "../runtime/master/decision-executor.ts";
import { ENUMERATORS_PROPERTY } from "../runtime/master/source-coordinator.ts";
import { bootstrapOperator, type ExistingSubtask, type OperatorStateData } from "./operator-bootstrap.ts";
import { readSavepoint, type ExistingSavepoint } from "./savepoint-reader.ts";

/** The job fingerprint of a savepoint written from data: no job graph wrote it, so `--from latest` never picks it. */
const BOOTSTRAP_FINGERPRINT = "state-processor";

export interface NewSavepointOptions {
  /** The key groups of the operators bootstrapped; a job may restore them with another. Default 128. */
  readonly maxParallelism?: number;
}

export class SavepointWriter {
  private readonly removed = new Set<string>();
  private readonly added = new Map<string, OperatorStateData>();
  private readonly changed = new Map<string, OperatorStateData>();
  private readonly base: CheckpointMetadata | undefined;

  private constructor(
    private readonly existing: ExistingSavepoint | undefined,
    private readonly maxParallelism: number,
  ) {
    this.base = existing?.metadata;
  }

  /** A savepoint with no operators yet. */
  static newSavepoint(options: NewSavepointOptions = {}): SavepointWriter {
    const maxParallelism = options.maxParallelism ?? DEFAULT_MAX_PARALLELISM;
    checkMaxParallelism(maxParallelism);
    return new SavepointWriter(undefined, maxParallelism);
  }

  /**
   * The savepoint or retained checkpoint at `path`, to rewrite; it is not changed. Operators
   * bootstrapped into it get `maxParallelism`, or that of its first operator.
   */
  static async fromExistingSavepoint(path: string, options: NewSavepointOptions = {}): Promise<SavepointWriter> {
    const existing = await readSavepoint(path);
    const maxParallelism = options.maxParallelism ?? existing.metadata.operators[0]?.maxParallelism ?? DEFAULT_MAX_PARALLELISM;
    checkMaxParallelism(maxParallelism);
    return new SavepointWriter(existing, maxParallelism);
  }

  /** Writes operator `uid` with `data`, replacing any state the savepoint held for it. */
  withOperator(uid: string, data: OperatorStateData): this {
    if (typeof uid !== "string" || uid === "") throw invalidArgument(`an operator uid is a non-empty string, got ${JSON.stringify(uid)}`);
    this.added.set(uid, data);
    this.changed.delete(uid);
    return this;
  }

  /**
   * Changes some states of operator `uid` of the savepoint being rewritten, at its parallelism and
   * max parallelism: each state `data` names replaces the state of that name, and `data.bootstrap`
   * runs over the state as the savepoint holds it, adding timers to those pending. Every other
   * state, window contents and pending timers included, is kept.
   */
  changeOperator(uid: string, data: OperatorStateData): this {
    if (this.base?.operators.some((o) => o.operatorId === uid) !== true) {
      throw new WeirError("WEIR_ERR_UID_MISMATCH", `the savepoint holds no operator '${uid}' to change; its operators are ${this.base?.operators.map((o) => `'${o.operatorId}'`).join(", ") || "none"}`);
    }
    this.changed.set(uid, data);
    this.added.delete(uid);
    this.removed.delete(uid);
    return this;
  }

  /** Leaves operator `uid`'s state out: a job without that operator then restores without --allow-non-restored-state. */
  removeOperator(uid: string): this {
    if (this.base !== undefined && !this.base.operators.some((o) => o.operatorId === uid) && !this.added.has(uid)) {
      throw new WeirError("WEIR_ERR_UID_MISMATCH", `the savepoint holds no operator '${uid}' to remove; its operators are ${this.base.operators.map((o) => `'${o.operatorId}'`).join(", ") || "none"}`);
    }
    this.removed.add(uid);
    this.added.delete(uid);
    this.changed.delete(uid);
    return this;
  }

  /** Writes the savepoint into `dir`, which must not exist or be empty; resolves to its absolute path. */
  async write(dir: string): Promise<string> {
    const target = resolve(dir);
    const existing = await readdir(target).catch(() => undefined);
    if (existing !== undefined && existing.length > 0) {
      throw new CheckpointExistsError(target, `cannot write a savepoint into ${target}: the directory is not empty`);
    }
    await mkdir(dirname(target), { recursive: true });
    const work = await mkdtemp(join(dirname(target), ".weir-savepoint-writer-"));
    try {
      const jobId = this.base?.jobId ?? `bootstrap-${randomBytes(6).toString("hex")}`;
      const storage = new VolumeCheckpointStorage({ volume: new DiskVolume(), root: work, jobId });
      const id = this.base?.checkpointId ?? checkpointId(1);
      const written = new Map<string, OperatorStateMetadata>();
      const writes = [
        ...[...this.added].map(([uid, data]) => ({ uid, data, maxParallelism: this.maxParallelism, existing: undefined })),
        ...[...this.changed].map(([uid, data]) => ({ uid, data, maxParallelism: this.base!.operators.find((o) => o.operatorId === uid)!.maxParallelism, existing: uid })),
      ];
      for (const { uid, data, maxParallelism, existing } of writes) {
        const subtasks = await bootstrapOperator(uid, data, maxParallelism, existing === undefined ? undefined : await this.existingSubtasks(existing));
        const states = [];
        for (const s of subtasks) {
          const handle = await storage.writeState(id, { operatorId: uid, subtask: s.subtask }, s.bytes);
          states.push({ subtask: s.subtask, state: [handle], ...(s.keyGroupRange === undefined ? {} : { keyGroupRange: s.keyGroupRange }) });
        }
        written.set(uid, { operatorId: uid, parallelism: subtasks.length, maxParallelism, subtasks: states });
      }
      const now = Date.now();
      const metadata: CheckpointMetadata = {
        formatVersion: CHECKPOINT_FORMAT_VERSION,
        jobId,
        checkpointId: id,
        triggeredAt: Math.min(now, this.base?.triggeredAt ?? now),
        completedAt: now,
        jobFingerprint: this.base?.jobFingerprint ?? BOOTSTRAP_FINGERPRINT,
        // A changed operator keeps its place; added ones come last.
        operators: [...(this.base?.operators ?? []).filter((o) => !this.replaced(o.operatorId)).map((o) => written.get(o.operatorId) ?? o), ...[...this.added.keys()].map((uid) => written.get(uid)!)],
        properties: this.properties(),
      };
      const made = await storage.writeSavepoint(metadata, work);
      await rm(target, { recursive: true, force: true });
      await rename(made, target);
      return target;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** Whether the base's operator is left out, or its state replaced whole (a changed one keeps its description and enumerator). */
  private replaced(operatorId: string): boolean {
    return this.removed.has(operatorId) || this.added.has(operatorId);
  }

  /** Every subtask of the savepoint's operator `uid`, in order, with its files decoded. */
  private async existingSubtasks(uid: string): Promise<ExistingSubtask[]> {
    const operator = this.existing!.operator(uid);
    const subtasks: ExistingSubtask[] = Array.from({ length: operator.parallelism }, (_, subtask) => ({ subtask, contents: [] }));
    for await (const { subtask, content } of operator.contents()) (subtasks[subtask]!.contents as unknown[]).push(content);
    return subtasks;
  }

  /** The base's properties without what belonged to replaced operators, marked as a savepoint. */
  private properties(): { [key: string]: JsonValue } {
    const properties: { [key: string]: JsonValue } = { ...this.base?.properties, [SAVEPOINT_PROPERTY]: "savepoint" };
    for (const name of [ENUMERATORS_PROPERTY, OPERATOR_DESCRIPTIONS_PROPERTY]) {
      const byOperator = properties[name] as { readonly [operatorId: string]: JsonValue } | undefined;
      if (byOperator === undefined) continue;
      properties[name] = Object.fromEntries(Object.entries(byOperator).filter(([operatorId]) => !this.replaced(operatorId)));
    }
    return properties;
  }
}
