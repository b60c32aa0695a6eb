import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import type { SavepointSummary } from "../../src/state-processor/index.ts";
import { scratchDirectory, startJob } from "../rest/running-job.ts";
import { finalCheckpoint } from "../state-processor/final-checkpoint.ts";
import { CapturedIo } from "./captured-io.ts";

const scratch = scratchDirectory("weir-inspect-");

async function weir(...argv: string[]): Promise<{ code: number; io: CapturedIo }> {
  const io = new CapturedIo();
  return { code: await main(argv, io), io };
}

/** The state files of the savepoint or checkpoint directory. */
const stateFiles = (dir: string) => readdirSync(dir).filter((n) => n.endsWith(".state"));

describe("weir savepoint inspect", () => {
  it("prints the job, the format and each operator's states with kinds, entries and bytes, for a savepoint a stopped job took", async () => {
    const job = await startJob(["examples/exactly-once.ts", "-p", "2", "--checkpoint-interval", "100", "--memory-threshold", "0", "--checkpoint-dir", join(scratch(), "chk"), "--rest-port", "0", "--", "--events", "30000", "--keys", "7", "--rate", "2000", "--out", join(scratch(), "out")]);
    const stopped = await weir("stop", job.jobId, "--savepoint-dir", join(scratch(), "sp"));
    assert.equal(stopped.code, 0, stopped.io.err);
    assert.equal(await job.exit, 0, job.io.err);
    const savepoint = stopped.io.out.trim();

    const { code, io } = await weir("savepoint", "inspect", savepoint);
    assert.equal(code, 0, io.err);
    const text = io.out;
    assert.ok(text.startsWith(`savepoint ${join(savepoint, "_metadata")}\n  job             ${job.jobId} (examples/exactly-once.ts)\n  format version  1\n  checkpoint      `), text);
    assert.match(text, /\n {2}completed {7}\d{4}-\d\d-\d\dT/);
    assert.match(text, /\noperator 'events' \(Source: events\): parallelism 2, max parallelism 128, 2 files, [\d.]+ (B|KiB)\n {2}STATE +KIND +ENTRIES +BYTES\n {2}weir\.source-splits +source split positions +2 +\d+\n/);
    assert.match(text, /\noperator 'count-per-key' \(KeyedProcess\): parallelism 2, max parallelism 128, 2 files, .*\n {2}STATE +KIND +ENTRIES +BYTES\n {2}count +value +7 +\d+\n/);
    assert.match(text, /\noperator 'committed-lines' \(Sink\): parallelism 2, max parallelism 128, 2 files, .*\n {2}STATE +KIND +ENTRIES +BYTES\n {2}snapshotState +sink transactions +2 +\d+\n/);

    const json = await weir("savepoint", "inspect", savepoint, "--json");
    assert.equal(json.code, 0, json.io.err);
    const summary = JSON.parse(json.io.out) as SavepointSummary;
    assert.equal(summary.type, "savepoint");
    assert.equal(summary.jobId, job.jobId);
    assert.equal(summary.jobName, "examples/exactly-once.ts");
    const counts = summary.operators.find((o) => o.uid === "count-per-key")!;
    assert.deepEqual(counts.states.map((s) => [s.name, s.kind, s.entries]), [["count", "value", 7]]);
    const bytes = stateFiles(savepoint).filter((n) => n.startsWith("count%2Dper%2Dkey-")).reduce((n, f) => n + readFileSync(join(savepoint, f)).length, 0);
    assert.equal(counts.bytes, bytes, "an operator's bytes are those of its files");
    assert.ok(counts.states[0]!.bytes > 0 && counts.states[0]!.bytes < bytes);
  });

  it("reads a retained checkpoint too, and says so", async () => {
    const chk = await finalCheckpoint(join(scratch(), "retained"), "test/fixtures/jobs/sp-states.ts");
    const { code, io } = await weir("savepoint", "inspect", chk);
    assert.equal(code, 0, io.err);
    assert.ok(io.out.startsWith(`checkpoint ${join(chk, "_metadata")}\n`), io.out);
    assert.match(io.out, /\n {2}seen +operator list +2 +\d+\n {2}instances +union list +2 +\d+\n/);
    assert.match(io.out, /\n {2}profile +value +6 +\d+\n {2}kinds +map +6 +\d+\n {2}seqs +list +6 +\d+\n {2}timers +timers +\d+ +\d+\n/);
    assert.match(io.out, /\noperator 'discard' \(Sink\): parallelism 2, max parallelism 128, 0 files, 0 B\n {2}no state\n$/);
  });

  it("counts the states kept inline in _metadata apart from the state files, with their bytes", async () => {
    const chk = await finalCheckpoint(join(scratch(), "inline"), "test/fixtures/jobs/sp-states.ts");
    const handles = (JSON.parse(readFileSync(join(chk, "_metadata"), "utf8")) as { metadata: { operators: { subtasks: { state: { bytes: number; inline?: string }[] }[] }[] } }).metadata.operators.flatMap((o) =>
      o.subtasks.flatMap((s) => s.state),
    );
    const inline = handles.filter((h) => h.inline !== undefined);
    assert.ok(inline.length > 0, "small states are kept inline at the default memory threshold");

    const json = await weir("savepoint", "inspect", chk, "--json");
    assert.equal(json.code, 0, json.io.err);
    const summary = JSON.parse(json.io.out) as SavepointSummary;
    const sum = (f: (o: SavepointSummary["operators"][number]) => number) => summary.operators.reduce((n, o) => n + f(o), 0);
    assert.equal(sum((o) => o.files), stateFiles(chk).length, "only files on disk count as files");
    assert.equal(sum((o) => o.bytes), stateFiles(chk).reduce((n, f) => n + readFileSync(join(chk, f)).length, 0));
    assert.equal(sum((o) => o.inline), inline.length);
    assert.equal(sum((o) => o.inlineBytes), inline.reduce((n, h) => n + h.bytes, 0));

    const text = await weir("savepoint", "inspect", chk);
    const keyed = summary.operators.find((o) => o.inline > 0)!;
    const line = text.io.out.split("\n").find((l) => l.startsWith(`operator '${keyed.uid}'`))!;
    assert.match(line, new RegExp(`, ${keyed.files} files?, .*; ${keyed.inline} subtask states? inline in _metadata, [\\d.]+ (B|KiB)$`));
  });

  it("refuses a missing path, a directory that is no savepoint, corrupt metadata and a damaged or missing state file, with their codes", async () => {
    const missing = await weir("savepoint", "inspect", join(scratch(), "nothing-here"));
    assert.equal(missing.code, 1);
    assert.match(missing.io.err, /^weir savepoint inspect: no checkpoint at .*nothing-here: nothing is there\n {2}code: WEIR_ERR_CHECKPOINT_NOT_FOUND/);

    const empty = join(scratch(), "empty");
    mkdirSync(empty);
    const notSavepoint = await weir("savepoint", "inspect", empty);
    assert.equal(notSavepoint.code, 1);
    assert.match(notSavepoint.io.err, /holds no _metadata file and no chk-<n> directory\n {2}code: WEIR_ERR_CHECKPOINT_NOT_FOUND/);

    // Every state in a file (memory threshold 0), so that one can be damaged.
    const chk = await finalCheckpoint(join(scratch(), "damaged"), "test/fixtures/jobs/sp-states.ts", [], 2, ["--memory-threshold", "0"]);
    const file = join(chk, stateFiles(chk).find((n) => n.startsWith("profiles-"))!);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(file, bytes);
    const damaged = await weir("savepoint", "inspect", chk);
    assert.equal(damaged.code, 1);
    assert.match(damaged.io.err, /state file .*profiles-.*\.state is corrupt: its checksum is [0-9a-f]{64}, the checkpoint recorded [0-9a-f]{64}\n {2}code: WEIR_ERR_CHECKPOINT_CORRUPT/);
    assert.equal(damaged.io.out, "", "nothing is printed of a savepoint that cannot be read whole");

    rmSync(file);
    const gone = await weir("savepoint", "inspect", chk);
    assert.match(gone.io.err, /state file .*profiles-.*\.state is missing .*\n {2}code: WEIR_ERR_CHECKPOINT_STATE_MISSING/);

    writeFileSync(join(chk, "_metadata"), "{ not json");
    const corrupt = await weir("savepoint", "inspect", chk);
    assert.equal(corrupt.code, 1);
    assert.match(corrupt.io.err, /checkpoint metadata .*_metadata is corrupt: it is not valid JSON.*\n {2}code: WEIR_ERR_CHECKPOINT_CORRUPT/);
  });

  it("needs a path, and has help", async () => {
    const none = await weir("savepoint", "inspect");
    assert.equal(none.code, 2);
    assert.match(none.io.err, /give the savepoint or checkpoint directory/);
    const help = await weir("savepoint", "inspect", "--help");
    assert.equal(help.code, 0);
    assert.match(help.io.out, /weir savepoint inspect <savepoint\|checkpoint> \[--json\]/);
  });
});
