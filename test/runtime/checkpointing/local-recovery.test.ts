/**
 * Local recovery through the real runtime, in both runtimes: a job whose function throws once
 * restarts from its latest checkpoint, reading each state file from the task's local copy, even
 * with the checkpoint storage's state files gone; a corrupt or missing copy is read from the
 * storage instead, and said so; the output is exactly-once either way, and the copies go when the
 * job ends.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { StateRestoreReport } from "../../../src/runtime/state-restore-report.ts";
import { expectedLines } from "../../fixtures/jobs/ck-count.ts";
import { committedLines, countRunDirs, RUNTIMES, runCount, uncommittedFiles } from "./checkpointing-helpers.ts";

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

type Tamper = "storage files removed" | "local copies corrupted" | "local copies removed" | "nothing, state inline";

async function restartWith(runtime: (typeof RUNTIMES)[number], tamper: Tamper): Promise<{ reports: StateRestoreReport[]; localDir: string }> {
  const dirs = countRunDirs(`local-${tamper.replaceAll(" ", "-")}`);
  const localDir = join(dirs.root, "local");
  const events = 2400;
  const marker = join(dirs.root, "failed-once");
  const reports: StateRestoreReport[] = [];
  let completed = 0;
  const result = await runCount(dirs, runtime, ["--events", String(events), "--rate", "2400", "--fail-at", "700", "--fail-after-checkpoint", "--fail-marker", marker], {
    // The job's state is small: with the default memory threshold it would all be inside _metadata, with no files to copy.
    checkpointing: { intervalMs: 40, localRecovery: true, localRecoveryDir: localDir, ...(tamper === "nothing, state inline" ? {} : { memoryThreshold: 0 }) },
    restartStrategy: "fixed-delay:attempts=3,delay=0",
    onCheckpoint: (stats) => {
      if (stats.status === "completed") completed++;
    },
    onRestart: () => {
      const stateFiles = filesUnder(dirs.checkpoints).filter((f) => f.endsWith(".state"));
      const copies = filesUnder(localDir).filter((f) => f.endsWith(".state"));
      if (tamper === "nothing, state inline") {
        assert.deepEqual([...stateFiles, ...copies], [], "no state file and no local copy was written");
        return;
      }
      assert.ok(copies.length > 0, "the tasks kept local copies");
      if (tamper === "storage files removed") for (const file of stateFiles) rmSync(file);
      if (tamper === "local copies corrupted") {
        for (const file of copies) {
          const bytes = readFileSync(file);
          bytes[bytes.length - 1] ^= 0xff;
          writeFileSync(file, bytes);
        }
      }
      if (tamper === "local copies removed") rmSync(localDir, { recursive: true });
    },
    onStateRestored: (report) => reports.push(report),
  });
  assert.ok(completed > 0);
  assert.equal(result.info.restarts, 1);
  assert.deepEqual(committedLines(dirs.out), [...expectedLines(events, 10)].sort(), "the output is exactly-once");
  assert.deepEqual(uncommittedFiles(dirs.out), []);
  return { reports, localDir };
}

const restoredFiles = (reports: readonly StateRestoreReport[]) => reports.flatMap((r) => r.files);

describe("local recovery", () => {
  for (const runtime of RUNTIMES) {
    it(`a restart restores every state file from the tasks' local copies, with the storage's state files gone (${runtime})`, async () => {
      const { reports, localDir } = await restartWith(runtime, "storage files removed");
      const files = restoredFiles(reports);
      assert.ok(files.length > 0, "state was restored");
      assert.deepEqual(files.filter((f) => f.source !== "local"), []);
      assert.equal(existsSync(join(localDir)) ? filesUnder(localDir).length : 0, 0, "the copies are gone once the job ended");
    });

    it(`a corrupt local copy is read from the checkpoint storage instead, and the report says why (${runtime})`, async () => {
      const files = restoredFiles((await restartWith(runtime, "local copies corrupted")).reports);
      assert.ok(files.length > 0);
      for (const file of files) {
        assert.equal(file.source, "storage");
        assert.equal(file.localCopy?.kind, "corrupt");
        assert.match(file.localCopy?.problem ?? "", /checksum/);
      }
    });

    it(`a missing local copy is read from the checkpoint storage instead (${runtime})`, async () => {
      const files = restoredFiles((await restartWith(runtime, "local copies removed")).reports);
      assert.ok(files.length > 0);
      assert.deepEqual(new Set(files.map((f) => `${f.source} ${f.localCopy?.kind}`)), new Set(["storage missing"]));
    });

    it(`state kept inside _metadata is restored from it, without looking for local copies (${runtime})`, async () => {
      const files = restoredFiles((await restartWith(runtime, "nothing, state inline")).reports);
      assert.ok(files.length > 0);
      assert.deepEqual(new Set(files.map((f) => `${f.source} ${f.localCopy?.kind}`)), new Set(["inline undefined"]));
    });
  }
});
