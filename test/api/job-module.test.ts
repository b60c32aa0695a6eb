import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { defineJob, isJobDefinition } from "../../src/api/define-job.ts";
import { jobModuleUrl, loadJobModule } from "../../src/api/job-module.ts";
import { JobModuleError } from "../../src/core/errors.ts";

const REPO_ROOT = resolve(import.meta.dirname, "../..");

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

  describe("reports why a job file failed to load", () => {
    /** A folder outside this repository, as a user's project or a stray job file would be. */
    function folder(files: Record<string, string>): { dir: string; [Symbol.dispose](): void } {
      const dir = mkdtempSync(join(tmpdir(), "weir-job-module-"));
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
    }
    const TYPE_MODULE = JSON.stringify({ type: "module" });

    it("a syntax error in a TypeScript job is given as file, line, column and message, without the transpiler's stack", async () => {
      using project = folder({ "package.json": TYPE_MODULE, "job.ts": "export const a: number = 1;\nexport default (a +;\n" });
      const file = join(project.dir, "job.ts");
      await assert.rejects(loadJobModule(jobModuleUrl(file), "job.ts"), (e: unknown) => {
        assert.ok(e instanceof JobModuleError);
        assert.equal(e.code, "WEIR_ERR_JOB_SYNTAX");
        assert.match(e.message, /^job file 'job\.ts' could not be loaded: syntax error at \S*job\.ts:2:\d+: Unexpected ";"$/);
        assert.equal(e.cause, undefined);
        return true;
      });
    });

    it("a syntax error in a JavaScript job is given with its line and column", async () => {
      using project = folder({ "job.mjs": "export default 1;\nconst x = ;\n" });
      await assert.rejects(loadJobModule(jobModuleUrl(join(project.dir, "job.mjs")), "job.mjs"), {
        code: "WEIR_ERR_JOB_SYNTAX",
        message: /syntax error at \S*job\.mjs:2:11: Unexpected token ';'$/,
      });
    });

    it("a job file that imports weir from a folder without weir installed says how to install it", async () => {
      using stray = folder({ "job.ts": 'import { defineJob } from "weir";\nexport default defineJob((env) => env.fromElements(1).print());\n' });
      await assert.rejects(loadJobModule(jobModuleUrl(join(stray.dir, "job.ts")), "job.ts"), (e: unknown) => {
        assert.ok(e instanceof JobModuleError);
        assert.equal(e.code, "WEIR_ERR_WEIR_NOT_INSTALLED");
        assert.match(e.message, /^job file 'job\.ts' imports "weir", but weir is not installed for it: .*'npm install weir'/);
        return true;
      });
    });

    it("a TypeScript job written as an ES module in a package without \"type\": \"module\" says to add it", async () => {
      using project = folder({
        "package.json": JSON.stringify({ name: "jobs" }),
        "job.ts": 'import { defineJob } from "weir";\nexport default defineJob((env) => env.fromElements(1).print());\n',
      });
      mkdirSync(join(project.dir, "node_modules"));
      symlinkSync(REPO_ROOT, join(project.dir, "node_modules", "weir"), "dir");
      // Loaded as the command loads it: the test runner's own TypeScript loader would hide the failure.
      const run = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "weir.js"), "run", "job.ts", "--single-thread"], { cwd: project.dir, encoding: "utf8", timeout: 60_000 });
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, /Node loads it as CommonJS because package\.json has no "type": "module".*Add "type": "module" to that package\.json, or name the job file '\.mts'/);
      assert.match(run.stderr, /code: WEIR_ERR_JOB_MODULE/);
    });

    it("a failing import of another package keeps the general code and the cause", async () => {
      using project = folder({ "package.json": TYPE_MODULE, "job.mjs": 'import "weir-no-such-package";\nexport default 1;\n' });
      await assert.rejects(loadJobModule(jobModuleUrl(join(project.dir, "job.mjs")), "job.mjs"), (e: unknown) => {
        assert.ok(e instanceof JobModuleError);
        assert.equal(e.code, "WEIR_ERR_JOB_MODULE");
        assert.match(e.message, /Cannot find package 'weir-no-such-package'/);
        assert.ok(e.cause instanceof Error);
        return true;
      });
    });
  });
});
