import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildJob, defineJob } from "../../src/api/define-job.ts";
import { invalidArgument, WeirError } from "../../src/core/errors.ts";

describe("defineJob's build function", () => {
  it("a thrown Error is reported with the JOB_BUILD code, its message, and the error as the cause", async () => {
    const thrown = new Error("needs --out");
    const job = defineJob(() => {
      throw thrown;
    });
    await assert.rejects(buildJob(job, {}, []), (e: unknown) => {
      assert.ok(e instanceof WeirError);
      assert.equal(e.code, "WEIR_ERR_JOB_BUILD");
      assert.equal(e.message, "the job's build function threw: Error: needs --out");
      assert.equal(e.cause, thrown);
      return true;
    });
  });

  it("a thrown string gets a code too", async () => {
    const job = defineJob(async () => {
      await Promise.resolve();
      throw "no input given";
    });
    await assert.rejects(buildJob(job, {}, []), { code: "WEIR_ERR_JOB_BUILD", message: "the job's build function threw: no input given" });
  });

  it("a WeirError thrown while building keeps its own code", async () => {
    const job = defineJob(() => {
      throw invalidArgument("job argument --keys must be at least 1, got 0");
    });
    await assert.rejects(buildJob(job, {}, []), { code: "WEIR_ERR_INVALID_ARGUMENT" });
  });

  it("a named argument the build function neither reads nor declares refuses the job, naming the ones it reads", async () => {
    const job = defineJob((env, args) => {
      env.fromElements(args.number("events", 3)).print();
    });
    await assert.rejects(buildJob(job, {}, ["--events", "2", "--bogus", "1"]), {
      code: "WEIR_ERR_UNKNOWN_JOB_ARGUMENT",
      message: /^unknown job argument --bogus: it reads --events\. /,
    });
    await buildJob(job, {}, ["--events", "2", "positional"]);
  });

  it("an argument declared in the build function, for a function to read while running, is accepted", async () => {
    const job = defineJob((env, args) => {
      args.declare("out");
      env.fromElements(1).print();
    });
    const { env } = await buildJob(job, {}, ["--out", "dir"]);
    assert.ok(env !== undefined);
  });
});
