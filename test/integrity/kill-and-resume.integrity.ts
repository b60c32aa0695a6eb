/**
 * The demonstration as a contract: examples/exactly-once.ts runs as a child process that is
 * killed with SIGKILL at random moments and resumed with `--from latest`, until it finishes; the
 * committed files must then hold, for every key k, exactly `k,1` … `k,n_k` once each.
 *
 *   WEIR_KILL_SEEDS=50 npm run test:integrity -- kill          many seeds
 *   WEIR_INTEGRITY_SEED=7 npm run test:integrity -- kill       replay one seed
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SeededRandom } from "../../src/sources/seeded-random.ts";
import { checkDemonstration, committedLines } from "./integrity-events.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Seeds: WEIR_INTEGRITY_SEED (one), else WEIR_KILL_SEEDS of them (default 3) from WEIR_INTEGRITY_BASE. */
function seeds(): number[] {
  const one = process.env.WEIR_INTEGRITY_SEED;
  if (one !== undefined) return [Number(one)];
  const count = Number(process.env.WEIR_KILL_SEEDS ?? 3);
  const base = Number(process.env.WEIR_INTEGRITY_BASE ?? 1);
  return Array.from({ length: count }, (_, i) => base + i);
}

/** How many checkpoints under `dir` completed (have their `_metadata`). */
function completedCheckpoints(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const job of readdirSync(dir)) {
    const jobDir = join(dir, job);
    for (const c of readdirSync(jobDir)) if (c.startsWith("chk-") && existsSync(join(jobDir, c, "_metadata"))) n++;
  }
  return n;
}

/**
 * When to kill a run: `afterMs` after it starts, or `afterMs` after a checkpoint newer than the
 * ones present at its start completed (so that most kills leave something to resume from).
 */
type KillPlan = { readonly kind: "never" } | { readonly kind: "at"; readonly afterMs: number } | { readonly kind: "after-checkpoint"; readonly afterMs: number; readonly dir: string };

interface RunOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

function runWeir(args: readonly string[], kill: KillPlan): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "bin/weir.js"), ...args], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    let timer: ReturnType<typeof setTimeout> | undefined;
    let poll: ReturnType<typeof setInterval> | undefined;
    if (kill.kind === "at") timer = setTimeout(() => child.kill("SIGKILL"), kill.afterMs);
    if (kill.kind === "after-checkpoint") {
      const before = completedCheckpoints(kill.dir);
      poll = setInterval(() => {
        if (completedCheckpoints(kill.dir) <= before) return;
        clearInterval(poll);
        timer = setTimeout(() => child.kill("SIGKILL"), kill.afterMs);
      }, 10);
    }
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      resolve({ code, signal, stderr });
    });
  });
}

describe("the exactly-once demonstration, killed with SIGKILL and resumed with --from latest", () => {
  for (const seed of seeds()) {
    const r = new SeededRandom(seed);
    const events = 20_000 + r.nextInt(40_000);
    const keys = 1 + r.nextInt(150);
    const parallelism = 1 + r.nextInt(2);
    const interval = 50 + r.nextInt(200);
    const kills = 1 + r.nextInt(3);
    const rate = Math.ceil(events / 3);
    const label = `${events} events over ${keys} keys, p=${parallelism}, checkpoints every ${interval} ms, ${kills} kills`;
    it(`seed ${seed}: ${label}`, { timeout: 180_000 }, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), "weir-kill-"));
      const checkpoints = join(dir, "checkpoints");
      const out = join(dir, "out");
      const replay = `replay: WEIR_INTEGRITY_SEED=${seed} npm run test:integrity -- kill`;
      try {
        const base = ["run", "examples/exactly-once.ts", "--quiet", "-p", String(parallelism), "--checkpoint-interval", String(interval), "--checkpoint-dir", checkpoints];
        const jobArgs = ["--", "--events", String(events), "--keys", String(keys), "--out", out, "--rate", String(rate)];
        let resumed = 0;
        for (let k = 0; k <= kills; k++) {
          const from = completedCheckpoints(checkpoints) > 0 ? ["--from", "latest"] : [];
          if (from.length > 0) resumed++;
          const last = k === kills;
          const plan: KillPlan = last
            ? { kind: "never" }
            : r.nextInt(4) === 0
              ? { kind: "at", afterMs: 300 + r.nextInt(1_500) }
              : { kind: "after-checkpoint", afterMs: r.nextInt(interval * 3), dir: checkpoints };
          const outcome = await runWeir([...base, ...from, ...jobArgs], plan);
          if (last) assert.equal(outcome.code, 0, `the final run failed:\n${outcome.stderr}\n${replay}`);
          else if (outcome.signal !== "SIGKILL") assert.equal(outcome.code, 0, `run ${k + 1} failed before it was killed:\n${outcome.stderr}\n${replay}`);
        }
        t.diagnostic(`resumed from a checkpoint ${resumed} time(s)`);
        assert.deepEqual(checkDemonstration(committedLines(out), events, keys), [], `${label}\n${replay}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
