/**
 * The job modules of the docs pages on process functions, async I/O, windows and joins run as shown: each is saved
 * and run with the `npx weir run` command that follows it, and prints the lines of the text block
 * after that (as a multiset: lines of different sinks may interleave).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

const PAGES = ["docs/process-functions.md", "docs/async-io.md", "docs/windows.md", "docs/joins.md"];

const sortedLines = (text: string): string[] => text.split("\n").filter((l) => l !== "").sort();

for (const page of PAGES) {
  describe(page, () => {
    const blocks = [...readFileSync(page, "utf8").matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }));
    const jobs = blocks.flatMap((b, i) => (b.lang === "ts" && b.code.includes("export default defineJob") ? [i] : []));

    it("has a runnable job module", () => assert.ok(jobs.length > 0));

    for (const index of jobs) {
      it(`job module ${index} prints what the page shows`, () => {
        const command = blocks.find((b, i) => i > index && b.lang === "sh" && b.code.includes("npx weir run "))!;
        const expected = blocks[blocks.indexOf(command) + 1]!;
        assert.equal(expected.lang, "text");
        const [, path, ...rest] = command.code.trim().slice(command.code.indexOf("npx weir run ") + "npx weir ".length).split(/\s+/);
        mkdirSync(".weir", { recursive: true });
        const dir = mkdtempSync(join(".weir", "docs-"));
        try {
          const file = join(dir, basename(path!));
          writeFileSync(file, blocks[index]!.code);
          const result = spawnSync(process.execPath, ["bin/weir.js", "run", file, ...rest], { encoding: "utf8", timeout: 60_000 });
          assert.equal(result.status, 0, result.stderr);
          assert.deepEqual(sortedLines(result.stdout), sortedLines(expected.code));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  });
}
