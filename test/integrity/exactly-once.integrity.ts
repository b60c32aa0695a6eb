/**
 * The integrity lane: the integrity job runs with a failure injected at a random point — in user
 * code, in the synchronous or asynchronous snapshot phase, between pre-commit and commit, or by a
 * lost acknowledgement that lets a checkpoint expire — restarts from its latest checkpoint, and
 * its committed output must equal a failure-free run's (exactly-once), or contain every event
 * (at-least-once).
 *
 *   npm run test:integrity                         a few seeds (CI)
 *   WEIR_INTEGRITY_SEEDS=200 npm run test:integrity    many seeds
 *   WEIR_INTEGRITY_SEED=1234 npm run test:integrity    replay one seed
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runJob } from "../../src/index.ts";
import { armFaults, disarmFaults, type FaultPoint } from "../../src/testing/index.ts";
import { SeededRandom } from "../../src/sources/seeded-random.ts";
import { checkOutput, committedLines } from "./integrity-events.ts";

const JOB = new URL("../fixtures/jobs/integrity-job.ts", import.meta.url);
const POINTS: readonly FaultPoint[] = ["record", "snapshot-sync", "snapshot-async", "before-commit", "lose-ack"];

export interface Scenario {
  readonly seed: number;
  readonly runtime: "threads" | "single-thread";
  readonly parallelism: number;
  readonly events: number;
  readonly keys: number;
  readonly rate: number;
  readonly intervalMs: number;
  readonly mode: "exactly-once" | "at-least-once";
  readonly fault: FaultPoint;
  readonly faultAt: number;
}

export function scenario(seed: number): Scenario {
  const r = new SeededRandom(seed);
  const events = 2_000 + r.nextInt(18_000);
  const durationMs = 500 + r.nextInt(1_000);
  const fault = POINTS[r.nextInt(POINTS.length)]!;
  const parallelism = 1 + r.nextInt(3);
  return {
    seed,
    runtime: r.nextInt(4) === 0 ? "single-thread" : "threads",
    parallelism,
    events,
    keys: 1 + r.nextInt(200),
    rate: Math.ceil((events * 1000) / durationMs),
    intervalMs: 30 + r.nextInt(120),
    mode: r.nextInt(5) === 0 ? "at-least-once" : "exactly-once",
    fault,
    faultAt: fault === "record" ? 1 + r.nextInt(Math.floor(events / parallelism)) : 1 + r.nextInt(3),
  };
}

function seeds(): number[] {
  const one = process.env.WEIR_INTEGRITY_SEED;
  if (one !== undefined) return [Number(one)];
  const count = Number(process.env.WEIR_INTEGRITY_SEEDS ?? 6);
  const base = Number(process.env.WEIR_INTEGRITY_BASE ?? 1);
  return Array.from({ length: count }, (_, i) => base + i);
}

async function runScenario(s: Scenario): Promise<{ problems: string[]; fired: boolean; restarts: number }> {
  const dir = mkdtempSync(join(tmpdir(), "weir-integrity-"));
  const marker = join(dir, "fault-fired");
  armFaults([{ point: s.fault, at: s.faultAt, marker }]);
  try {
    const result = await runJob(JOB, {
      runtime: s.runtime,
      parallelism: s.parallelism,
      args: ["--events", String(s.events), "--keys", String(s.keys), "--out", join(dir, "out"), "--rate", String(s.rate)],
      checkpointing: { intervalMs: s.intervalMs, mode: s.mode, dir: join(dir, "checkpoints"), timeoutMs: s.fault === "lose-ack" ? 1_500 : 60_000 },
      restartStrategy: "fixed-delay:attempts=5,delay=0",
    });
    return { problems: checkOutput(committedLines(join(dir, "out")), s.events, s.keys, s.mode), fired: existsSync(marker), restarts: result.info.restarts };
  } finally {
    disarmFaults();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("committed output under injected failures", () => {
  for (const seed of seeds()) {
    const s = scenario(seed);
    const label = `${s.mode}, ${s.fault} fault at passage ${s.faultAt}, ${s.runtime} p=${s.parallelism}, ${s.events} events over ${s.keys} keys`;
    it(`seed ${seed}: ${label}`, { timeout: 120_000 }, async (t) => {
      const outcome = await runScenario(s);
      t.diagnostic(`fault fired: ${outcome.fired}, restarts: ${outcome.restarts}`);
      const replay = `replay: WEIR_INTEGRITY_SEED=${seed} npm run test:integrity`;
      assert.deepEqual(outcome.problems, [], `${label}\n${replay}`);
      if (outcome.fired) assert.ok(outcome.restarts >= 1, `the fault fired but the job did not restart\n${replay}`);
    });
  }
});
