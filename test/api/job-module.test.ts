import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { defineJob, isJobDefinition } from "../../src/api/define-job.ts";
import { jobModuleUrl, loadJobModule } from "../../src/api/job-module.ts";
import { JobModuleError } from "../../src/core/errors.ts";

describe("job modules", () => {
  it("defineJob marks its result so a loader can recognise it", () => {
    const job = defineJob(() => {});
    assert.equal(isJobDefinition(job), true);
    for (const other of [undefined, null, {}, () => {}, { build: () => {} }]) assert.equal(isJobDefinition(other), false);
  });

  it("a job file is named by a path relative to the working directory, a file: URL string or a URL", () => {
    const path = "test/fixtures/jobs/rt-operators.ts";
    const href = pathToFileURL(resolve(path)).href;
    assert.equal(jobModuleUrl(path), href);
    assert.equal(jobModuleUrl(href), href);
    assert.equal(jobModuleUrl(new URL(href)), href);
  });

  it("loads the default export of a job module", async () => {
    assert.equal(isJobDefinition(await loadJobModule(jobModuleUrl("test/fixtures/jobs/rt-operators.ts"))), true);
  });

  it("a module that throws while loading is refused with the cause", async () => {
    await assert.rejects(loadJobModule("data:text/javascript,throw new Error('broken at import')"), (e: unknown) => {
      assert.ok(e instanceof JobModuleError);
      assert.equal(e.code, "WEIR_ERR_JOB_MODULE");
      assert.match(e.message, /could not be loaded: broken at import/);
      assert.ok(e.cause instanceof Error);
      return true;
    });
  });
});
