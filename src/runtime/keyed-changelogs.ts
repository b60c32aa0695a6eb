/**
 * A task's incremental checkpoints of keyed state (FLIP-158): one ChangelogChain per keyed
 * operator of the task. At a checkpoint's synchronous phase `snapshot` asks the chain what to
 * write, takes the backend's changes (or a full snapshot that starts a new chain) and, when the
 * chain asks for it, a full snapshot that is written in the background as the next base
 * (materialisation). In the asynchronous phase `persist` writes the file to the job's `shared/`
 * directory and answers with the files the checkpoint references, base first.
 *
 * Contract: checkpoints of one task persist in checkpoint order (`inOrder` runs the asynchronous
 * phases one after another), so that each references the chain as of its own synchronous phase;
 * a checkpoint whose file is not written calls `lost`, which makes the next one start a new chain.
 * Materialisations are aborted by `stop`, which the task awaits before its backends go.
 *
 * A materialisation writes the whole state, a checkpoint only what changed: so that the former
 * never holds up the latter, a materialisation takes its steps (a key group each) only while no
 * checkpoint's asynchronous phase is under way, and a checkpoint waits for one step at most. A
 * materialisation may so span several checkpoints; the chain keeps each of them on the base it
 * was planned on (see ChangelogChain.materialized). The base's checksum is computed in such steps
 * too: at once, hashing a large base held up the task as long as a checkpoint takes.
 */
import type { StateHandle } from "../checkpoint/storage/checkpoint-metadata.ts";
import { checksumSteps } from "../checkpoint/storage/checksum.ts";
import { ChangelogChain, type ChainStep } from "../state/changelog-chain.ts";
import type { KeyedStateBackend } from "../state/keyed-state-backend.ts";
import type { KeyedStateSnapshot } from "../state/keyed-state-snapshot.ts";

/** Writes one file to the job's `shared/` directory; `checksum`, when given, is the bytes' checksum, computed already. */
export type WriteShared = (bytes: Uint8Array, checksum?: string) => Promise<StateHandle>;

/** What an operator's keyed state contributes to one checkpoint of an incremental chain. */
export interface ChainLink {
  readonly checkpointId: number;
  readonly step: ChainStep["kind"];
  readonly chain: ChangelogChain<StateHandle>;
}

export class KeyedChangelogs {
  private readonly chains = new Map<string, ChangelogChain<StateHandle>>();
  private readonly materializations = new Set<{ readonly abort: AbortController; readonly done: Promise<void> }>();
  private tail: Promise<unknown> = Promise.resolve();
  /** Asynchronous phases started by `inOrder` and not ended. */
  private phases = 0;

  constructor(
    /** Between two steps of writing a snapshot: lets the task run. */
    private readonly pause: () => Promise<void>,
    /** A snapshot's bytes as the file holds them. */
    private readonly encode: (keyed: Uint8Array) => Uint8Array,
  ) {}

  /**
   * The synchronous phase for one operator: the snapshot to write now (the changes since the
   * previous checkpoint, or a full one) and its place in the chain. A materialisation the chain
   * asks for is started with `writeShared`.
   */
  snapshot(operatorId: string, backend: KeyedStateBackend, checkpointId: number, writeShared: WriteShared): { keyed: KeyedStateSnapshot; link: ChainLink } {
    let chain = this.chains.get(operatorId);
    if (chain === undefined) this.chains.set(operatorId, (chain = new ChangelogChain(backend.materializationPolicy)));
    const changes = backend.snapshotChanges!();
    const step = chain.plan(checkpointId, changes !== undefined);
    if (step.kind === "full") {
      changes?.release();
      return { keyed: backend.snapshot(), link: { checkpointId, step: "full", chain } };
    }
    if (step.materialize) this.materialize(chain, checkpointId, backend.snapshot(), writeShared);
    return { keyed: changes!, link: { checkpointId, step: "changes", chain } };
  }

  /** Writes the link's bytes to `shared/`; resolves to the files the checkpoint references (in restore order) and the bytes written. */
  async persist(link: ChainLink, keyed: Uint8Array, writeShared: WriteShared): Promise<{ references: StateHandle[]; bytes: number }> {
    const handle = await writeShared(this.encode(keyed));
    if (link.step === "full") link.chain.started(link.checkpointId, handle, handle.bytes);
    else link.chain.appended(link.checkpointId, handle, handle.bytes);
    // Without this link when a base materialised at this checkpoint or later holds it already.
    const references = link.chain.references();
    if (references.length === 0) throw new Error(`the changelog of checkpoint ${link.checkpointId} continues no chain`);
    return { references, bytes: handle.bytes };
  }

  /** The link's file was not written: its chain starts anew at the next checkpoint. */
  lost(link: ChainLink): void {
    link.chain.broken(link.checkpointId);
  }

  /** Runs `phase` after every phase started before it has ended. */
  inOrder(phase: () => Promise<void>): Promise<void> {
    this.phases++;
    const done = this.tail.then(phase, phase).finally(() => this.phases--);
    this.tail = done.catch(() => {});
    return done;
  }

  /**
   * Resolves once the phases under way now have ended (at once when none is), or on `abort`:
   * phases started later do not hold it, so a materialisation that waits here before each step still advances
   * by a step per checkpoint when phases follow one another without a gap.
   */
  private async afterPhases(abort: AbortSignal): Promise<void> {
    if (this.phases === 0 || abort.aborted) return;
    let stop = (): void => {};
    const aborted = new Promise<void>((resolve) => abort.addEventListener("abort", (stop = () => resolve())));
    await Promise.race([this.tail, aborted]);
    abort.removeEventListener("abort", stop);
  }

  /** Aborts the materialisations under way and waits for them; their snapshots are released. */
  async stop(): Promise<void> {
    for (const m of this.materializations) m.abort.abort();
    await Promise.allSettled([...this.materializations].map((m) => m.done));
  }

  /** Runs `steps` to their end, each after a pause and while no checkpoint's phase is under way; undefined when aborted first. */
  private async betweenPhases<T>(steps: Generator<void, T, void>, abort: AbortSignal): Promise<T | undefined> {
    while (!abort.aborted) {
      // After the pause: the checkpoint that started a materialisation starts its own phase first.
      await this.pause();
      await this.afterPhases(abort);
      if (abort.aborted) break;
      const step = steps.next();
      if (step.done) return step.value;
    }
    return undefined;
  }

  private materialize(chain: ChangelogChain<StateHandle>, checkpointId: number, snapshot: KeyedStateSnapshot, writeShared: WriteShared): void {
    const abort = new AbortController();
    const run = async (): Promise<void> => {
      let written: Uint8Array | undefined;
      try {
        written = await this.betweenPhases(snapshot.write(), abort.signal);
      } finally {
        snapshot.release();
      }
      if (written === undefined) return chain.materialized(checkpointId);
      const bytes = this.encode(written);
      const checksum = await this.betweenPhases(checksumSteps(bytes), abort.signal);
      if (checksum === undefined) return chain.materialized(checkpointId);
      await this.afterPhases(abort.signal);
      if (abort.signal.aborted) return chain.materialized(checkpointId);
      const handle = await writeShared(bytes, checksum);
      chain.materialized(checkpointId, handle, handle.bytes);
    };
    const entry = { abort, done: run().catch(() => chain.materialized(checkpointId)) };
    this.materializations.add(entry);
    void entry.done.finally(() => this.materializations.delete(entry));
  }
}
