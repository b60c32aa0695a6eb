/**
 * The session-windows example under the crash-test kit: faulted runs restore the sessions in
 * flight (merged ones included) from checkpoints and commit exactly the sessions of a run without
 * faults, which are each user's bursts of activity.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { activityOf, BURST } from "../../examples/session-windows.ts";
import { assertRecovered, crashTestExample } from "./crash-test-example.ts";

const JOB = new URL("../../examples/session-windows.ts", import.meta.url);
const EVENTS = 4000;
const USERS = 5;
const args = ["--events", String(EVENTS), "--users", String(USERS), "--rate", "6000", "--out", "{run}/out"];

/** One session per user and burst: its first and last event time and its size. */
function expectedSessions(): string[] {
  const sessions = new Map<string, { user: number; first: number; last: number; n: number }>();
  for (let seq = 0; seq < EVENTS; seq++) {
    const a = activityOf(seq, USERS);
    const id = `${a.user}/${Math.floor(Math.floor(seq / USERS) / BURST)}`;
    const s = sessions.get(id) ?? { user: a.user, first: Infinity, last: -Infinity, n: 0 };
    sessions.set(id, { user: a.user, first: Math.min(s.first, a.at), last: Math.max(s.last, a.at), n: s.n + 1 });
  }
  return [...sessions.values()].map((s) => `${s.user},${s.first},${s.last},${s.n}`).sort();
}

describe("examples/session-windows.ts under the crash-test kit", () => {
  it("commits every session once after in-process faults, restoring merged sessions", { timeout: 300_000 }, async () => {
    const { report, reference } = await crashTestExample(JOB, "session-reports", { runs: 3, seed: 7, faults: ["user", "snapshot-sync", "snapshot-async", "before-commit", "lose-ack"], parallelism: 2, args });
    assert.deepEqual((reference as string[]).slice().sort(), expectedSessions());
    assertRecovered(report);
  });

  it("commits every session once when killed with kill -9 and resumed from the latest checkpoint", { timeout: 300_000 }, async () => {
    const { report } = await crashTestExample(JOB, "session-reports", { runs: 1, seed: 4, faults: ["kill"], parallelism: 2, args });
    assertRecovered(report);
  });
});
