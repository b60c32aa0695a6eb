import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runJob } from "../../src/index.ts";
import { fileSink, type FileSinkOptions } from "../../src/sinks/file.ts";
import type { SinkContext } from "../../src/sinks/sink.ts";
import { sinkContext } from "./sink-context.ts";
import { NUMBERS } from "../fixtures/jobs/rt-sinks.ts";
import { fixtureJob, tempDir } from "../runtime/job-fixtures.ts";

const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");

function context(subtaskIndex: number): SinkContext {
  return sinkContext({ subtaskIndex, parallelism: 2, operatorId: "files", checkpointing: false });
}

async function writeAll<T>(options: FileSinkOptions, subtaskIndex: number, records: readonly T[]): Promise<void> {
  const writer = await fileSink<T>(options).createWriter(context(subtaskIndex));
  for (const r of records) writer.write(r);
  await writer.flush?.();
  await writer.close?.();
}

describe("file sink", () => {
  for (const runtime of ["single-thread", "threads"] as const) {
    it(`writeAsText writes each subtask's records, one per line, to its own part file (${runtime})`, async () => {
      const dir = tempDir("file-sink");
      await runJob(fixtureJob("rt-sinks"), { runtime, parallelism: 2, args: ["--pipeline", "file", "--dir", dir] });
      assert.deepEqual(readdirSync(dir).sort(), ["custom-0", "custom-1", "part-0", "part-1"]);
      for (const s of [0, 1]) {
        const mine = NUMBERS.filter((n) => n % 2 === s);
        assert.equal(read(dir, `part-${s}`), mine.map((n) => `${JSON.stringify({ n, square: n * n })}\n`).join(""));
        assert.equal(read(dir, `custom-${s}`), mine.map((n) => `<${n}>\n`).join(""));
      }
    });
  }

  it("creates the directory, and by default replaces what a part file held", async () => {
    const dir = join(tempDir("file-sink"), "nested", "out");
    await writeAll({ dir }, 1, ["old", "lines", "here"]);
    await writeAll({ dir }, 1, ["new"]);
    assert.equal(read(dir, "part-1"), "new\n");
  });

  it("in append mode adds to what a part file held", async () => {
    const dir = tempDir("file-sink");
    writeFileSync(join(dir, "log-0"), "before\n");
    await writeAll({ dir, prefix: "log", mode: "append" }, 0, [1, 2]);
    await writeAll({ dir, prefix: "log", mode: "append" }, 0, [{ three: 3 }]);
    assert.equal(read(dir, "log-0"), 'before\n1\n2\n{"three":3}\n');
  });

  it("writes everything it buffered, however large, by the time it is closed", async () => {
    const dir = tempDir("file-sink");
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${"x".repeat(20)}`);
    await writeAll({ dir }, 0, lines);
    assert.equal(read(dir, "part-0"), lines.map((l) => `${l}\n`).join(""));
  });
});
