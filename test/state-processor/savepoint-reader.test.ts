import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assignToKeyGroup, subtaskForKeyGroup } from "../../src/core/key-groups.ts";
import { readSavepoint, type ExistingSavepoint } from "../../src/state-processor/index.ts";
import type { Profile } from "../fixtures/jobs/sp-states.ts";
import { clickOf, WINDOW_MS } from "../../examples/window-count.ts";
import { main } from "../../src/cli/main.ts";
import { scratchDirectory, startJob } from "../rest/running-job.ts";
import { CapturedIo } from "../cli/captured-io.ts";
import { collect, finalCheckpoint } from "./final-checkpoint.ts";

const EVENTS = 60;
const USERS = 6;

describe("readSavepoint on the final checkpoint of a job at parallelism 2", () => {
  let dir: string;
  let savepoint: ExistingSavepoint;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weir-sp-reader-"));
    savepoint = await readSavepoint(await finalCheckpoint(dir, "test/fixtures/jobs/sp-states.ts", ["--events", String(EVENTS)]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("lists the job's operators by uid, with their names, parallelism and max parallelism", () => {
    assert.match(savepoint.jobId, /^job-/);
    assert.equal(savepoint.checkpointId, 1);
    assert.deepEqual(
      savepoint.operators.map((o) => [o.uid, o.name, o.parallelism, o.maxParallelism]),
      [
        ["events", "Source: events", 2, 128],
        ["tagger", "FlatMap", 2, 128],
        ["profiles", "KeyedProcess", 2, 128],
        ["discard", "Sink", 2, 128],
      ],
    );
  });

  it("gives every user's object value, map and list, from both subtasks' files", async () => {
    const profiles = savepoint.operator("profiles");
    assert.deepEqual(await profiles.keyedStates(), [
      { name: "profile", kind: "value", namespaced: false, version: 1 },
      { name: "kinds", kind: "map", namespaced: false, version: 1 },
      { name: "seqs", kind: "list", namespaced: false, version: 1 },
    ]);
    const values = new Map((await collect(profiles.keyedState<string, Profile>("profile"))).map((e) => [e.key, e.value]));
    const users = Array.from({ length: USERS }, (_, u) => `u${u}`);
    assert.deepEqual([...values.keys()].sort(), users);
    const seqsOf = (u: number) => Array.from({ length: EVENTS / USERS }, (_, i) => u + USERS * i);
    for (let u = 0; u < USERS; u++) {
      const byKind = new Map([[`k${u % 3}`, EVENTS / USERS]]);
      assert.deepEqual(values.get(`u${u}`), { count: EVENTS / USERS, last: { seq: seqsOf(u).at(-1), kinds: seqsOf(u).map((s) => `k${s % 3}`) }, byKind });
    }
    const kinds = await collect(profiles.keyedState<string, Map<string, number>>("kinds"));
    for (const { key, value } of kinds) {
      assert.ok(value instanceof Map, "a map state's value is a Map");
      assert.deepEqual([...value], [[`k${Number(key.slice(1)) % 3}`, EVENTS / USERS]]);
    }
    const seqs = await collect(profiles.keyedState<string, number[]>("seqs"));
    assert.deepEqual(new Map(seqs.map((e) => [e.key, e.value])), new Map(users.map((u, i) => [u, seqsOf(i)])));
    const owners = new Set(users.map((u) => subtaskForKeyGroup(assignToKeyGroup(u, 128), 2, 128)));
    assert.equal(owners.size, 2, "the users are spread over both subtasks, so both files were read");
  });

  it("gives split and union list state of every instance, and the pending timers", async () => {
    const tagger = savepoint.operator("tagger");
    const seen = await collect(tagger.operatorListState<number>("seen"));
    assert.equal(seen.length, 2);
    assert.equal(seen[0]! + seen[1]!, EVENTS);
    assert.deepEqual(await collect(tagger.unionState<[number, number]>("instances")), [
      [0, seen[0]],
      [1, seen[1]],
    ]);
    const timers = await collect(savepoint.operator("profiles").timers());
    assert.ok(timers.length >= USERS, `${timers.length} timers`);
    for (const timer of timers) {
      assert.match(String(timer.key), /^u[0-5]$/);
      assert.equal(timer.domain, "PROCESSING_TIME");
      assert.ok(timer.time > savepoint.timestamp, "timers a day ahead are still pending");
    }
  });

  it("refuses an operator, a state or a kind the savepoint does not hold, naming what it holds", async () => {
    assert.throws(() => savepoint.operator("nope"), (e: Error & { code?: string }) => e.code === "WEIR_ERR_UID_MISMATCH" && /'events', 'tagger', 'profiles', 'discard'/.test(e.message));
    await assert.rejects(collect(savepoint.operator("profiles").keyedState("nope")), (e: Error & { code?: string }) => e.code === "WEIR_ERR_INVALID_ARGUMENT" && /'profile', 'kinds', 'seqs'/.test(e.message));
    await assert.rejects(collect(savepoint.operator("tagger").operatorListState("instances")), /'instances' of operator 'tagger' is union list state, not operator list state/);
    await assert.rejects(collect(savepoint.operator("tagger").broadcastState("rules")), /operator 'tagger' has no broadcast state 'rules'/);
  });
});

describe("readSavepoint on broadcast state", () => {
  it("gives each broadcast entry once, though every subtask stores a copy", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-sp-broadcast-"));
    try {
      const chk = await finalCheckpoint(dir, "examples/broadcast-rules.ts", ["--payments", "200", "--users", "5", "--rules", "3", "--out", join(dir, "out")]);
      const operator = (await readSavepoint(chk)).operator("check-payments");
      assert.equal(operator.parallelism, 2);
      const rules = await collect(operator.broadcastState("rules"));
      assert.deepEqual(rules.map((r) => r.key).sort(), ["rule-0", "rule-1", "rule-2"]);
      assert.deepEqual(rules.find((r) => r.key === "rule-1")!.value, { name: "rule-1", minAmount: 900 });
      const payments = await collect(operator.keyedState<number, { seq: number }[]>("payments"));
      assert.equal(payments.reduce((n, e) => n + e.value.length, 0), 200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("readSavepoint on the windows a job was stopped with", () => {
  const scratch = scratchDirectory("weir-sp-windows-");
  // Enough clicks at 1500/s that the source has not ended when the stop comes, however late the job started.
  const clicks = 1_000_000;

  it("reads the savepoint of a job with incremental checkpoints, which holds its full keyed state", async () => {
    const job = await startJob(["examples/window-count.ts", "-p", "2", "--incremental", "--checkpoint-interval", "50", "--checkpoint-dir", join(scratch(), "chk-incremental"), "--rest-port", "0", "--", "--clicks", String(clicks), "--pages", "3", "--rate", "1500", "--out", join(scratch(), "out-incremental")]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const io = new CapturedIo();
    assert.equal(await main(["stop", job.jobId, "--savepoint-dir", join(scratch(), "sp-incremental")], io), 0, io.err);
    assert.equal(await job.exit, 0, job.io.err);
    const operator = (await readSavepoint(io.out.trim())).operator("clicks-per-window");
    const namespaced = (await operator.keyedStates()).filter((s) => s.namespaced);
    assert.equal(namespaced.length, 1);
    assert.ok((await collect(operator.keyedState(namespaced[0]!.name))).length > 0, "windows in progress are in the savepoint");
  });

  it("gives each window's state under its key, with the window as namespace", async () => {
    const job = await startJob(["examples/window-count.ts", "-p", "2", "--checkpoint-interval", "100", "--checkpoint-dir", join(scratch(), "chk"), "--rest-port", "0", "--", "--clicks", String(clicks), "--pages", "3", "--rate", "1500", "--out", join(scratch(), "out")]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const io = new CapturedIo();
    assert.equal(await main(["stop", job.jobId, "--savepoint-dir", join(scratch(), "sp")], io), 0, io.err);
    assert.equal(await job.exit, 0, job.io.err);
    const operator = (await readSavepoint(io.out.trim())).operator("clicks-per-window");
    for (const state of operator.metadata.subtasks) assert.ok(state.keyGroupRange !== undefined);
    const namespaced = (await operator.keyedStates()).filter((s) => s.namespaced);
    assert.equal(namespaced.length, 1, `one namespaced state: ${namespaced.map((s) => s.name).join()}`);
    const windows = await collect(operator.keyedState(namespaced[0]!.name));
    assert.ok(windows.length > 0, "windows in progress are in the savepoint");
    const pages = new Set(Array.from({ length: clicks }, (_, seq) => clickOf(seq, 3).page));
    for (const { key, namespace, value } of windows) {
      assert.ok(pages.has(key as never), `key ${String(key)} is a page`);
      const [start, end] = namespace as [number, number];
      assert.equal(end - start, WINDOW_MS, `namespace ${JSON.stringify(namespace)} is a window`);
      assert.equal(typeof value, "number");
    }
  });
});

describe("readSavepoint of a checkpoint whose state is kept inside _metadata", () => {
  let dir: string;
  let inline: ExistingSavepoint;
  let files: ExistingSavepoint;
  let inlineDir: string;
  let filesDir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weir-sp-inline-"));
    inlineDir = await finalCheckpoint(join(dir, "inline"), "test/fixtures/jobs/sp-states.ts", ["--events", String(EVENTS)]);
    filesDir = await finalCheckpoint(join(dir, "files"), "test/fixtures/jobs/sp-states.ts", ["--events", String(EVENTS)], 2, ["--memory-threshold", "0"]);
    inline = await readSavepoint(inlineDir);
    files = await readSavepoint(filesDir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("the job's small state is all inside _metadata by default, and in files with --memory-threshold 0", () => {
    assert.deepEqual(readdirSync(inlineDir), ["_metadata"]);
    assert.ok(readdirSync(filesDir).some((name) => name.endsWith(".state")));
  });

  it("gives the same keyed, operator and union state, and timers, as the checkpoint of the same job with files", async () => {
    for (const [uid, read] of [
      ["profiles", (s: ExistingSavepoint) => collect(s.operator("profiles").keyedState<string, Profile>("profile"))],
      // Timers fire at processing times of each run: the keys holding timers agree, not their times nor how many fired yet.
      ["profiles", async (s: ExistingSavepoint) => [...new Set((await collect(s.operator("profiles").timers())).map((t) => `${String(t.key)} ${t.domain}`))].sort()],
      ["tagger", (s: ExistingSavepoint) => collect(s.operator("tagger").operatorListState<number>("seen"))],
      ["tagger", (s: ExistingSavepoint) => collect(s.operator("tagger").unionState<[number, number]>("instances"))],
    ] as const) {
      const fromInline = await read(inline);
      assert.ok(fromInline.length > 0, uid);
      assert.deepEqual(fromInline, await read(files), uid);
    }
  });
});
