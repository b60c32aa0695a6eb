import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileCheckpointStorage } from "../../../src/checkpoint/storage/file-checkpoint-storage.ts";
import { formatBytes, formatCheckpointTable, listCheckpoints, type CheckpointRow } from "../../../src/checkpoint/storage/list-checkpoints.ts";
import { MemoryCheckpointStorage } from "../../../src/checkpoint/storage/memory-checkpoint-storage.ts";
import { MemoryVolume } from "../../../src/checkpoint/storage/memory-volume.ts";
import { completeCheckpoint, id, metadataWith, startCheckpoint, storageError } from "./checkpoint-fixtures.ts";

const roots: string[] = [];
async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "weir-list-"));
  roots.push(root);
  return root;
}
after(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

describe("listing checkpoints across jobs", () => {
  it("rows cover every job under the root, ordered by job then checkpoint", async () => {
    const root = await tempRoot();
    const b = new FileCheckpointStorage({ root, jobId: "job-b" });
    const a = new FileCheckpointStorage({ root, jobId: "job-a" });
    await completeCheckpoint(b, 2);
    await completeCheckpoint(a, 10);
    await completeCheckpoint(a, 9);
    await startCheckpoint(a, 11);
    await mkdir(join(root, "not a job"), { recursive: true });
    await writeFile(join(root, "stray-file"), "x");
    const rows = await listCheckpoints(root);
    assert.deepEqual(rows.map((r) => [r.jobId, r.checkpointId, r.status]), [
      ["job-a", 9, "complete"],
      ["job-a", 10, "complete"],
      ["job-a", 11, "incomplete"],
      ["job-b", 2, "complete"],
    ]);
    assert.equal(rows[0]!.path, a.paths.checkpointDir(id(9)));
    assert.ok(rows.every((r) => r.sizeBytes > 0));
  });

  it("a job directory given as the root lists that job", async () => {
    const root = await tempRoot();
    const storage = new FileCheckpointStorage({ root, jobId: "job-a" });
    await completeCheckpoint(storage, 1);
    assert.deepEqual((await listCheckpoints(storage.jobDir)).map((r) => [r.jobId, r.checkpointId]), [["job-a", 1]]);
  });

  it("an empty root lists nothing", async () => {
    assert.deepEqual(await listCheckpoints(await tempRoot()), []);
  });

  it("a root that does not exist, or is a file, raises WEIR_ERR_CHECKPOINT_NOT_FOUND naming it", async () => {
    const root = await tempRoot();
    const missing = join(root, "missing");
    await assert.rejects(listCheckpoints(missing), storageError("WEIR_ERR_CHECKPOINT_NOT_FOUND", missing));
    await writeFile(join(root, "file"), "x");
    await assert.rejects(listCheckpoints(join(root, "file")), storageError("WEIR_ERR_CHECKPOINT_NOT_FOUND", join(root, "file"), "not a directory"));
  });

  it("a complete checkpoint's row gives the bytes in flight its metadata records, 0 without them", async () => {
    const volume = new MemoryVolume();
    const storage = new MemoryCheckpointStorage({ jobId: "job-a", volume });
    const handle = await startCheckpoint(storage, 2);
    await storage.writeMetadata({ ...metadataWith("job-a", 2, [[handle], []]), properties: { inFlightBytes: 68_100 } });
    await completeCheckpoint(storage, 3);
    await startCheckpoint(storage, 4);
    const rows = await listCheckpoints("/memory/checkpoints", { volume });
    assert.deepEqual(rows.map((r) => [r.checkpointId, r.inFlightBytes]), [[2, 68_100], [3, 0], [4, 0]]);
  });

  it("a memory volume can be listed too, with corrupt checkpoints explained", async () => {
    const volume = new MemoryVolume();
    const storage = new MemoryCheckpointStorage({ jobId: "job-a", volume });
    await completeCheckpoint(storage, 1);
    await volume.writeAtomically(storage.paths.metadataFile(id(1)), new TextEncoder().encode("{"));
    const [row] = await listCheckpoints("/memory/checkpoints", { volume });
    assert.equal(row!.status, "corrupt");
    assert.match(row!.problem!, /_metadata is corrupt/);
  });
});

describe("the checkpoint table", () => {
  const rows: CheckpointRow[] = [
    { jobId: "job-a", checkpointId: id(9), status: "complete", time: Date.UTC(2026, 0, 31, 12, 0, 5, 450), sizeBytes: 1536, sharedBytes: 80 * 1024 * 1024, inFlightBytes: 68_100, path: "/r/job-a/chk-9" },
    { jobId: "job-a", checkpointId: id(10), status: "incomplete", time: Date.UTC(2026, 0, 31, 12, 1, 0), sizeBytes: 12, sharedBytes: 0, inFlightBytes: 0, path: "/r/job-a/chk-10" },
    {
      jobId: "fraud-detection",
      checkpointId: id(3),
      status: "corrupt",
      time: 0,
      sizeBytes: 3 * 1024 * 1024,
      sharedBytes: 0,
      inFlightBytes: 0,
      path: "/r/fraud-detection/chk-3",
      problem: "checkpoint metadata /r/fraud-detection/chk-3/_metadata is corrupt: the file is empty",
    },
  ];

  it("rows print as aligned columns under a header, then what is wrong with corrupt ones", () => {
    assert.equal(
      formatCheckpointTable(rows),
      [
        "JOB              ID  STATUS      TIME                      OWN    SHARED  IN-FLIGHT  PATH",
        "job-a             9  complete    2026-01-31T12:00:05Z  1.5 KiB  80.0 MiB   66.5 KiB  /r/job-a/chk-9",
        "job-a            10  incomplete  2026-01-31T12:01:00Z     12 B       0 B        0 B  /r/job-a/chk-10",
        "fraud-detection   3  corrupt     1970-01-01T00:00:00Z  3.0 MiB       0 B        0 B  /r/fraud-detection/chk-3",
        "fraud-detection chk-3: checkpoint metadata /r/fraud-detection/chk-3/_metadata is corrupt: the file is empty",
        "",
      ].join("\n"),
    );
  });

  it("no rows print as one line saying so", () => {
    assert.equal(formatCheckpointTable([]), "no checkpoints\n");
  });

  it("sizes use binary units with one decimal", () => {
    assert.deepEqual([0, 1023, 1024, 1536, 1024 ** 2 * 20, 1024 ** 3 * 2.25, 1024 ** 5].map(formatBytes), ["0 B", "1023 B", "1.0 KiB", "1.5 KiB", "20.0 MiB", "2.3 GiB", "1024.0 TiB"]);
  });
});
