#!/usr/bin/env node
// Runs the tests (test/**/*.test.ts) with Node's test runner; `npm test -- <path part>` narrows them.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

function collect(dir, suffix) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...collect(path, suffix));
    else if (entry.name.endsWith(suffix)) out.push(path);
  }
  return out;
}

// "weir" resolves to the sources (the weir-source export condition), as in bin/weir.js.
// `--integrity` selects the integrity lane (test/**/*.integrity.ts); other arguments filter by path.
const argv = process.argv.slice(2);
const integrity = argv.includes("--integrity");
const filters = argv.filter((a) => a !== "--integrity");
const suffix = integrity ? ".integrity.ts" : ".test.ts";
const files = collect("test", suffix)
  .map((f) => relative(".", f))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
if (files.length === 0) {
  console.error(`no ${suffix} files match ${filters.join(" ")}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ["--import", "tsx", "--conditions=weir-source", "--test", "--test-concurrency=2", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
