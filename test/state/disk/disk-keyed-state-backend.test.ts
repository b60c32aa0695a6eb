import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { WeirError } from "../../../src/core/errors.ts";
import { ChangelogChain } from "../../../src/state/changelog-chain.ts";
import { ListStateDescriptor, ValueStateDescriptor } from "../../../src/state/descriptors.ts";
import { DiskKeyedStateBackend } from "../../../src/state/disk/disk-keyed-state-backend.ts";
import { HeapKeyedStateBackend } from "../../../src/state/heap/heap-keyed-state-backend.ts";
import type { KeyedStateSnapshot } from "../../../src/state/keyed-state-snapshot.ts";
import { writeAll } from "../keyed-state-snapshot-conformance.ts";

const FULL = { keyGroupRange: { start: 0, end: 127 }, maxParallelism: 128 };

describe("disk keyed state backend", () => {
  it("keeps its store in a directory of its own under the local directory, which dispose removes", () => {
    const parent = mkdtempSync(join(tmpdir(), "weir-disk-test-"));
    try {
      const backend = new DiskKeyedStateBackend({ ...FULL, localDirectory: parent });
      assert.equal(dirname(backend.directory), parent);
      const count = backend.getState(new ValueStateDescriptor<number>("count"));
      backend.setCurrentKey("a");
      count.update(1);
      assert.ok(readdirSync(backend.directory).length > 0);
      backend.dispose();
      backend.dispose();
      assert.equal(existsSync(backend.directory), false);
      assert.throws(() => count.value(), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_INTERNAL" && /disposed/.test(e.message));
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it("holds more keys than its overlay of pending writes, each read back as written, before and after a snapshot", () => {
    const backend = new DiskKeyedStateBackend(FULL);
    try {
      const count = backend.getState(new ValueStateDescriptor<number>("count"));
      const seen = backend.getState(new ListStateDescriptor<string>("seen"));
      const keys = 20_000;
      for (let k = 0; k < keys; k++) {
        backend.setCurrentKey(k);
        count.update(k * 2);
        seen.add(`k${k}`);
      }
      assert.equal(backend.numKeys("count"), keys);
      const bytes = writeAll(backend.snapshot());
      const onHeap = new HeapKeyedStateBackend(FULL);
      onHeap.restore([bytes]);
      for (const k of [0, 1, 8191, 8192, 8193, keys - 1]) {
        backend.setCurrentKey(k);
        onHeap.setCurrentKey(k);
        assert.equal(count.value(), k * 2);
        assert.deepEqual(seen.get(), [`k${k}`]);
        assert.equal(onHeap.getState(new ValueStateDescriptor<number>("count")).value(), k * 2);
      }
      assert.equal(onHeap.numKeys("count"), keys);
    } finally {
      backend.dispose();
    }
  });

  it("a value changed in place is the state's only once written back", () => {
    const backend = new DiskKeyedStateBackend(FULL);
    try {
      const profile = backend.getState(new ValueStateDescriptor<{ visits: number }>("profile"));
      backend.setCurrentKey("u1");
      profile.update({ visits: 1 });
      profile.value()!.visits++;
      assert.deepEqual(profile.value(), { visits: 1 });
      const taken = profile.value()!;
      taken.visits++;
      profile.update(taken);
      taken.visits = 100;
      assert.deepEqual(profile.value(), { visits: 2 });
    } finally {
      backend.dispose();
    }
  });

  it("migrates state a heap backend wrote at version 1 when asked for at version 2, and its next snapshot restores on the heap at version 2", () => {
    const heap = new HeapKeyedStateBackend(FULL);
    heap.setCurrentKey("k");
    heap.getState(new ValueStateDescriptor<{ count: number }>("count")).update({ count: 1 });
    const disk = new DiskKeyedStateBackend(FULL);
    try {
      disk.restore([writeAll(heap.snapshot())]);
      const v2 = { version: 2, migrate: (old: unknown) => ({ ...(old as { count: number }), since: 7 }) };
      const count = disk.getState(new ValueStateDescriptor<{ count: number; since: number }>("count", v2));
      disk.setCurrentKey("k");
      assert.deepEqual(count.value(), { count: 1, since: 7 });
      const again = new HeapKeyedStateBackend(FULL);
      again.restore([writeAll(disk.snapshot())]);
      again.setCurrentKey("k");
      const never = { version: 2, migrate: () => assert.fail("state of version 2 was migrated again") };
      assert.deepEqual(again.getState(new ValueStateDescriptor<{ count: number; since: number }>("count", never)).value(), { count: 1, since: 7 });
    } finally {
      disk.dispose();
    }
  });

  it("holds more changes snapshots at once than LMDB has read slots (126), each giving its keys as they were when it was taken", () => {
    const disk = new DiskKeyedStateBackend({ ...FULL, changelog: true });
    try {
      const count = disk.getState(new ValueStateDescriptor<number>("count"));
      const profile = disk.getState(new ValueStateDescriptor<{ n: number }>("profile"));
      disk.setCurrentKey(0);
      count.update(0);
      const base = writeAll(disk.snapshot());
      const pending: KeyedStateSnapshot[] = [];
      /** Per snapshot, the state as it was taken: key -> [count, profile]. */
      const expected: Map<number, [number | undefined, { n: number } | undefined]>[] = [];
      const now = new Map<number, [number | undefined, { n: number } | undefined]>([[0, [0, undefined]]]);
      for (let i = 1; i <= 200; i++) {
        const key = i % 7;
        disk.setCurrentKey(key);
        const written = { n: i };
        profile.update(written);
        written.n = -1; // changed in place after it was written: not the state's
        if (i % 5 === 0) count.clear();
        else count.update(i * 1.5);
        now.set(key, [i % 5 === 0 ? undefined : i * 1.5, { n: i }]);
        pending.push(disk.snapshotChanges()!);
        expected.push(new Map(now));
      }
      const files = pending.map((snapshot) => writeAll(snapshot));
      for (const upTo of [1, 127, 200]) {
        const heap = new HeapKeyedStateBackend(FULL);
        heap.restore([base, ...files.slice(0, upTo)]);
        for (const [key, [c, p]] of expected[upTo - 1]!) {
          heap.setCurrentKey(key);
          assert.equal(heap.getState(new ValueStateDescriptor<number>("count")).value(), c, `count of ${key} after ${upTo} changes`);
          assert.deepEqual(heap.getState(new ValueStateDescriptor<{ n: number }>("profile")).value(), p, `profile of ${key} after ${upTo} changes`);
        }
      }
    } finally {
      disk.dispose();
    }
  });

  it("holds more full snapshots at once than LMDB's default of 126 read slots, each restoring the state as it was taken", () => {
    const disk = new DiskKeyedStateBackend(FULL);
    try {
      const count = disk.getState(new ValueStateDescriptor<number>("count"));
      const pending: KeyedStateSnapshot[] = [];
      for (let i = 1; i <= 200; i++) {
        disk.setCurrentKey(i % 3);
        count.update(i);
        pending.push(disk.snapshot());
      }
      const files = pending.map((snapshot) => writeAll(snapshot));
      for (const at of [1, 150, 200]) {
        const heap = new HeapKeyedStateBackend(FULL);
        heap.restore([files[at - 1]!]);
        heap.setCurrentKey(at % 3);
        assert.equal(heap.getState(new ValueStateDescriptor<number>("count")).value(), at);
      }
    } finally {
      disk.dispose();
    }
  });

  it("materialises a base once the changes outweigh half of it, or after 600 changes, not after the default 30 small ones", () => {
    const disk = new DiskKeyedStateBackend({ ...FULL, changelog: true });
    try {
      const chain = new ChangelogChain<string>(disk.materializationPolicy);
      const base = 1_000_000;
      let id = 1;
      assert.equal(chain.plan(id, true).kind, "full");
      chain.started(id, "base", base);
      /** The next checkpoint, of changes weighing `bytes`: whether it asks for a base. */
      const next = (bytes: number): boolean => {
        const step = chain.plan(++id, true);
        assert.equal(step.kind, "changes");
        chain.appended(id, `changes-${id}`, bytes);
        return step.kind === "changes" && step.materialize;
      };
      // A fill's checkpoints: small changes (1% of the base each), 40 of them.
      for (let i = 0; i < 40; i++) assert.equal(next(base / 100), false, `checkpoint ${id} asks for no base`);
      // 40% of the base so far; 10% more makes half, which a checkpoint after it still writes as changes only.
      assert.equal(next(base / 10), false);
      assert.equal(next(base / 100), false, "the changes weigh half the base");
      assert.equal(next(base / 100), true, "the changes outweigh half the base");

      const byCount = new ChangelogChain<string>(disk.materializationPolicy);
      byCount.plan(1, true);
      byCount.started(1, "base", base);
      let asked = 0;
      for (let c = 2; asked === 0; c++) {
        const step = byCount.plan(c, true);
        if (step.kind === "changes" && step.materialize) asked = c;
        byCount.appended(c, `changes-${c}`, 1);
      }
      assert.equal(asked, 601, "the 600th change after the base asks for a new one");
    } finally {
      disk.dispose();
    }
  });
});
