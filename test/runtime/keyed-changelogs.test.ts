import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { StateHandle } from "../../src/checkpoint/storage/checkpoint-metadata.ts";
import { checksumOf } from "../../src/checkpoint/storage/checksum.ts";
import { KeyedChangelogs, type ChainLink } from "../../src/runtime/keyed-changelogs.ts";
import type { MaterializationPolicy } from "../../src/state/changelog-chain.ts";
import { ValueStateDescriptor } from "../../src/state/descriptors.ts";
import { HeapKeyedStateBackend } from "../../src/state/heap/heap-keyed-state-backend.ts";
import type { KeyedStateSnapshot } from "../../src/state/keyed-state-snapshot.ts";

const RANGE = { start: 0, end: 15 };
const counts = new ValueStateDescriptor<{ n: number }>("counts");

/** A task's keyed backend with its changelog, a shared/ directory in memory, and its checkpoints' references. */
function task(pause: () => Promise<void> = () => nextTurn(), materializationPolicy?: MaterializationPolicy) {
  const backend = materializationPolicy === undefined ? new HeapKeyedStateBackend({ keyGroupRange: RANGE, maxParallelism: 16, changelog: true }) : new (class extends HeapKeyedStateBackend {
    readonly materializationPolicy = materializationPolicy;
  })({ keyGroupRange: RANGE, maxParallelism: 16, changelog: true });
  const state = backend.getState(counts);
  const files = new Map<string, Uint8Array>();
  /** The checksums the writes were given, by path (absent: none given). */
  const checksums = new Map<string, string>();
  const writeShared = async (bytes: Uint8Array, checksum?: string): Promise<StateHandle> => {
    const path = `shared/${files.size}`;
    files.set(path, bytes);
    if (checksum !== undefined) checksums.set(path, checksum);
    await nextTurn();
    return { path, bytes: bytes.length, checksum: checksum ?? "" };
  };
  const changelogs = new KeyedChangelogs(pause, (keyed) => keyed);
  let chain: ChainLink["chain"] | undefined;
  /** Objects changed in place, as user code does. */
  const count = (key: string, by = 1): void => {
    backend.setCurrentKey(key);
    const value = state.value();
    if (value === undefined) state.update({ n: by });
    else {
      value.n += by;
      state.update(value);
    }
  };
  /** A checkpoint: its synchronous phase now, its asynchronous one in order, `during` each step of it; resolves to its references. */
  const checkpoint = (id: number, during: () => void = () => {}): Promise<StateHandle[]> => {
    const { keyed, link } = changelogs.snapshot("op", backend, id, writeShared);
    chain = link.chain;
    let references: StateHandle[] = [];
    return changelogs
      .inOrder(async () => {
        const bytes = await writeInSteps(keyed, during);
        references = (await changelogs.persist(link, bytes, writeShared)).references;
      })
      .then(() => references);
  };
  /** The state the references restore, key by key. */
  const restored = (references: readonly StateHandle[]): Record<string, number> => {
    const fresh = new HeapKeyedStateBackend({ keyGroupRange: RANGE, maxParallelism: 16 });
    fresh.restore(references.map((r) => files.get(r.path)!));
    return countsOf(fresh);
  };
  const live = (): Record<string, number> => countsOf(backend);
  /** Whether a base is being materialised. */
  const materializing = (): boolean => chain?.isMaterializing === true;
  return { changelogs, count, checkpoint, restored, live, materializing, files, checksums };
}

/** The counts of keys k0 .. k199 in `backend`. */
function countsOf(backend: HeapKeyedStateBackend): Record<string, number> {
  const state = backend.getState(counts);
  const out: Record<string, number> = {};
  for (let k = 0; k < 200; k++) {
    backend.setCurrentKey(`k${k}`);
    const v = state.value();
    if (v !== undefined) out[`k${k}`] = v.n;
  }
  return out;
}

async function writeInSteps(snapshot: KeyedStateSnapshot, during: () => void): Promise<Uint8Array> {
  const steps = snapshot.write();
  try {
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      during();
      await nextTurn();
    }
  } finally {
    snapshot.release();
  }
}

/** Fills 200 keys (the base of checkpoint 1), then changes all of them, so that checkpoint 3 materialises a base. */
async function upToMaterialisation(t: ReturnType<typeof task>): Promise<void> {
  for (let k = 0; k < 200; k++) t.count(`k${k}`);
  await t.checkpoint(1);
  for (let k = 0; k < 200; k++) t.count(`k${k}`);
  await t.checkpoint(2);
}

describe("KeyedChangelogs", () => {
  it("a checkpoint's asynchronous phase is not held up by a materialisation: the materialisation takes its steps between phases", async () => {
    const log: string[] = [];
    const t = task(async () => {
      log.push("materialisation step");
      await nextTurn();
    });
    await upToMaterialisation(t);
    // Enough changes for the checkpoint to write them in several steps.
    for (let k = 0; k < 20_000; k++) t.count(`x${k}`);
    log.length = 0;
    // Checkpoint 3 materialises a base (the changes outweigh it): its own phase goes first.
    await t.checkpoint(3, () => log.push("checkpoint step"));
    const ended = log.lastIndexOf("checkpoint step");
    assert.ok(ended > 0, "the checkpoint wrote in several steps");
    assert.deepEqual(
      log.slice(0, ended + 1).filter((e) => e === "materialisation step"),
      ["materialisation step"],
      `at most one materialisation step ran during the checkpoint's phase: ${log.join(", ")}`,
    );
  });

  it("a materialisation spread over several checkpoints leaves each of them restoring its own state, never a later base's", async () => {
    const t = task();
    await upToMaterialisation(t);
    const expected: Record<string, number>[] = [];
    const references: StateHandle[][] = [];
    // Checkpoint 3 starts a materialisation; 4 and 5 are taken while it runs, each changing keys in place as it is written.
    for (const id of [3, 4, 5, 6]) {
      if (id === 6) while (t.materializing()) await nextTurn();
      t.count(`k${id}`, 10);
      t.count("k199", 1);
      expected.push(t.live());
      references.push(await t.checkpoint(id, () => t.count(`k${id + 100}`, 1000)));
      if (id === 4 || id === 5) assert.ok(t.materializing(), `the materialisation still runs after checkpoint ${id}`);
    }
    assert.deepEqual(references[3]!.length, 4, "checkpoint 6 references the base of 3 and the changes of 4, 5 and 6");
    assert.deepEqual(references[2]!.length, 5, "checkpoint 5 references the base of 1 and the changes of 2 to 5");
    for (let i = 0; i < references.length; i++) assert.deepEqual(t.restored(references[i]!), expected[i], `checkpoint ${i + 3} restores its own state`);
  });

  it("a materialised base is written with its checksum, computed by the materialisation (in steps) rather than by the write", async () => {
    const t = task();
    await upToMaterialisation(t);
    const references = await t.checkpoint(3);
    while (t.materializing()) await nextTurn();
    const base = (await t.checkpoint(4))[0]!;
    assert.notEqual(base.path, references[0]!.path, "checkpoint 4 references the materialised base");
    assert.deepEqual([...t.checksums], [[base.path, checksumOf(t.files.get(base.path)!)]], "only the materialised base came with its checksum");
  });

  it("a chain materialises when its backend's own policy says so, not the default one", async () => {
    // By count: the third checkpoint is the second of changes, which this policy materialises at (the default waits for 30).
    const byCount = task(undefined, { maxChanges: 2, maxChangesRatio: 1000 });
    byCount.count("k1");
    await byCount.checkpoint(1);
    byCount.count("k1");
    await byCount.checkpoint(2);
    assert.equal(byCount.materializing(), false);
    byCount.count("k1");
    await byCount.checkpoint(3);
    assert.equal(byCount.materializing(), true, "the backend's policy asked for a base after 2 changes");
    // By weight: changes that outweigh the base, which the default materialises at, do not reach this policy's ratio.
    const byWeight = task(undefined, { maxChanges: 1000, maxChangesRatio: 10 });
    await upToMaterialisation(byWeight);
    await byWeight.checkpoint(3);
    assert.equal(byWeight.materializing(), false, "the backend's policy allows changes up to 10 times the base");
  });

  it("stopping ends a materialisation that waits for a checkpoint's phase, without waiting for that phase", async () => {
    const t = task();
    await upToMaterialisation(t);
    let release = (): void => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    // Checkpoint 3 starts a materialisation, and its own phase does not end until released.
    const written = t.checkpoint(3, () => {});
    void t.changelogs.inOrder(() => held);
    await nextTurn();
    assert.ok(t.materializing());
    let stopped = false;
    const stopping = t.changelogs.stop().then(() => (stopped = true));
    for (let i = 0; i < 20 && !stopped; i++) await nextTurn();
    assert.ok(stopped, "stop() returned while the phase still ran");
    assert.equal(t.materializing(), false, "the aborted materialisation left no base");
    release();
    await Promise.all([written, stopping]);
  });
});
