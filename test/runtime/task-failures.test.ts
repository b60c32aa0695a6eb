/**
 * A task that fails fails the job with a JobFailedError that names the operator (its name, not
 * the head of its chain), the subtask as "i/n" and the cause, in both runtimes. A function that
 * asks for keyed state on a non-keyed stream is refused while opening, before any record flows.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { JobFailedError, runJob, type RuntimeMode } from "../../src/index.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fixtureJob, tempDir } from "./job-fixtures.ts";

const JOB = fixtureJob("rt-failures");
const MODES: readonly RuntimeMode[] = ["single-thread", "threads"];

interface Expected {
  readonly operator: string;
  /** Every subtask that could fail first, when each of them fails. */
  readonly subtaskIndex: number | readonly number[];
  readonly parallelism: number;
  readonly code: string;
  /** With `{subtask}` standing for "i/n" of the subtask that failed. */
  readonly message: string;
}

async function expectFailure(runtime: RuntimeMode, pipeline: string, expected: Expected): Promise<{ started: boolean }> {
  let started = false;
  await assert.rejects(
    runJob(JOB, { runtime, parallelism: 2, args: ["--pipeline", pipeline], onStarted: () => (started = true) }),
    (e: unknown) => {
      assert.ok(e instanceof JobFailedError, `expected a JobFailedError, got ${String(e)}`);
      const candidates: readonly number[] = typeof expected.subtaskIndex === "number" ? [expected.subtaskIndex] : expected.subtaskIndex;
      assert.ok(candidates.includes(e.subtaskIndex), `subtask ${e.subtaskIndex} failed, expected one of ${candidates.join(", ")}`);
      assert.deepEqual(
        { operator: e.operator, parallelism: e.parallelism, code: e.code, message: e.message },
        {
          operator: expected.operator,
          parallelism: expected.parallelism,
          code: expected.code,
          message: expected.message.replace("{subtask}", `${e.subtaskIndex + 1}/${e.parallelism}`),
        },
      );
      assert.ok(e.cause instanceof Error);
      return true;
    },
  );
  return { started };
}

describe("task failures", () => {
  for (const runtime of MODES) {
    it(`every opened function is closed when a failure ends the attempt, also those of subtasks that did not fail (${runtime})`, async () => {
      const marks = join(tempDir("close-marks"), "marks.txt");
      await assert.rejects(runJob(JOB, { runtime, parallelism: 2, restartStrategy: "none", args: ["--pipeline", "close-on-failure", "--marks", marks] }), JobFailedError);
      const lines = readFileSync(marks, "utf8").trim().split("\n").sort();
      assert.deepEqual(lines, ["close 0", "close 1", "open 0", "open 1"]);
    });

    it(`a throwing map fails the job naming the operator, its subtask and the cause (${runtime})`, async () => {
      await expectFailure(runtime, "throw-head", {
        operator: "exploding map",
        subtaskIndex: 1,
        parallelism: 2,
        code: "WEIR_ERR_USER_FUNCTION",
        message: "operator 'exploding map' (subtask 2/2) failed: Error: cannot take 7",
      });
    });

    it(`a thrown string is reported as the string it is, with no misleading stack (${runtime})`, async () => {
      await expectFailure(runtime, "throw-string", {
        operator: "exploding map",
        subtaskIndex: 1,
        parallelism: 2,
        code: "WEIR_ERR_USER_FUNCTION",
        message: `operator 'exploding map' (subtask 2/2) failed: threw a string "cannot take 7", not an Error (throw an Error to get a stack trace)`,
      });
    });

    it(`a failure in a chained operator names that operator, not the head of the chain (${runtime})`, async () => {
      await expectFailure(runtime, "throw-chained", {
        operator: "chained map",
        subtaskIndex: 0,
        parallelism: 2,
        code: "WEIR_ERR_USER_FUNCTION",
        message: "operator 'chained map' (subtask 1/2) failed: RangeError: 6 is out of range",
      });
    });

    it(`a throwing sink writer fails the job naming the sink (${runtime})`, async () => {
      await expectFailure(runtime, "throw-sink", {
        operator: "fragile sink",
        subtaskIndex: 0,
        parallelism: 1,
        code: "WEIR_ERR_USER_FUNCTION",
        message: "operator 'fragile sink' (subtask 1/1) failed: Error: disk full at 5",
      });
    });

    it(`a function whose open() throws fails the job before any record flows (${runtime})`, async () => {
      const { started } = await expectFailure(runtime, "throw-in-open", {
        operator: "unopenable map",
        subtaskIndex: [0, 1],
        parallelism: 2,
        code: "WEIR_ERR_USER_FUNCTION",
        message: "operator 'unopenable map' (subtask {subtask}) failed: Error: no connection",
      });
      assert.equal(started, false);
    });

    it(`a function whose close() throws at the end of input fails the job naming it, not the head of its chain (${runtime})`, async () => {
      await expectFailure(runtime, "throw-in-close", {
        operator: "closing map",
        subtaskIndex: [0, 1],
        parallelism: 2,
        code: "WEIR_ERR_USER_FUNCTION",
        message: "operator 'closing map' (subtask {subtask}) failed: Error: could not flush",
      });
    });

    it(`keyed state asked for on a non-keyed stream is refused with its code before any record flows (${runtime})`, async () => {
      const { started } = await expectFailure(runtime, "keyed-state-outside", {
        operator: "stateful map",
        subtaskIndex: [0, 1],
        parallelism: 2,
        code: "WEIR_ERR_KEYED_STATE_OUTSIDE_KEYED_STREAM",
        message:
          "operator 'stateful map' (subtask {subtask}) failed: WeirError: operator 'stateful map' asked for keyed state 'seen', but it does not run on a keyed stream: apply keyBy() before it",
      });
      assert.equal(started, false);
    });
  }
});
