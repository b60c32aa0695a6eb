import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { loadJetStream, loadKafkaClient, loadLmdb, loadMysqlClient, loadNatsTransport, loadPostgresClient } from "../../src/core/client-libraries.ts";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");
const CLIENT_LIBRARIES = ["@platformatic/kafka", "@nats-io/jetstream", "@nats-io/transport-node", "pg", "mysql2", "lmdb"];

/** The specifiers a module imports or re-exports at run time: declarations that are not type-only (dynamic `import()` is not one). */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly !== true) found.push((statement.moduleSpecifier as ts.StringLiteral).text);
    if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.moduleSpecifier !== undefined) found.push((statement.moduleSpecifier as ts.StringLiteral).text);
  }
  return found;
}

/** Every package reached from `entry` through static run-time imports, with the first module found importing it. */
function packagesReached(entry: string): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith(".")) {
        if (specifier.endsWith(".ts")) pending.push(resolve(dirname(file), specifier));
      } else if (!specifier.startsWith("node:") && !packages.has(specifier)) packages.set(specifier, file);
    }
  }
  return packages;
}

describe("client libraries", () => {
  for (const entry of ["index.ts", "runtime/threads/worker-main.ts", "cli/main.ts"]) {
    it(`are not imported at start by src/${entry}: a job that uses no connector never loads them`, () => {
      const reached = packagesReached(resolve(SRC, entry));
      const loaded = CLIENT_LIBRARIES.filter((name) => reached.has(name)).map((name) => `${name} (from ${reached.get(name)})`);
      assert.deepEqual(loaded, []);
    });
  }

  it("load on first use, each once", async () => {
    const [kafka, jetStream, transport, postgres, mysql] = await Promise.all([loadKafkaClient(), loadJetStream(), loadNatsTransport(), loadPostgresClient(), loadMysqlClient()]);
    assert.equal(typeof kafka.Producer, "function");
    assert.equal(typeof jetStream.jetstream, "function");
    assert.equal(typeof transport.connect, "function");
    assert.equal(typeof postgres.Client, "function");
    assert.equal(typeof mysql.createConnection, "function");
    assert.equal(typeof loadLmdb().open, "function");
    assert.equal(await loadKafkaClient(), kafka);
    assert.equal(loadLmdb(), loadLmdb());
  });
});
