import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RetriesExhausted, retryDelayMs, withRetries } from "../../src/core/retry.ts";

const policy = { attempts: 4, initialDelayMs: 100, maxDelayMs: 250 };

describe("retryDelayMs", () => {
  it("doubles the pause after each attempt up to the maximum", () => {
    assert.deepEqual([1, 2, 3, 4].map((a) => retryDelayMs(a, policy)), [100, 200, 250, 250]);
  });
});

describe("withRetries", () => {
  it("repeats a transient failure after the policy's pauses until it succeeds", async () => {
    const pauses: number[] = [];
    let calls = 0;
    const result = await withRetries(
      async () => {
        if (++calls < 3) throw new Error("lost");
        return "done";
      },
      () => true,
      policy,
      async (ms) => void pauses.push(ms),
    );
    assert.equal(result, "done");
    assert.deepEqual(pauses, [100, 200]);
  });

  it("gives up after the policy's attempts with the last error", async () => {
    let calls = 0;
    const error = await withRetries(
      () => Promise.reject(new Error(`lost ${++calls}`)),
      () => true,
      policy,
      async () => {},
    ).catch((e: unknown) => e);
    assert.ok(error instanceof RetriesExhausted);
    assert.equal(error.attempts, 4);
    assert.equal((error.cause as Error).message, "lost 4");
  });

  it("rethrows a failure that is not transient at once, even a thrown string", async () => {
    let calls = 0;
    await assert.rejects(
      withRetries(
        () => {
          calls++;
          return Promise.reject("syntax error");
        },
        (e) => e !== "syntax error",
        policy,
        async () => {},
      ),
      (e) => e === "syntax error",
    );
    assert.equal(calls, 1);
  });
});
