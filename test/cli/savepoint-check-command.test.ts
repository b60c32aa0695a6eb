import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { CapturedIo } from "./captured-io.ts";
import { runCheckpointed } from "./checkpointed-run.ts";

const CHANGED_JOB = "test/fixtures/jobs/cli-checkpointed-v2.ts";

async function weir(...argv: string[]): Promise<{ code: number; io: CapturedIo }> {
  const io = new CapturedIo();
  const code = await main(argv, io);
  return { code, io };
}

/** The `chk-<n>` directory of a finished run of the checkpointed fixture job (sum by key, uids numbers / sum-by-key / discard). */
async function withCheckpoint(run: (chk: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "weir-savepoint-check-"));
  try {
    const { code, io } = await runCheckpointed(dir, "--quiet");
    assert.equal(code, 0, io.err);
    const jobDir = join(dir, readdirSync(dir)[0]!);
    await run(join(jobDir, readdirSync(jobDir).find((n) => n.startsWith("chk-"))!));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report's lines as [label, operator id], in order. */
function findings(out: string): string[][] {
  return [...out.matchAll(/^ {2}(\S+(?: \S+)*?) {2,}(?:'([^']*)'|(--map-uid \S+))/gm)].map((m) => [m[1]!, m[2] ?? m[3]!]);
}

describe("weir savepoint check", () => {
  it("reports every operator of an unchanged job restored (one that held no state says so), and exits 0", async () => {
    await withCheckpoint(async (chk) => {
      const { code, io } = await weir("savepoint", "check", CHANGED_JOB, chk, "-p", "1");
      assert.equal(code, 0, io.err);
      assert.match(io.out, /^restoring .*chk-\d+\/_metadata \(checkpoint \d+ of job job-/);
      assert.deepEqual(findings(io.out), [
        ["restored", "numbers"],
        ["restored", "sum-by-key"],
        ["restored", "discard"],
      ]);
      assert.match(io.out, /restored +'discard' \(it held no state\)/);
      assert.match(io.out, /the restore would go ahead\n$/);
    });
  });

  it("reports another parallelism and max parallelism as allowed, with what moves", async () => {
    await withCheckpoint(async (chk) => {
      const { code, io } = await weir("savepoint", "check", CHANGED_JOB, chk, "-p", "2", "--max-parallelism", "64");
      assert.equal(code, 0, io.err);
      assert.match(io.out, /parallelism changed +'sum-by-key': 1 -> 2, allowed: keyed state and timers re-bucketed by key into 64 key groups over 2 subtasks/);
      assert.match(io.out, /max parallelism changed +'sum-by-key': 128 -> 64, allowed/);
      assert.match(io.out, /parallelism changed +'numbers': 1 -> 2, allowed: operator state redistributed/);
    });
  });

  it("reports a renamed uid's state as dropped and exits 1 with the code; --map-uid restores it, --allow-non-restored-state drops it", async () => {
    await withCheckpoint(async (chk) => {
      const refused = await weir("savepoint", "check", CHANGED_JOB, chk, "-p", "1", "--", "--rename");
      assert.equal(refused.code, 1);
      assert.deepEqual(findings(refused.io.out), [
        ["restored", "numbers"],
        ["new", "sums"],
        ["restored", "discard"],
        ["dropped", "sum-by-key"],
      ]);
      assert.match(refused.io.out, /the restore would be refused \(WEIR_ERR_UID_MISMATCH, see docs\/errors.md\)\n$/);
      const mapped = await weir("savepoint", "check", CHANGED_JOB, chk, "-p", "1", "--map-uid", "sum-by-key=sums", "--", "--rename");
      assert.equal(mapped.code, 0, mapped.io.out);
      assert.match(mapped.io.out, /restored +'sums' from 'sum-by-key' \(--map-uid\)/);
      const allowed = await weir("savepoint", "check", CHANGED_JOB, chk, "-p", "1", "--allow-non-restored-state", "--", "--rename");
      assert.equal(allowed.code, 0, allowed.io.out);
      assert.match(allowed.io.out, /dropped +'sum-by-key': its state matches no operator of the job and is left out/);
    });
  });

  it("reports new operators, and stateful ones without a uid, without refusing", async () => {
    await withCheckpoint(async (chk) => {
      const { code, io } = await weir("savepoint", "check", CHANGED_JOB, chk, "-p", "1", "--", "--with-count");
      assert.equal(code, 0, io.out);
      const lines = findings(io.out);
      assert.deepEqual(lines.slice(0, 2), [
        ["restored", "numbers"],
        ["restored", "sum-by-key"],
      ]);
      assert.deepEqual(
        lines.slice(2).map(([label, id]) => `${label} ${id!.replace(/#\d+$/, "#n")}`),
        ["new Map#n", "new KeyedProcess#n", "no uid KeyedProcess#n", "new Sink#n", "no uid Sink#n"],
      );
    });
  });

  it("refuses a uid mapping that names an id not in the checkpoint", async () => {
    await withCheckpoint(async (chk) => {
      const { code, io } = await weir("savepoint", "check", CHANGED_JOB, chk, "-p", "1", "--map-uid", "sum-by-kye=sums", "--", "--rename");
      assert.equal(code, 1);
      assert.match(io.out, /uid mapping +--map-uid sum-by-kye=sums: the checkpoint has no operator 'sum-by-kye'; refused/);
    });
  });

  it("says what is wrong with a path that holds no checkpoint, with its code, and a missing argument as a usage error", async () => {
    const none = await weir("savepoint", "check", CHANGED_JOB, join(tmpdir(), "weir-no-such-savepoint"));
    assert.equal(none.code, 1);
    assert.match(none.io.err, /^weir savepoint check: .*\n {2}code: WEIR_ERR_CHECKPOINT_NOT_FOUND/);
    const usage = await weir("savepoint", "check", CHANGED_JOB);
    assert.equal(usage.code, 2);
    assert.match(usage.io.err, /give the job file and the savepoint or checkpoint path/);
  });
  it("refuses a parallelism above the max parallelism with WEIR_ERR_PARALLELISM_ABOVE_MAX, as run --from does before anything starts", async () => {
    await withCheckpoint(async (chk) => {
      const check = await weir("savepoint", "check", CHANGED_JOB, chk, "-p", "3", "--max-parallelism", "2");
      assert.equal(check.code, 1);
      assert.match(check.io.err, /parallelism 3, above the job's max parallelism 2[^]*code: WEIR_ERR_PARALLELISM_ABOVE_MAX/);
      const run = await weir("run", CHANGED_JOB, "--single-thread", "-p", "3", "--max-parallelism", "2", "--checkpoint-interval", "1h", "--checkpoint-dir", join(chk, "..", ".."), "--from", chk);
      assert.equal(run.code, 1);
      assert.match(run.io.err, /^job refused: .*parallelism 3, above the job's max parallelism 2[^]*code: WEIR_ERR_PARALLELISM_ABOVE_MAX/);
    });
  });

  describe("keyed state schemas", () => {
    const VISITS_JOB = "test/fixtures/jobs/schema-visits.ts";

    /** A checkpoint of the visits job with its state at version 1, checked against the job with `args`. */
    async function check(...args: string[]): Promise<{ code: number; io: CapturedIo }> {
      const dir = mkdtempSync(join(tmpdir(), "weir-savepoint-check-schema-"));
      try {
        const io = new CapturedIo();
        assert.equal(await main(["run", VISITS_JOB, "--single-thread", "-p", "1", "--checkpoint-interval", "1h", "--checkpoint-dir", dir, "--quiet"], io), 0, io.err);
        const jobDir = join(dir, readdirSync(dir)[0]!);
        const chk = join(jobDir, readdirSync(jobDir).find((n) => n.startsWith("chk-"))!);
        return await weir("savepoint", "check", VISITS_JOB, chk, "-p", "1", "--allow-non-restored-state", "--", "--batch", "2", ...args);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    it("reports a state whose version grew with a migration as migrated, and exits 0", async () => {
      const { code, io } = await check("--schema", "v2");
      assert.equal(code, 0, io.out + io.err);
      assert.match(io.out, /^ {2}state version migrated +'count-visits' state 'visits': version 1 -> 2, migrated by its descriptor's migrate/m);
    });

    it("reports a state whose version grew without a migration, and exits 1 with WEIR_ERR_STATE_MIGRATION_MISSING", async () => {
      const { code, io } = await check("--schema", "v2-no-migrate");
      assert.equal(code, 1);
      assert.match(io.out, /^ {2}state version changed without a migration {2}'count-visits' state 'visits' was written at version 1 and its descriptor is at version 2/m);
      assert.match(io.out, /the restore would be refused \(WEIR_ERR_STATE_MIGRATION_MISSING, see docs\/errors.md\)\n$/);
    });

    it("reports a state asked for as another kind, and exits 1 with WEIR_ERR_STATE_CONFLICT", async () => {
      const { code, io } = await check("--schema", "map");
      assert.equal(code, 1);
      assert.match(io.out, /^ {2}state kind changed +'count-visits' state 'visits': value state in the checkpoint, asked for as map state; refused/m);
      assert.match(io.out, /\(WEIR_ERR_STATE_CONFLICT, see docs\/errors.md\)\n$/);
    });

    it("reports nothing about states that did not change", async () => {
      const { code, io } = await check();
      assert.equal(code, 0, io.out + io.err);
      assert.doesNotMatch(io.out, /^ {2}states? /m);
    });
  });
  describe("operator states, and keyed state asked for on a record", () => {
    const JOB = "test/fixtures/jobs/operator-state-schemas.ts";
    const dir = mkdtempSync(join(tmpdir(), "weir-savepoint-check-operator-"));
    let chk = "";

    before(async () => {
      const io = new CapturedIo();
      assert.equal(await main(["run", JOB, "--single-thread", "-p", "2", "--checkpoint-interval", "1h", "--checkpoint-dir", dir, "--quiet"], io), 0, io.err);
      const jobDir = join(dir, readdirSync(dir)[0]!);
      chk = join(jobDir, readdirSync(jobDir).find((n) => n.startsWith("chk-"))!);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** The check of the job's checkpoint against the job with `args`, reading a new batch of events. */
    const check = (...args: string[]) => weir("savepoint", "check", JOB, chk, "-p", "2", "--allow-non-restored-state", "--", "--batch", "2", ...args);
    /** The report's lines about states, each as its label and what follows it. */
    const stateLines = (out: string) => [...out.matchAll(/^ {2}(state [a-z ]+?) {2,}(.*)$/gm)].map((m) => `${m[1]}: ${m[2]}`);

    it("reports operators with split list, union list and broadcast state as restored, and compares their states", async () => {
      const { code, io } = await check();
      assert.equal(code, 0, io.out + io.err);
      assert.match(io.out, /^ {2}restored +'tagger'$/m);
      assert.match(io.out, /^ {2}restored +'apply-rules'$/m);
      assert.deepEqual(stateLines(io.out), [
        "state not inspected: 'totals' list state 'history': in the checkpoint, but not asked for in open nor declared as a field of the function; not compared, it is kept and checked if the job asks for it later",
      ]);
    });

    it("reports a state asked for as another kind (list, union, broadcast), and exits 1 with WEIR_ERR_STATE_CONFLICT", async () => {
      const { code, io } = await check("--kinds", "changed");
      assert.equal(code, 1);
      assert.deepEqual(stateLines(io.out).slice(0, 4), [
        "state kind changed: 'tagger' state 'seen': operator list state in the checkpoint, asked for as union list state; refused",
        "state kind changed: 'tagger' state 'instances': union list state in the checkpoint, asked for as operator list state; refused",
        "state kind changed: 'apply-rules' state 'rules': broadcast state in the checkpoint, asked for as operator list state; refused",
        "state new: 'apply-rules' broadcast state 'rules-v2': not in the checkpoint, starts empty",
      ]);
      assert.match(io.out, /the restore would be refused \(WEIR_ERR_STATE_CONFLICT, see docs\/errors.md\)\n$/);
    });

    it("reports versions changed without a migration, the lazily asked keyed state's among them, and exits 1 with WEIR_ERR_STATE_MIGRATION_MISSING", async () => {
      const { code, io } = await check("--version", "2");
      assert.equal(code, 1);
      const refused = stateLines(io.out).filter((l) => l.startsWith("state version changed without a migration"));
      assert.deepEqual(
        refused.map((l) => /'[^']+' state '[^']+'/.exec(l)![0]),
        ["'tagger' state 'seen'", "'tagger' state 'instances'", "'apply-rules' state 'rules'", "'totals' state 'totals'"],
      );
      for (const line of refused) assert.match(line, /was written at version 1 and its descriptor is at version 2, but the descriptor has no migrate function/);
      assert.match(io.out, /\(WEIR_ERR_STATE_MIGRATION_MISSING, see docs\/errors.md\)\n$/);
    });

    it("reports versions that grew with a migration as migrated, and exits 0", async () => {
      const { code, io } = await check("--version", "2", "--migrate");
      assert.equal(code, 0, io.out + io.err);
      assert.deepEqual(
        stateLines(io.out).filter((l) => l.startsWith("state version migrated")),
        ["tagger' state 'seen", "tagger' state 'instances", "apply-rules' state 'rules", "totals' state 'totals"].map(
          (s) => `state version migrated: '${s}': version 1 -> 2, migrated by its descriptor's migrate when the function asks for it`,
        ),
      );
    });

    it("reports states the checkpoint lacks as new, of each kind", async () => {
      const { code, io } = await check("--extra");
      assert.equal(code, 0, io.out + io.err);
      assert.deepEqual(stateLines(io.out).filter((l) => l.startsWith("state new")), [
        "state new: 'tagger' operator list state 'extra-list': not in the checkpoint, starts empty",
        "state new: 'tagger' union list state 'extra-union': not in the checkpoint, starts empty",
        "state new: 'apply-rules' broadcast state 'limits': not in the checkpoint, starts empty",
      ]);
    });

    it("reports operator states not asked for in initializeState as not inspected, without refusing", async () => {
      const { code, io } = await check("--unclaimed");
      assert.equal(code, 0, io.out + io.err);
      const notInspected = stateLines(io.out).filter((l) => l.startsWith("state not inspected"));
      assert.deepEqual(notInspected.map((l) => /'[^']+' [a-z ]+ state '[^']+'/.exec(l)![0]), [
        "'tagger' operator list state 'seen'",
        "'tagger' union list state 'instances'",
        "'apply-rules' broadcast state 'rules'",
        "'totals' list state 'history'",
      ]);
      assert.match(notInspected[0]!, /not asked for in initializeState; not compared, it is kept and checked if the job asks for it later$/);
    });

    it("reports operators with operator state that match none as dropped, refused without --allow-non-restored-state", async () => {
      const { code, io } = await weir("savepoint", "check", JOB, chk, "-p", "2", "--", "--rename");
      assert.equal(code, 1);
      const dropped = findings(io.out).filter(([label]) => label === "dropped");
      assert.deepEqual(dropped, [
        ["dropped", "tagger"],
        ["dropped", "apply-rules"],
      ]);
      assert.match(io.out, /\(WEIR_ERR_UID_MISMATCH, see docs\/errors.md\)\n$/);
    });
  });
});
