/**
 * What the integrity lanes share: the scenario each seed stands for (a job shape of
 * fixtures/jobs/integrity-shapes.ts, its parallelism, events and keys), the check of the counts
 * a run committed, and the seeds a lane runs (WEIR_INTEGRITY_SEED, _SEEDS, _BASE).
 */
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { crashTest, type CrashTestOptions, type CrashTestReport } from "../../src/testing/crash-test/crash-test.ts";
import { parseOutputKey } from "../../src/testing/crash-test/compare-outputs.ts";
import { FAULT_KINDS } from "../../src/testing/crash-test/fault-plan.ts";
import { SeededRandom } from "../../src/sources/seeded-random.ts";
import { eventKey, SHAPES, type ShapeName } from "../fixtures/jobs/integrity-shapes.ts";

export const JOB = new URL("../fixtures/jobs/integrity-shapes.ts", import.meta.url);

export const NAMES = Object.keys(SHAPES) as ShapeName[];

export interface Scenario {
  readonly seed: number;
  readonly shape: ShapeName;
  readonly runtime: "threads" | "single-thread";
  readonly parallelism: number;
  readonly bufferSize: number | undefined;
  readonly events: number;
  readonly keys: number;
  readonly rate: number;
  /** Events in a row with one key (see eventKey). */
  readonly block: number;
}

export function scenario(seed: number): Scenario {
  const r = new SeededRandom(seed ^ 0x5eed);
  const events = 4_000 + r.nextInt(12_000);
  const durationMs = 600 + r.nextInt(900);
  return {
    seed,
    shape: NAMES[(seed - 1 + NAMES.length * 1000) % NAMES.length]!,
    runtime: r.nextInt(4) === 0 ? "single-thread" : "threads",
    parallelism: 1 + r.nextInt(4),
    bufferSize: r.nextInt(2) === 0 ? 32 : undefined,
    events,
    keys: 1 + r.nextInt(120),
    rate: Math.ceil((events * 1000) / durationMs),
    block: r.nextInt(2) === 0 ? 1 : 100 + r.nextInt(400),
  };
}

/** How a scenario reads in a test's name. */
export function describeScenario(s: Scenario): string {
  return `${s.shape}, ${s.runtime} p=${s.parallelism}${s.bufferSize === undefined ? "" : `, buffers of ${s.bufferSize}`}, ${s.events} events over ${s.keys} keys${s.block > 1 ? ` in runs of ${s.block}` : ""}`;
}

/** For every key k with n_k events, exactly `k,1` … `k,n_k` in that order; the problems found. */
export function checkCounts(lines: readonly unknown[], events: number, keys: number, block: number): string[] {
  const expected = new Map<number, number>();
  for (let s = 0; s < events; s++) expected.set(eventKey(s, keys, block), (expected.get(eventKey(s, keys, block)) ?? 0) + 1);
  const got = new Map<number, number[]>();
  for (const line of lines) {
    const [k, c] = String(line).split(",").map(Number) as [number, number];
    let list = got.get(k);
    if (list === undefined) got.set(k, (list = []));
    list.push(c);
  }
  const problems: string[] = [];
  for (const [k, n] of expected) {
    const counts = got.get(k) ?? [];
    if (counts.length !== n || counts.some((c, i) => c !== i + 1)) {
      problems.push(`key ${k}: expected ${k},1 … ${k},${n} in order, got ${counts.length} lines [${counts.slice(0, 8).join(",")}${counts.length > 8 ? ",…" : ""}]`);
    }
    if (problems.length >= 5) break;
  }
  return problems;
}

/** The seeds to run: WEIR_INTEGRITY_SEED alone, else WEIR_INTEGRITY_SEEDS (default `count`) from WEIR_INTEGRITY_BASE (default 1). */
export function seeds(count = NAMES.length): number[] {
  const one = process.env.WEIR_INTEGRITY_SEED;
  if (one !== undefined) return [Number(one)];
  const n = Number(process.env.WEIR_INTEGRITY_SEEDS ?? count);
  const base = Number(process.env.WEIR_INTEGRITY_BASE ?? 1);
  return Array.from({ length: n }, (_, i) => base + i);
}

/**
 * One seed's crash test: two reference runs, which must commit the correct counts, and one
 * faulted run, which must commit what they did. `options` adds to the kit's options (a backend,
 * incremental checkpoints).
 */
export async function crashTestScenario(t: TestContext, s: Scenario, label: string, replay: string, options: Partial<CrashTestOptions> = {}): Promise<void> {
  const reference: string[] = [];
  const report: CrashTestReport = await crashTest(JOB, {
    runs: 1,
    seed: s.seed,
    ...options,
    faults: FAULT_KINDS,
    runtime: s.runtime,
    parallelism: s.parallelism,
    ...(s.bufferSize === undefined ? {} : { bufferSize: s.bufferSize }),
    key: parseOutputKey("csv:0"),
    args: ["--shape", s.shape, "--events", String(s.events), "--keys", String(s.keys), "--rate", String(s.rate), "--block", String(s.block), "--out", "{run}/out"],
    onReference: (_sink, records) => reference.push(...checkCounts(records, s.events, s.keys, s.block)),
    replayCommand: () => replay,
  });
  for (const r of report.runs) t.diagnostic(`${r.plan}: ${r.faultsFired} fired, ${r.recoveries} recoveries`);
  assert.deepEqual(reference, [], `the run without faults committed wrong counts (${label})\n${replay}`);
  assert.equal(report.referenceProblem, undefined, `${report.referenceProblem}\n${replay}`);
  const failed = report.runs.find((r) => !r.ok);
  assert.equal(failed, undefined, failed === undefined ? "" : `${label}: ${failed.plan}\n${failed.difference === undefined ? failed.error : `sink ${failed.difference.sink}, key ${failed.difference.key}: expected ${failed.difference.expected}, got ${failed.difference.got}`}\n${replay}`);
}
