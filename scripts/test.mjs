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
// `--integrity` selects the integrity lane (test/**/*.integrity.ts); `--connectors` the connector
// lane: test/connectors/**/*.test.ts and the crash-test campaigns test/**/*.connectors.ts, against
// real servers (`npm run services:up`), where a server that does not answer fails the test
// instead of skipping it. Other arguments filter by path.
const argv = process.argv.slice(2);
const integrity = argv.includes("--integrity");
const connectors = argv.includes("--connectors");
const filters = argv.filter((a) => a !== "--integrity" && a !== "--connectors");
const suffix = integrity ? ".integrity.ts" : connectors ? ".connectors.ts" : ".test.ts";
const lane = connectors ? [...collect("test/connectors", ".test.ts"), ...collect("test", suffix)] : collect("test", suffix);
if (connectors) process.env.WEIR_REQUIRE_SERVICES = "1";
const files = lane
  .map((f) => relative(".", f))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
if (files.length === 0) {
  console.error(`no ${suffix} files match ${filters.join(" ")}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ["--import", "tsx", "--conditions=weir-source", "--test", "--test-concurrency=2", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
