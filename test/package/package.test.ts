import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/**
 * Weir as another project uses it: the tarball `npm pack` makes, installed into a fresh folder,
 * run without the repository's sources or any TypeScript loader given on the command line.
 * One pack and one install serve every case.
 */
const REPO = resolve(".");
const TSC = join(REPO, "node_modules", "typescript", "bin", "tsc");

function run(command: string, args: readonly string[], cwd: string, timeout = 120_000): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: "utf8", timeout, killSignal: "SIGKILL", env: { ...process.env, NODE_OPTIONS: "" } });
}

const failed = (r: SpawnSyncReturns<string>) => `exit ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`;
const lines = (stdout: string) => stdout.split("\n").filter((l) => l !== "").map((l) => l.replace(/^\d+> /, "")).sort();

const JOB_TS = `import { defineJob } from "weir";

interface Reading {
  readonly sensor: string;
  readonly value: number;
}

export default defineJob((env, args) => {
  const factor = args.number("factor", 1, { min: 1 });
  env
    .fromElements<Reading>({ sensor: "a", value: 1 }, { sensor: "b", value: 2 }, { sensor: "a", value: 3 })
    .keyBy((r) => r.sensor)
    .sum("value")
    .map((r) => \`\${r.sensor} \${r.value * factor}\`)
    .print();
});
`;

const JOB_MJS = `import { defineJob } from "weir";

export default defineJob((env) => {
  env.fromElements("to be or not to be").flatMap((line) => line.split(" ")).filter((w) => w.startsWith("b")).print();
});
`;

const APP_MJS = `import { defineJob, runJob } from "weir";

const inline = defineJob((env) => {
  env.fromElements(1, 2, 3).map((n) => n * 10).collect("out");
});
const first = await runJob(inline, { parallelism: 1 });
console.log("inline " + first.collected("out").join(","));
// A module path runs on worker threads, which load the compiled package and the TypeScript job.
await runJob("job.ts", { runtime: "threads", parallelism: 2, args: ["--factor", "2"] });
`;

const TYPED_TS = `import { defineJob, type JobDefinition } from "weir";
import { injectFault } from "weir/testing";
import { readSavepoint, SavepointWriter } from "weir/state-processor";

export const job: JobDefinition = defineJob((env) => {
  env.fromElements(1, 2).map((n: number) => n + 1).print();
});
export const count: number = defineJob;
void injectFault;
void readSavepoint;
void SavepointWriter;
`;

describe("the packed weir package, installed into a fresh project", { timeout: 400_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), "weir-package-"));
  const project = join(root, "project");
  let skip: string | undefined;

  before(() => {
    // Packing builds dist/ in the checkout; a checkout runs its sources, so a dist/ left behind
    // would only go stale. Keep one only if it was there before.
    const hadDist = existsSync(join(REPO, "dist"));
    const packed = run("npm", ["pack", "--silent", "--pack-destination", root], REPO, 240_000);
    if (!hadDist) rmSync(join(REPO, "dist"), { recursive: true, force: true });
    assert.equal(packed.status, 0, `npm pack failed: ${failed(packed)}`);
    const tarball = readdirSync(root).find((f) => f.endsWith(".tgz"));
    assert.ok(tarball !== undefined, "npm pack made no tarball");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "uses-weir", private: true, type: "module" }));
    const installed = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(root, tarball)], project, 240_000);
    if (installed.status !== 0) skip = `npm could not install the packed tarball here, so the package was not tried: ${installed.stderr.trim().split("\n").at(-1)}`;
    writeFileSync(join(project, "job.ts"), JOB_TS);
    writeFileSync(join(project, "job.mjs"), JOB_MJS);
    writeFileSync(join(project, "app.mjs"), APP_MJS);
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  it("ships compiled JavaScript with type declarations and no TypeScript sources", (t) => {
    if (skip !== undefined) return t.skip(skip);
    const installed = join(project, "node_modules", "weir");
    for (const file of ["dist/index.js", "dist/index.d.ts", "dist/testing/index.js", "dist/testing/index.d.ts", "dist/state-processor/index.js", "dist/state-processor/index.d.ts", "dist/runtime/threads/worker-boot.mjs", "dist/checkpoint/storage/io-thread-boot.mjs", "bin/weir.js"]) {
      assert.ok(existsSync(join(installed, file)), `${file} is missing from the package`);
    }
    assert.equal(existsSync(join(installed, "src")), false);
  });

  it("npx weir run runs a TypeScript job, with its arguments", (t) => {
    if (skip !== undefined) return t.skip(skip);
    const result = run("npx", ["--no", "weir", "run", "job.ts", "-p", "2", "--quiet", "--", "--factor", "10"], project);
    assert.equal(result.status, 0, failed(result));
    assert.deepEqual(lines(result.stdout), ["a 10", "a 40", "b 20"]);
  });

  it("npx weir run runs a JavaScript job on one thread", (t) => {
    if (skip !== undefined) return t.skip(skip);
    const result = run("npx", ["--no", "weir", "run", "job.mjs", "--single-thread", "--quiet"], project);
    assert.equal(result.status, 0, failed(result));
    assert.deepEqual(lines(result.stdout), ["be", "be"]);
  });

  it("a plain node program imports weir and calls runJob, with a definition and with a TypeScript job's path", (t) => {
    if (skip !== undefined) return t.skip(skip);
    const result = run(process.execPath, ["app.mjs"], project);
    assert.equal(result.status, 0, failed(result));
    const out = result.stdout.split("\n");
    assert.ok(out.includes("inline 10,20,30"), result.stdout);
    assert.deepEqual(lines(out.filter((l) => !l.startsWith("inline")).join("\n")), ["a 2", "a 8", "b 4"]);
  });

  it("its type declarations check a TypeScript program that uses weir, weir/testing and weir/state-processor", (t) => {
    if (skip !== undefined) return t.skip(skip);
    writeFileSync(join(project, "typed.ts"), TYPED_TS);
    const result = run(process.execPath, [TSC, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--skipLibCheck", "typed.ts"], project);
    // The one deliberate mistake is found, so the declarations were read; nothing else is wrong.
    const errors = result.stdout.split("\n").filter((l) => l.includes("error TS"));
    assert.equal(errors.length, 1, result.stdout);
    assert.match(errors[0]!, /typed\.ts\(8,14\): error TS2322: Type '\(build: JobBuilder\) => JobDefinition' is not assignable to type 'number'/);
  });

  it("a job file outside any project with weir installed is refused with how to install it", (t) => {
    if (skip !== undefined) return t.skip(skip);
    const stray = join(root, "stray");
    mkdirSync(stray);
    writeFileSync(join(stray, "job.ts"), JOB_TS);
    const result = run("npx", ["--no", "weir", "run", join(stray, "job.ts")], project);
    assert.equal(result.status, 1, failed(result));
    assert.match(result.stderr, /imports "weir", but weir is not installed for it: .*'npm install weir'/);
    assert.match(result.stderr, /code: WEIR_ERR_WEIR_NOT_INSTALLED/);
  });
});
