import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
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
