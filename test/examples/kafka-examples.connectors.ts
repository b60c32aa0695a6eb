/**
 * examples/kafka-to-kafka.ts and kafka-to-postgres.ts run through the real `weir` command against
 * the local broker (and PostgreSQL), on input that examples/kafka-seed.ts wrote, and commit each
 * word's counts 1 … n once each. In the connector lane (npm run test:connectors).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readKafkaTopic } from "../../src/connectors/kafka/read-topic.ts";
import { postgresDialect } from "../../src/sinks/postgres/postgres-dialect.ts";
import { BROKERS, skipUnlessKafka } from "../connectors/kafka/broker.ts";
import { POSTGRES, skipUnless, uniqueTable, withSession } from "../connectors/services.ts";

// Probed before any test runs: a test's spawnSync blocks the event loop, which would time a probe out.
const skipKafka = await skipUnlessKafka();
const skipPostgres = skipKafka || (await skipUnless(POSTGRES));
const WORDS = 5;
const COUNT = 300;

function weir(...args: string[]): void {
  const result = spawnSync(process.execPath, ["bin/weir.js", "run", ...args], { encoding: "utf8", timeout: 120_000 });
  assert.equal(result.status, 0, `weir run ${args.join(" ")}:\n${result.stderr}`);
}

/** Seeds a new topic with examples/kafka-seed.ts and returns its name. */
function seededTopic(): string {
  const topic = `weir-example-words-${process.pid}-${Date.now().toString(36)}`;
  weir("examples/kafka-seed.ts", "--quiet", "-p", "1", "--", "--brokers", BROKERS[0]!, "--topic", topic, "--count", String(COUNT), "--words", String(WORDS));
  return topic;
}

/** Every word's counts 1 … n once each, as sorted "word count" lines. */
function expectedCounts(): string[] {
  const lines: string[] = [];
  for (let w = 0; w < WORDS; w++) for (let c = 1; c <= COUNT / WORDS; c++) lines.push(`w${w} ${c}`);
  return lines.sort();
}

function withCheckpointDir(run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "weir-kafka-example-"));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("examples/kafka-to-kafka.ts", { skip: skipKafka }, () => {
  it("writes each word's counts once, as a read_committed consumer reads them", { timeout: 300_000 }, async () => {
    const input = seededTopic();
    const out = `${input}-counts`;
    withCheckpointDir((dir) => weir("examples/kafka-to-kafka.ts", "--quiet", "-p", "2", "--checkpoint-dir", dir, "--", "--brokers", BROKERS[0]!, "--in", input, "--out", out, "--bounded", "--checkpoint-interval", "200"));
    const counts = await readKafkaTopic<{ word: string; count: number }>({ bootstrapServers: BROKERS, topic: out });
    assert.deepEqual(counts.map((c) => `${c.word} ${c.count}`).sort(), expectedCounts());
  });
});

describe("examples/kafka-to-postgres.ts", { skip: skipPostgres }, () => {
  it("inserts each word's counts once", { timeout: 300_000 }, async () => {
    const input = seededTopic();
    const table = uniqueTable("weir_example_counts");
    try {
      withCheckpointDir((dir) =>
        weir("examples/kafka-to-postgres.ts", "--quiet", "-p", "2", "--checkpoint-dir", dir, "--", "--brokers", BROKERS[0]!, "--in", input, "--table", table, "--port", String(POSTGRES.connection.port), "--bounded", "--checkpoint-interval", "200"),
      );
      const rows = await withSession(POSTGRES, postgresDialect, (s) => s.query(`SELECT word, count FROM ${table}`));
      assert.deepEqual(rows.map((r) => `${String(r.word)} ${String(r.count)}`).sort(), expectedCounts());
    } finally {
      await withSession(POSTGRES, postgresDialect, (s) => s.query(`DROP TABLE IF EXISTS ${table}`));
    }
  });
});
