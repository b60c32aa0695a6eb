import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { formatRecord } from "../../src/sinks/print.ts";
import { NUMBERS } from "../fixtures/jobs/rt-sinks.ts";
import { fixtureJob } from "../runtime/job-fixtures.ts";

const CHILD = fileURLToPath(new URL("./run-job-child.ts", import.meta.url));

/** Runs the print job in a child process; its stdout and stderr are the print sinks' output. */
async function printJob(runtime: string, parallelism: number): Promise<{ stdout: string[]; stderr: string[] }> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", CHILD, fixtureJob("rt-sinks").href, runtime, String(parallelism), "--pipeline", "print"],
    { timeout: 60_000 },
  );
  const lines = (text: string) => text.split("\n").filter((l) => l.length > 0);
  return { stdout: lines(stdout), stderr: lines(stderr) };
}

describe("print sink", () => {
  it("formats strings as they are and other records as JSON, bigints as digits", () => {
    assert.equal(formatRecord("plain text"), "plain text");
    assert.equal(formatRecord({ a: 1, b: [true, null] }), '{"a":1,"b":[true,null]}');
    assert.equal(formatRecord(12n), '"12"');
    assert.equal(formatRecord({ big: 2n ** 70n }), '{"big":"1180591620717411303424"}');
  });

  for (const runtime of ["single-thread", "threads"]) {
    it(`prints one line per record, tagged with the subtask number when parallel, to stdout or stderr (${runtime})`, { timeout: 60_000 }, async () => {
      const { stdout, stderr } = await printJob(runtime, 2);
      // The source's subtask i reads the elements at indexes i, i + 2, ...; the chained print sink writes them.
      const expectedStdout = NUMBERS.map((n) => `${(n % 2) + 1}> ${JSON.stringify({ n })}`);
      assert.deepEqual([...stdout].sort(), [...expectedStdout].sort());
      for (const subtask of ["1> ", "2> "]) {
        const own = stdout.filter((l) => l.startsWith(subtask));
        assert.deepEqual(own, expectedStdout.filter((l) => l.startsWith(subtask)), `subtask ${subtask}keeps its records in order`);
      }
      assert.deepEqual([...stderr].sort(), NUMBERS.filter((n) => n % 2 === 1).map((n) => `odd odd number ${n}`).sort());
    });
  }
});
