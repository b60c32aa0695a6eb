import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { committedFileLines } from "../../src/sinks/committing-file-sink.ts";
import { readSavepoint, SavepointWriter } from "../../src/state-processor/index.ts";
import { CapturedIo } from "../cli/captured-io.ts";
import { collect, finalCheckpoint } from "./final-checkpoint.ts";

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), "weir-sp-writer-"))));
after(() => rmSync(dir, { recursive: true, force: true }));

async function weir(...argv: string[]): Promise<{ code: number; io: CapturedIo }> {
  const io = new CapturedIo();
  return { code: await main(argv, io), io };
}

/** Runs the exactly-once demonstration from `from` with 8 events over 4 keys; returns its committed lines, sorted. */
async function exactlyOnceFrom(from: string, name: string, ...options: string[]): Promise<string[]> {
  const out = join(dir, `${name}-out`);
  const { code, io } = await weir("run", "examples/exactly-once.ts", "--single-thread", ...options, "--checkpoint-interval", "1h", "--checkpoint-dir", join(dir, `${name}-chk`), "--from", from, "--", "--events", "8", "--keys", "4", "--out", out);
  assert.equal(code, 0, io.err);
  return committedFileLines(out).sort();
}

describe("SavepointWriter.newSavepoint", () => {
  it("bootstraps keyed counts that the exactly-once demonstration continues from, at the parallelism written and at another", async () => {
    const savepoint = await SavepointWriter.newSavepoint({ maxParallelism: 128 })
      .withOperator("count-per-key", { parallelism: 2, keyedState: { count: { kind: "value", entries: [[0, 40], [1, 10], [2, 20], [3, 30]] } } })
      .write(join(dir, "bootstrapped"));
    assert.equal(savepoint, join(dir, "bootstrapped"));
    const expected = ["0,41", "0,42", "1,11", "1,12", "2,21", "2,22", "3,31", "3,32"];
    assert.deepEqual(await exactlyOnceFrom(savepoint, "same", "-p", "2"), expected);
    assert.deepEqual(await exactlyOnceFrom(savepoint, "rescaled", "-p", "3", "--max-parallelism", "64"), expected);
  });

  it("writes every kind of state so that readSavepoint gives back what was written", async () => {
    const accounts = new Map<string, { owner: { name: string }; tags: Set<string> }>([
      ["a-1", { owner: { name: "Ada" }, tags: new Set(["vip"]) }],
      ["b-2", { owner: { name: "Bo" }, tags: new Set() }],
    ]);
    const regionKey = { region: "eu", shard: 3 };
    const path = await SavepointWriter.newSavepoint({ maxParallelism: 32 })
      .withOperator("accounts", {
        parallelism: 3,
        keyedState: {
          account: { kind: "value", entries: accounts },
          history: { kind: "list", entries: [["a-1", [1, 2, 3]]] },
          limits: { kind: "map", entries: [["a-1", new Map([["daily", 100]])], [regionKey, [["daily", 5]]]] },
          total: { kind: "reducing", entries: [["b-2", 17]] },
          average: { kind: "aggregating", entries: [["a-1", { sum: 6, count: 3 }]] },
        },
      })
      .withOperator("offsets", { parallelism: 3, operatorListState: { offsets: [10, 20, 30, 40] }, unionState: { watermarks: [7] }, broadcastState: { rules: new Map([["r", { min: 1 }]]) } })
      .write(join(dir, "kinds"));
    const savepoint = await readSavepoint(path);
    const accountsOp = savepoint.operator("accounts");
    assert.deepEqual([accountsOp.parallelism, accountsOp.maxParallelism], [3, 32]);
    assert.deepEqual(new Map((await collect(accountsOp.keyedState("account"))).map((e) => [e.key, e.value])), accounts);
    assert.deepEqual(await collect(accountsOp.keyedState("history")), [{ key: "a-1", value: [1, 2, 3] }]);
    const limits = await collect(accountsOp.keyedState("limits"));
    assert.deepEqual(new Map(limits.map((e) => [JSON.stringify(e.key), e.value])), new Map([[JSON.stringify("a-1"), new Map([["daily", 100]])], [JSON.stringify(regionKey), new Map([["daily", 5]])]]));
    assert.deepEqual(await collect(accountsOp.keyedState("total")), [{ key: "b-2", value: 17 }]);
    assert.deepEqual(await collect(accountsOp.keyedState("average")), [{ key: "a-1", value: { sum: 6, count: 3 } }]);
    const offsets = savepoint.operator("offsets");
    assert.deepEqual(await collect(offsets.operatorListState("offsets")), [10, 20, 30, 40]);
    assert.deepEqual(await collect(offsets.unionState("watermarks")), [7]);
    assert.deepEqual(await collect(offsets.broadcastState("rules")), [{ key: "r", value: { min: 1 } }]);
  });

  it("refuses a directory that is not empty, a state of an unknown kind, and a parallelism above the max parallelism", async () => {
    const full = join(dir, "full");
    mkdirSync(full);
    writeFileSync(join(full, "keep.txt"), "mine");
    await assert.rejects(SavepointWriter.newSavepoint().withOperator("x", { operatorListState: { s: [1] } }).write(full), (e: Error & { code?: string }) => e.code === "WEIR_ERR_CHECKPOINT_EXISTS");
    const badKind = { kind: "counter", entries: [] } as unknown as { kind: "value"; entries: [] };
    await assert.rejects(SavepointWriter.newSavepoint().withOperator("x", { keyedState: { s: badKind } }).write(join(dir, "bad-kind")), /kinds are value, list, map, reducing and aggregating/);
    await assert.rejects(SavepointWriter.newSavepoint({ maxParallelism: 4 }).withOperator("x", { parallelism: 5, unionState: { s: [] } }).write(join(dir, "too-wide")), /parallelism from 1 to its max parallelism 4/);
  });
});

describe("SavepointWriter.fromExistingSavepoint", () => {
  it("removes an operator, so that a job without it restores with no --allow-non-restored-state", async () => {
    const chk = await finalCheckpoint(join(dir, "removal"), "test/fixtures/jobs/cli-checkpointed.ts", [], 1);
    const renamedJob = ["run", "test/fixtures/jobs/cli-checkpointed-v2.ts", "--single-thread", "-p", "1", "--checkpoint-interval", "1h", "--checkpoint-dir", join(dir, "removal", "chk2"), "--quiet"];
    const refused = await weir(...renamedJob, "--from", chk, "--", "--rename");
    assert.equal(refused.code, 1);
    assert.match(refused.io.err, /WEIR_ERR_UID_MISMATCH/);

    const rewritten = await (await SavepointWriter.fromExistingSavepoint(chk)).removeOperator("sum-by-key").write(join(dir, "removal", "rewritten"));
    assert.deepEqual((await readSavepoint(rewritten)).operators.map((o) => o.uid), ["numbers", "discard"]);
    const restored = await weir(...renamedJob, "--from", rewritten, "--", "--rename");
    assert.equal(restored.code, 0, restored.io.err);
    assert.deepEqual((await readSavepoint(chk)).operators.map((o) => o.uid), ["numbers", "sum-by-key", "discard"], "the original is unchanged");
  });

  it("replaces an operator's state with entries read from the savepoint itself, and keeps the others byte for byte", async () => {
    const boot = await SavepointWriter.newSavepoint()
      .withOperator("count-per-key", { parallelism: 2, keyedState: { count: { kind: "value", entries: [[0, 1], [1, 2], [2, 3], [3, 4]] } } })
      .withOperator("unrelated", { operatorListState: { s: ["x"] } })
      .write(join(dir, "replace-base"));
    const base = await readSavepoint(boot);
    async function* tenfold() {
      for await (const { key, value } of base.operator("count-per-key").keyedState<number, number>("count")) yield [key, value * 10] as const;
    }
    const rewritten = await (await SavepointWriter.fromExistingSavepoint(boot)).withOperator("count-per-key", { parallelism: 1, keyedState: { count: { kind: "value", entries: tenfold() } } }).write(join(dir, "replaced"));
    const after = await readSavepoint(rewritten);
    assert.equal(after.operator("count-per-key").parallelism, 1);
    assert.deepEqual(await collect(after.operator("unrelated").operatorListState("s")), ["x"]);
    assert.deepEqual(after.operator("unrelated").metadata.subtasks[0]!.state[0]!.checksum, base.operator("unrelated").metadata.subtasks[0]!.state[0]!.checksum);
    assert.deepEqual(await exactlyOnceFrom(rewritten, "replaced", "-p", "2", "--allow-non-restored-state"), ["0,11", "0,12", "1,21", "1,22", "2,31", "2,32", "3,41", "3,42"]);
  });

  it("refuses to remove an operator the savepoint does not hold", async () => {
    const boot = await SavepointWriter.newSavepoint().withOperator("only", { unionState: { s: [1] } }).write(join(dir, "only"));
    const writer = await SavepointWriter.fromExistingSavepoint(boot);
    assert.throws(() => writer.removeOperator("other"), (e: Error & { code?: string }) => e.code === "WEIR_ERR_UID_MISMATCH" && /holds no operator 'other' to remove; its operators are 'only'/.test(e.message));
  });

  it("changes some states of an operator in place: its other keyed and operator states, timers, description and position are kept", async () => {
    const chk = await finalCheckpoint(join(dir, "change"), "test/fixtures/jobs/sp-states.ts", ["--events", "12"]);
    const base = await readSavepoint(chk);
    const rewritten = await (await SavepointWriter.fromExistingSavepoint(chk))
      .changeOperator("tagger", { operatorListState: { seen: [100, 200] } })
      .changeOperator("profiles", { keyedState: { seqs: { kind: "list", entries: [["u0", [-1]]] } } })
      .write(join(dir, "change", "rewritten"));
    const after = await readSavepoint(rewritten);
    assert.deepEqual(after.operators.map((o) => o.uid), base.operators.map((o) => o.uid));
    const [tagger, profiles] = [after.operator("tagger"), after.operator("profiles")];
    assert.equal(tagger.name, base.operator("tagger").name);
    assert.deepEqual(await collect(tagger.operatorListState("seen")), [100, 200]);
    assert.deepEqual(await collect(tagger.unionState("instances")), await collect(base.operator("tagger").unionState("instances")));
    assert.deepEqual(await collect(profiles.keyedState("seqs")), [{ key: "u0", value: [-1] }]);
    for (const name of ["profile", "kinds"]) assert.deepEqual(await collect(profiles.keyedState(name)), await collect(base.operator("profiles").keyedState(name)), name);
    const timers = async (savepoint: typeof base) => (await collect(savepoint.operator("profiles").timers())).map((t) => `${String(t.key)} ${t.time}`).sort();
    assert.ok((await timers(after)).length > 0, "the processing-time timers a day ahead are pending");
    assert.deepEqual(await timers(after), await timers(base));
  });
});
