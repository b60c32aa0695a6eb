import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { keyOfEntry, rangeEnd, rangeStart } from "../../../src/state/disk/disk-key.ts";
import { DiskStore, removeStoresOfEndedProcesses, storeOwner } from "../../../src/state/disk/disk-store.ts";

/** The id of a process that has ended. */
function endedPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid!;
}

function withParent(body: (parent: string) => void): void {
  const parent = mkdtempSync(join(tmpdir(), "weir-disk-store-test-"));
  try {
    body(parent);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

describe("disk store directories", () => {
  it("are named after the process that owns them", () => {
    withParent((parent) => {
      const store = new DiskStore(parent);
      try {
        assert.equal(storeOwner(basename(store.directory)), process.pid);
      } finally {
        store.close();
      }
    });
  });

  it("left by a process that ended are removed when the next store opens beside them", () => {
    withParent((parent) => {
      const killed = join(parent, `weir-disk-state-${endedPid()}-AbC123`);
      mkdirSync(killed);
      const store = new DiskStore(parent);
      try {
        assert.equal(existsSync(killed), false);
        assert.deepEqual(readdirSync(parent), [basename(store.directory)]);
      } finally {
        store.close();
      }
    });
  });

  it("of running processes, and other names, are kept", () => {
    withParent((parent) => {
      const names = ["weir-disk-state-4242-AbC123", "weir-disk-state-7-XyZ789", "weir-disk-state-AbC123", "notes"];
      for (const name of names) mkdirSync(join(parent, name));
      const removed = removeStoresOfEndedProcesses(parent, (pid) => pid === 4242);
      assert.deepEqual(removed, ["weir-disk-state-7-XyZ789"]);
      assert.deepEqual(readdirSync(parent).sort(), ["notes", "weir-disk-state-4242-AbC123", "weir-disk-state-AbC123"]);
    });
  });

  it("of this process are kept", () => {
    withParent((parent) => {
      const own = `weir-disk-state-${process.pid}-AbC123`;
      mkdirSync(join(parent, own));
      assert.deepEqual(removeStoresOfEndedProcesses(parent, () => false), []);
      assert.deepEqual(readdirSync(parent), [own]);
    });
  });
});

describe("disk store reads", () => {
  it("give a value read from the store as exactly its bytes, so that copying it copies them and not LMDB's shared read buffer", () => {
    withParent((parent) => {
      const store = new DiskStore(parent);
      try {
        store.put(2, 7, 1.5, Buffer.from([1, 2, 3]));
        store.flush();
        const read = store.get(2, 7, 1.5)!;
        assert.equal(read.byteLength, 3);
        assert.deepEqual([...new Uint8Array(read)], [1, 2, 3]);
        assert.deepEqual([...Buffer.from(read)], [1, 2, 3]);
      } finally {
        store.close();
      }
    });
  });

  it("see pending writes and removals before they reach the store, and each entry under its own key group, state and key", () => {
    withParent((parent) => {
      const store = new DiskStore(parent);
      try {
        const keys = [0, -0, 1, "1", 1n, "", null, undefined, true, false, "a\ud800"] as const;
        keys.forEach((key, i) => store.put(3, 1, key, Buffer.from([i])));
        store.put(3, 2, 1, Buffer.from([100]));
        store.put(4, 1, 1, Buffer.from([101]));
        const seen = (): (number | undefined)[] => keys.map((key) => store.get(3, 1, key)?.[0]);
        // -0 is the entry of 0, written twice; every other key has its own.
        const expected = [1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert.deepEqual(seen(), expected);
        store.flush();
        assert.deepEqual(seen(), expected);
        store.remove(3, 1, 1);
        assert.equal(store.get(3, 1, 1), undefined);
        assert.equal(store.get(3, 2, 1)![0], 100);
        assert.equal(store.get(4, 1, 1)![0], 101);
        store.flush();
        assert.equal(store.get(3, 1, 1), undefined);
        assert.equal(store.count(rangeStart(3, 1), rangeEnd(3, 1)), 9);
      } finally {
        store.close();
      }
    });
  });

  it("through a view see each key as it was when the view was taken, and no key that only begins with it", () => {
    withParent((parent) => {
      const store = new DiskStore(parent);
      try {
        store.put(2, 7, "k", Buffer.from([1]));
        const view = store.view();
        try {
          store.put(2, 7, "k", Buffer.from([2]));
          store.put(2, 7, "k\0", Buffer.from([3]));
          store.put(2, 8, "k", Buffer.from([4]));
          store.flush();
          const viewed = [...view.range(rangeStart(2, 7), rangeEnd(2, 7))].map(({ key, value }) => [keyOfEntry(key), value.toString("hex")]);
          assert.deepEqual(viewed, [["k", "01"]]);
          assert.equal(store.get(2, 7, "k")!.toString("hex"), "02");
        } finally {
          view.done();
        }
      } finally {
        store.close();
      }
    });
  });
});
