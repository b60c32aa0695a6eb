#!/usr/bin/env node
// Runs the tests with Node's test runner, each file in a process of its own (scripts/test-files.mjs):
//   npm test                   test/**/*.test.ts except test/connectors/; no server needed. It
//                              prints one line per connector service saying that its tests run
//                              in the connector lane, and whether the service is up.
//   npm test -- --integrity    the integrity lane, test/**/*.integrity.ts
//   npm test -- --connectors   the connector lane: test/connectors/**/*.test.ts and the crash-test
//                              campaigns test/**/*.connectors.ts, against real servers
//                              (`npm run services:up`); a server that does not answer fails them.
// Other arguments filter files by path. Bounds: WEIR_TEST_FILE_TIMEOUT_MS per file (default 10
// minutes) and WEIR_TEST_LANE_TIMEOUT_MS for the lane (default 25 minutes); a file that passes
// either is killed and reported by name.
import { readdirSync } from "node:fs";
import { connect } from "node:net";
import { join, relative, sep } from "node:path";
import { SERVICE_PORTS } from "./service-ports.mjs";
import { describeResult, runTestFiles } from "./test-files.mjs";

function collect(dir, suffix) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...collect(path, suffix));
    else if (entry.name.endsWith(suffix)) out.push(path);
  }
  return out;
}

function answers(port) {
  return new Promise((done) => {
    const socket = connect({ host: "127.0.0.1", port });
    const finish = (ok) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}

const CONNECTORS_DIR = join("test", "connectors") + sep;
const argv = process.argv.slice(2);
const integrity = argv.includes("--integrity");
const connectors = argv.includes("--connectors");
const filters = argv.filter((a) => a !== "--integrity" && a !== "--connectors");
const lane = integrity
  ? collect("test", ".integrity.ts")
  : connectors
    ? [...collect("test/connectors", ".test.ts"), ...collect("test", ".connectors.ts")]
    : collect("test", ".test.ts").filter((f) => !f.startsWith(CONNECTORS_DIR));
const files = lane
  .map((f) => relative(".", f))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}
if (!integrity && !connectors) {
  for (const { label, port } of [SERVICE_PORTS.postgres, SERVICE_PORTS.mariadb]) {
    const state = (await answers(port)) ? "is running, unused here" : "is not running (start it with 'npm run services:up')";
    console.log(`# skip: ${label} connector tests run only in the connector lane ('npm run test:connectors'); 127.0.0.1:${port} ${state}`);
  }
}

const MINUTE = 60_000;
const result = await runTestFiles(files, {
  // "weir" resolves to the sources (the weir-source export condition), as in bin/weir.js.
  nodeArgs: ["--import", "tsx", "--conditions=weir-source"],
  concurrency: 2,
  fileTimeoutMs: Number(process.env.WEIR_TEST_FILE_TIMEOUT_MS ?? 10 * MINUTE),
  laneTimeoutMs: Number(process.env.WEIR_TEST_LANE_TIMEOUT_MS ?? 25 * MINUTE),
  env: connectors ? { ...process.env, WEIR_REQUIRE_SERVICES: "1" } : process.env,
});
process.stdout.write(describeResult(result));
process.exit(result.passed.length === files.length ? 0 : 1);
