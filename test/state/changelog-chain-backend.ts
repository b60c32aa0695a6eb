/**
 * A keyed state backend whose snapshots are incremental chains, for running the conformance
 * suites with incremental checkpoints on: it wraps a backend created with the changelog option,
 * and each `snapshot()` is what a checkpoint of the task would write — the changes since the
 * previous one (or a full snapshot starting a chain), placed in a ChangelogChain that
 * materialises a new base every few snapshots, in the background (written at the next snapshot,
 * after the state changed further). The bytes a snapshot "writes" are a token for its chain:
 * restoring them restores the chain's snapshots in order, as the runtime restores a checkpoint's files.
 */
import { ChangelogChain } from "../../src/state/changelog-chain.ts";
import type { KeyedStateBackend, KeyedStateBackendOptions } from "../../src/state/keyed-state-backend.ts";
import type { KeyedStateSnapshot } from "../../src/state/keyed-state-snapshot.ts";

/** A chain file: a snapshot written when first needed, then kept as bytes. */
class Lazy {
  private readonly steps: Generator<void, Uint8Array, void>;
  private bytes: Uint8Array | undefined;

  constructor(private readonly snapshot: KeyedStateSnapshot) {
    this.steps = snapshot.write();
  }

  /** One step of writing; true when written. */
  step(): boolean {
    if (this.bytes !== undefined) return true;
    const next = this.steps.next();
    if (!next.done) return false;
    this.bytes = next.value;
    this.snapshot.release();
    return true;
  }

  written(): Uint8Array {
    while (!this.step());
    return this.bytes!;
  }
}

export function changelogChainBackend(create: (options: KeyedStateBackendOptions) => KeyedStateBackend): (options: KeyedStateBackendOptions) => KeyedStateBackend {
  /** Each snapshot's chain, by the bytes it wrote, for any backend of the factory to restore. */
  const chains = new WeakMap<Uint8Array, Lazy[]>();
  return (options) => {
    const inner = create({ ...options, changelog: true });
    const chain = new ChangelogChain<Lazy>({ maxChanges: 2, maxChangesRatio: Infinity });
    let checkpoints = 0;
    let materializing: { checkpointId: number; base: Lazy } | undefined;
    const snapshot = (): KeyedStateSnapshot => {
      if (materializing !== undefined) {
        materializing.base.written();
        chain.materialized(materializing.checkpointId, materializing.base);
        materializing = undefined;
      }
      const checkpointId = ++checkpoints;
      const changes = inner.snapshotChanges!();
      const step = chain.plan(checkpointId, changes !== undefined);
      let part: Lazy;
      if (step.kind === "full") {
        changes?.release();
        part = new Lazy(inner.snapshot());
        chain.started(checkpointId, part, 0);
      } else {
        part = new Lazy(changes!);
        if (step.materialize) materializing = { checkpointId, base: new Lazy(inner.snapshot()) };
        chain.appended(checkpointId, part, 0);
      }
      const token = new Uint8Array(16);
      chains.set(token, chain.references());
      return {
        *write() {
          while (!part.step()) yield;
          return token;
        },
        // The chain's later snapshots need this one's bytes: it is written before it lets go.
        release: () => void part.written(),
      };
    };
    const restore = (snapshots: Iterable<Uint8Array>, from?: readonly string[]): void => {
      const given = [...snapshots];
      const chained = given.some((bytes) => chains.has(bytes));
      inner.restore(given.flatMap((bytes) => chains.get(bytes)?.map((file) => file.written()) ?? [bytes]), chained ? undefined : from);
    };
    return new Proxy(inner, {
      get(target, property) {
        if (property === "snapshot") return snapshot;
        if (property === "restore") return restore;
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
}
