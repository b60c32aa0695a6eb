import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FaultPlanHooks, faultsEnvironment, InjectedFault, parseFaults } from "../../src/testing/fault-injection.ts";

function withDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "weir-faults-"));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("FaultPlanHooks", () => {
  it("fires a fault at its point's at-th passage, once", () => {
    withDir((dir) => {
      const hooks = new FaultPlanHooks([{ point: "snapshot-sync", at: 2, marker: join(dir, "f1") }]);
      assert.equal(hooks.pass("snapshot-sync"), false);
      assert.equal(hooks.pass("record"), false);
      assert.throws(() => hooks.pass("snapshot-sync"), InjectedFault);
      assert.equal(hooks.pass("snapshot-sync"), false);
    });
  });

  it("arms a fault that comes after another in the first attempt deployed after that one fired, and counts its passages from then", () => {
    withDir((dir) => {
      const first = join(dir, "f1");
      const hooks = new FaultPlanHooks([{ point: "before-commit", at: 1, marker: join(dir, "f2"), after: first }]);
      for (let i = 0; i < 3; i++) assert.equal(hooks.pass("before-commit"), false, "not armed before the first fault fired");
      writeFileSync(first, "");
      assert.equal(hooks.pass("before-commit"), false, "not armed in the attempt the first fault hit");
      hooks.deploying();
      assert.throws(() => hooks.pass("before-commit"), InjectedFault);
    });
  });

  it("drops the acknowledgement at a lose-ack fault instead of throwing", () => {
    withDir((dir) => {
      const hooks = new FaultPlanHooks([{ point: "lose-ack", at: 1, marker: join(dir, "f1") }]);
      assert.equal(hooks.pass("lose-ack"), true);
    });
  });
});

describe("faultsEnvironment and parseFaults", () => {
  it("carry faults alone as a list, and with slow systems as an object, both ways", () => {
    const faults = [{ point: "record" as const, at: 3, marker: "/m/f1" }];
    assert.deepEqual(parseFaults(faultsEnvironment(faults)), { faults, options: {} });
    assert.equal(faultsEnvironment(faults), JSON.stringify(faults));
    const options = { snapshotStepDelayMs: 2, restoredSourceDelayMs: 120 };
    assert.deepEqual(parseFaults(faultsEnvironment(faults, options)), { faults, options });
    assert.deepEqual(parseFaults(undefined), { faults: [], options: {} });
  });
});
