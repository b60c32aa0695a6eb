/**
 * Crash-test campaigns: NATS → keyed count → NATS under kill -9, checked for exactly-once by
 * reading the output subject back: each key's counts once each, as a run without failures
 * publishes them. One campaign lets the sink name messages by checkpoint positions (the default),
 * one by the records' identity (`messageId`). The kit reports the kills it made and any difference.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crashTest, describeRun } from "../../src/testing/index.ts";
import { NATS, skipUnless } from "./services.ts";
import { createStream, deleteStream, NATS_SERVER, publishJson, uniqueStream } from "./nats-streams.ts";

const JOB = new URL("../fixtures/jobs/nats-count.ts", import.meta.url);
const EVENTS = Number(process.env.WEIR_NATS_EVENTS ?? 20_000);
const KEYS = 10;
const RUNS = Number(process.env.WEIR_CONNECTOR_RUNS ?? 3);

/** Every (key, count) a run without failures publishes. */
function expectedCounts(): string[] {
  const counts: string[] = [];
  for (let k = 0; k < KEYS; k++) for (let c = 1; c <= EVENTS / KEYS; c++) counts.push(JSON.stringify([k, c]));
  return counts.sort();
}

describe("NATS → keyed count → NATS under the crash-test kit (kill -9)", { skip: await skipUnless(NATS) }, () => {
  const input = uniqueStream("weir_cin");
  const output = uniqueStream("weir_cout");
  before(async () => {
    await createStream(input);
    await createStream(output);
    await publishJson(
      Array.from({ length: EVENTS }, (_, i) => i % KEYS),
      (_, i) => `${input}.${i % 2}`,
    );
  });
  after(async () => {
    await deleteStream(input);
    await deleteStream(output);
  });

  for (const ids of ["checkpoint", "record"] as const) {
    it(`publishes each key's counts exactly once with ids from ${ids === "checkpoint" ? "checkpoint positions" : "the records"}`, { timeout: 600_000 }, async () => {
      const workDir = mkdtempSync(join(tmpdir(), "weir-connectors-"));
      const lines: string[] = [];
      try {
        const report = await crashTest(JOB, {
          runs: RUNS,
          seed: 23,
          faults: ["kill"],
          parallelism: 2,
          workDir,
          args: ["--servers", NATS_SERVER, "--in", input, "--out", `${output}.${ids}`, "--ids", ids, "--run", "{run}"],
          onReference: (_id, records) => assert.deepEqual(records.map((r) => JSON.stringify(r)).sort(), expectedCounts()),
          onProgress: (line) => lines.push(line),
        });
        const described = report.runs.map((r, i) => describeRun(r, i + 1, report.runs.length)).join("\n");
        console.log(`nats (${ids} ids):\n${lines.join("\n")}`);
        assert.equal(report.referenceProblem, undefined);
        assert.equal(report.runs.length, RUNS);
        assert.ok(report.runs.some((r) => r.faultsFired > 0 && r.recoveries > 0), `no kill fired:\n${described}`);
        assert.ok(report.ok, described);
      } finally {
        rmSync(workDir, { recursive: true, force: true });
      }
    });
  }
});
