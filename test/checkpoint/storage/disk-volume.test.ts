import { after, describe, it, mock } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import fsSync from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { isTempFileName } from "../../../src/checkpoint/storage/checkpoint-paths.ts";
import { DiskVolume } from "../../../src/checkpoint/storage/disk-volume.ts";
import { blockingFileCalls } from "../../../src/checkpoint/storage/file-calls.ts";
import { WeirError } from "../../../src/core/errors.ts";
import { bytesOf, storageError } from "./checkpoint-fixtures.ts";

const roots: string[] = [];
async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "weir-volume-"));
  roots.push(root);
  return root;
}
after(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

type Event = readonly [string, string, string?];

/** Runs `action` while recording the file system calls that make a write durable: open, sync, rename. */
async function recordingDurability(action: () => Promise<void>): Promise<Event[]> {
  const events: Event[] = [];
  const realOpen = fs.open;
  const realRename = fs.rename;
  const openMock = mock.method(fs, "open", async (path: string, flags?: string) => {
    const handle = await realOpen(path, flags);
    events.push(["open", path, flags]);
    const realSync = handle.sync.bind(handle);
    handle.sync = async () => {
      events.push(["sync", path]);
      return realSync();
    };
    return handle;
  });
  const renameMock = mock.method(fs, "rename", async (from: string, to: string) => {
    events.push(["rename", from, to]);
    return realRename(from, to);
  });
  syncBuiltinESMExports();
  try {
    await action();
  } finally {
    openMock.mock.restore();
    renameMock.mock.restore();
    syncBuiltinESMExports();
  }
  return events;
}

/** As recordingDurability, for a volume that makes blocking calls (openSync, fsyncSync, renameSync). */
async function recordingBlockingDurability(action: () => Promise<void>): Promise<Event[]> {
  const events: Event[] = [];
  const opened = new Map<number, string>();
  const realOpen = fsSync.openSync;
  const realSync = fsSync.fsyncSync;
  const realRename = fsSync.renameSync;
  const mocks = [
    mock.method(fsSync, "openSync", (path: string, flags?: string) => {
      const fd = realOpen(path, flags ?? "r");
      opened.set(fd, path);
      events.push(["open", path, flags]);
      return fd;
    }),
    mock.method(fsSync, "fsyncSync", (fd: number) => {
      events.push(["sync", opened.get(fd)!]);
      realSync(fd);
    }),
    mock.method(fsSync, "renameSync", (from: string, to: string) => {
      events.push(["rename", from, to]);
      realRename(from, to);
    }),
  ];
  syncBuiltinESMExports();
  try {
    await action();
  } finally {
    for (const m of mocks) m.mock.restore();
    syncBuiltinESMExports();
  }
  return events;
}

describe("DiskVolume with blocking calls", () => {
  it("makes a write's every call before the event loop turns again", async () => {
    const root = await tempRoot();
    const volume = new DiskVolume(blockingFileCalls);
    let turned = false;
    setImmediate(() => (turned = true));
    await volume.writeAtomically(join(root, "job", "chk-1", "state"), bytesOf("state"));
    await volume.move(join(root, "job", "chk-1", "state"), join(root, "job", "chk-2", "state"));
    await volume.remove(join(root, "job", "chk-1"));
    assert.equal(turned, false, "no call waited for the event loop");
    assert.deepEqual(await volume.read(join(root, "job", "chk-2", "state")), bytesOf("state"));
    assert.equal(await volume.stat(join(root, "job", "chk-1")), undefined);
  });

  it("reports failures as asynchronous calls do: WEIR_ERR_CHECKPOINT_IO naming the path, no temp file left", async () => {
    const root = await tempRoot();
    const blocking = new DiskVolume(blockingFileCalls);
    // The temp file cannot be renamed over a directory that holds something.
    const under = join(root, "dir");
    await blocking.writeAtomically(join(under, "inside"), bytesOf("a file"));
    const failure = async (volume: DiskVolume) => {
      const e = await volume.writeAtomically(under, bytesOf("x")).then(() => undefined, (error: unknown) => error);
      assert.ok(storageError("WEIR_ERR_CHECKPOINT_IO", under)(e));
      const { path, operation, systemCode } = e as { path: string; operation: string; systemCode: string };
      return { path, operation, systemCode };
    };
    assert.deepEqual(await failure(blocking), await failure(new DiskVolume()));
    assert.deepEqual(await readdir(root), ["dir"]);
  });
});

describe("DiskVolume: atomic, durable writes", () => {
  const callForms = [
    ["asynchronous calls", () => new DiskVolume(), recordingDurability],
    ["blocking calls", () => new DiskVolume(blockingFileCalls), recordingBlockingDurability],
  ] as const;
  for (const [calls, makeVolume, recording] of callForms) {
    it(`bytes go to a temp name beside the target, are synced, renamed, and the directory is synced (${calls})`, async () => {
      const root = await tempRoot();
      const volume = makeVolume();
      const target = join(root, "job", "chk-1", "_metadata");
      await volume.writeAtomically(join(root, "job", "chk-1", "first"), bytesOf("makes the directory"));
      const events = await recording(() => volume.writeAtomically(target, bytesOf("content")));
      const temp = events[0]![1];
      assert.deepEqual(events, [
        ["open", temp, "wx"],
        ["sync", temp],
        ["rename", temp, target],
        ["open", dirname(target), "r"],
        ["sync", dirname(target)],
      ]);
      assert.equal(dirname(temp), dirname(target));
      assert.ok(isTempFileName(basename(temp)), temp);
      assert.deepEqual(await volume.read(target), bytesOf("content"));
    });
  }

  it("new directories are created with every parent that gained an entry synced", async () => {
    const root = await tempRoot();
    const volume = new DiskVolume();
    const target = join(root, "job", "chk-1", "state");
    const events = await recordingDurability(() => volume.writeAtomically(target, bytesOf("x")));
    const synced = events.filter((e) => e[0] === "sync").map((e) => e[1]);
    for (const dir of [root, join(root, "job"), join(root, "job", "chk-1")]) assert.ok(synced.includes(dir), `${dir} is synced`);
    assert.ok(synced.indexOf(root) < synced.indexOf(join(root, "job", "chk-1")), "parents are synced before the file's directory");
  });

  it("a failed write removes its temp file and leaves the target as it was", async () => {
    const root = await tempRoot();
    const volume = new DiskVolume();
    const target = join(root, "dir", "occupied");
    await volume.writeAtomically(join(target, "inside"), bytesOf("a directory sits where the file should go"));
    await assert.rejects(volume.writeAtomically(target, bytesOf("new")), storageError("WEIR_ERR_CHECKPOINT_IO", target));
    assert.deepEqual(await readdir(join(root, "dir")), ["occupied"]);
    assert.deepEqual(await readdir(target), ["inside"]);
  });

  it("a rewrite replaces the whole content at once", async () => {
    const root = await tempRoot();
    const volume = new DiskVolume();
    const target = join(root, "f");
    await volume.writeAtomically(target, bytesOf("a long first version"));
    await volume.writeAtomically(target, bytesOf("short"));
    assert.deepEqual(await volume.read(target), bytesOf("short"));
    assert.deepEqual(await readdir(root), ["f"]);
  });

  it("a directory another volume removed is not made again: the next write into it fails with WEIR_ERR_CHECKPOINT_IO", async () => {
    const root = await tempRoot();
    const writer = new DiskVolume();
    const dir = join(root, "job", "chk-1");
    await writer.writeAtomically(join(dir, "a"), bytesOf("a"));
    await new DiskVolume().remove(dir);
    await assert.rejects(writer.writeAtomically(join(dir, "b"), bytesOf("b")), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_CHECKPOINT_IO");
    assert.deepEqual(await readdir(join(root, "job")), []);
  });

  it("missing paths read, stat and list as nothing, and removing them succeeds", async () => {
    const root = await tempRoot();
    const volume = new DiskVolume();
    const missing = join(root, "no", "such");
    assert.equal(await volume.read(missing), undefined);
    assert.equal(await volume.stat(missing), undefined);
    assert.deepEqual(await volume.list(missing), []);
    await volume.remove(missing);
    await volume.writeAtomically(join(root, "file"), bytesOf("x"));
    assert.equal(await volume.read(join(root, "file", "below")), undefined);
  });

  it("a move renames the file into a new directory and removes it where it was", async () => {
    const root = await tempRoot();
    const volume = new DiskVolume();
    const from = join(root, "job", "chk-1", "state");
    await volume.writeAtomically(from, bytesOf("moved"));
    const to = join(root, "savepoints", "savepoint-job-1", "state");
    await volume.move(from, to);
    assert.deepEqual(await volume.read(to), bytesOf("moved"));
    assert.equal(await volume.read(from), undefined);
    await assert.rejects(volume.move(from, join(root, "again")), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_CHECKPOINT_IO");
  });
});
