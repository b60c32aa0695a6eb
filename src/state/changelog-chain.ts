/**
 * The chain behind one keyed backend's incremental checkpoints (FLIP-158): a full snapshot (the
 * base, "materialised" state) and the changes snapshots written after it, in checkpoint order. A
 * checkpoint references the whole chain; restoring it restores the base, then each change in order.
 *
 * Pure decisions over facts the task reports; the task writes the files. Contract:
 * - `plan` is called once per checkpoint, in checkpoint order, at its synchronous phase: it says
 *   whether to write the changes (and, per the policy, to materialise a new base in the
 *   background from a full snapshot taken at the same moment) or a full snapshot that starts a
 *   new chain (no chain yet, the backend lost track of its changes, or a link went missing).
 * - `appended` / `started` record the file a checkpoint wrote, before `references` is asked for
 *   it; a checkpoint whose file was not written (aborted, failed) calls `broken`: its changes are
 *   lost, so the next checkpoint starts a new chain.
 * - `materialized(m, base)`: the background base, state as of checkpoint m, is written; once every
 *   checkpoint planned before m has written its file or lost it, later checkpoints reference it
 *   and the changes after m only (an older checkpoint must not reference the state of a later
 *   one). A base of an older chain is ignored.
 * Handles are opaque (`H`): state handles in the runtime, bytes in tests.
 */

/** When a new base is materialised: after this many changes, or once they outweigh the base by this ratio. */
export interface MaterializationPolicy {
  /** Changes since the base after which a new base is materialised; at least 1. */
  readonly maxChanges: number;
  /** Bytes of the changes since the base, as a fraction of the base's, above which a new base is materialised. */
  readonly maxChangesRatio: number;
}

/** Flink materialises every 10 minutes by default; by count and size, this keeps restores short at any interval. */
export const DEFAULT_MATERIALIZATION_POLICY: MaterializationPolicy = { maxChanges: 30, maxChangesRatio: 0.5 };

/** What a checkpoint writes for a keyed backend. */
export type ChainStep =
  /** A full snapshot, the base of a new chain. */
  | { readonly kind: "full" }
  /** The changes since the previous checkpoint; with `materialize`, also a full snapshot to write in the background as the next base. */
  | { readonly kind: "changes"; readonly materialize: boolean };

interface Link<H> {
  readonly checkpointId: number;
  readonly handle: H;
  readonly bytes: number;
}

/** A written base that waits for the checkpoints planned before it. */
interface WaitingBase<H> extends Link<H> {
  readonly generation: number;
}

export class ChangelogChain<H> {
  private base: Link<H> | undefined;
  private changes: Link<H>[] = [];
  /** The checkpoint a background materialisation was taken at, while it runs. */
  private materializing: number | undefined;
  /** Bumped by each new chain: a materialisation of an older one is ignored. */
  private generation = 0;
  private materializingGeneration = -1;
  /** Checkpoints planned whose file is neither written nor lost yet. */
  private readonly unsettled = new Set<number>();
  private waiting: WaitingBase<H> | undefined;

  constructor(private readonly policy: MaterializationPolicy = DEFAULT_MATERIALIZATION_POLICY) {}

  /** What checkpoint `checkpointId` writes; `changesAvailable` is false when the backend gave no changes snapshot. */
  plan(checkpointId: number, changesAvailable: boolean): ChainStep {
    this.installWaiting();
    this.unsettled.add(checkpointId);
    if (this.base === undefined || !changesAvailable) {
      this.base = undefined;
      this.changes = [];
      this.generation++;
      return { kind: "full" };
    }
    const changed = this.changes.reduce((sum, c) => sum + c.bytes, 0);
    const due = this.changes.length + 1 >= this.policy.maxChanges || changed > this.base.bytes * this.policy.maxChangesRatio;
    const materialize = due && this.materializing === undefined;
    if (materialize) {
      this.materializing = checkpointId;
      this.materializingGeneration = this.generation;
    }
    return { kind: "changes", materialize };
  }

  /** Checkpoint `checkpointId` wrote the full snapshot `plan` asked for: the base of a new chain. */
  started(checkpointId: number, handle: H, bytes: number): void {
    this.installWaiting();
    this.unsettled.delete(checkpointId);
    this.base = { checkpointId, handle, bytes };
    this.changes = [];
  }

  /** Checkpoint `checkpointId` wrote its changes. */
  appended(checkpointId: number, handle: H, bytes: number): void {
    this.installWaiting();
    this.unsettled.delete(checkpointId);
    // Changes a newer base already holds (it was materialised at this checkpoint or later) are not needed.
    if (this.base !== undefined && checkpointId > this.base.checkpointId) this.changes.push({ checkpointId, handle, bytes });
  }

  /** Checkpoint `checkpointId`'s file was not written: the chain cannot go on. */
  broken(checkpointId: number): void {
    this.installWaiting();
    this.unsettled.delete(checkpointId);
    this.base = undefined;
    this.changes = [];
    this.generation++;
  }

  /** The background base taken at checkpoint `checkpointId` is written (or, with no handle, failed). */
  materialized(checkpointId: number, handle?: H, bytes = 0): void {
    if (this.materializing !== checkpointId || this.waiting !== undefined) return;
    if (handle === undefined) {
      this.materializing = undefined;
      return;
    }
    this.waiting = { checkpointId, handle, bytes, generation: this.materializingGeneration };
    this.installWaiting();
  }

  /**
   * Makes the waiting base the chain's once no checkpoint planned before it is unsettled. Called
   * before each event, not after: a checkpoint settled by `appended` still takes its references
   * from the chain it was planned in.
   */
  private installWaiting(): void {
    const base = this.waiting;
    if (base === undefined) return;
    for (const id of this.unsettled) if (id < base.checkpointId) return;
    this.waiting = undefined;
    this.materializing = undefined;
    if (base.generation !== this.generation || this.base === undefined) return;
    this.base = { checkpointId: base.checkpointId, handle: base.handle, bytes: base.bytes };
    this.changes = this.changes.filter((c) => c.checkpointId > base.checkpointId);
  }

  /** Whether a background materialisation runs. */
  get isMaterializing(): boolean {
    return this.materializing !== undefined;
  }

  /** The files the newest checkpoint references, in restore order: the base, then the changes. */
  references(): H[] {
    return this.base === undefined ? [] : [this.base.handle, ...this.changes.map((c) => c.handle)];
  }
}
