/**
 * docs/state-processor.md runs as shown: its bootstrap script writes a savepoint and prints the
 * counts back, and the `npx weir run` command after it commits the lines its comment lists; the
 * reminders job of its timers section, saved under the name its commands give, prints what the
 * page shows from the savepoint the bootstrap script writes and from the one the rewrite script
 * makes of it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { committedFileLines } from "../../src/sinks/committing-file-sink.ts";

const blocks = [...readFileSync("docs/state-processor.md", "utf8").matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }));

describe("docs/state-processor.md", () => {
  it("bootstraps the counts that the exactly-once demonstration then continues from", () => {
    const index = blocks.findIndex((b) => b.lang === "ts" && b.code.includes("SavepointWriter.newSavepoint"));
    const command = blocks.slice(index).find((b) => b.lang === "sh" && b.code.includes("npx weir run "))!.code;
    mkdirSync(".weir", { recursive: true });
    const dir = mkdtempSync(join(".weir", "state-processor-docs-"));
    const [runLine, catLine] = command.replace(/\\\n\s*/g, "").trim().split("\n");
    const args = runLine!.slice(runLine!.indexOf("npx weir ") + "npx weir ".length).split(/\s+/);
    const out = args[args.indexOf("--out") + 1]!;
    const written = [".weir/bootstrapped", out, args[args.indexOf("--checkpoint-dir") + 1]!];
    try {
      const script = join(dir, "bootstrap.ts");
      writeFileSync(script, blocks[index]!.code);
      const wrote = spawnSync(process.execPath, ["--import", "tsx", "--conditions=weir-source", script], { encoding: "utf8", timeout: 60_000 });
      assert.equal(wrote.status, 0, wrote.stderr);
      assert.deepEqual(wrote.stdout.split("\n").filter((l) => l !== "").sort(), ["key 0: 40", "key 1: 10", "key 2: 20", "key 3: 30"]);

      const ran = spawnSync(process.execPath, ["bin/weir.js", ...args], { encoding: "utf8", timeout: 60_000 });
      assert.equal(ran.status, 0, ran.stderr);
      const expected = catLine!.slice(catLine!.indexOf("#") + 1).trim().replace(/, one per line$/, "");
      assert.equal(committedFileLines(out).sort().join(" "), expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      for (const path of written) rmSync(path, { recursive: true, force: true });
    }
  });

  it("bootstraps the reminders job's balances and timers, and a rewrite keeps the timers while it changes the balances", () => {
    const start = blocks.findIndex((b) => b.lang === "ts" && b.code.includes("class Reminders"));
    const section = blocks.slice(start, blocks.findIndex((b, i) => i > start && b.lang === "ts" && b.code.includes("readSavepoint(")));
    assert.ok(section.filter((b) => b.lang === "sh").length >= 2, "a run from the bootstrapped savepoint and one from the rewritten one");
    mkdirSync(".weir", { recursive: true });
    const dir = resolve(mkdtempSync(join(".weir", "state-processor-timers-")));
    try {
      section.forEach((block, i) => {
        if (block.lang === "ts" && block.code.includes("export default defineJob")) return;
        if (block.lang === "ts") {
          const script = join(dir, `script-${i}.ts`);
          writeFileSync(script, block.code);
          const ran = spawnSync(process.execPath, ["--import", "tsx", "--conditions=weir-source", script], { cwd: dir, encoding: "utf8", timeout: 60_000 });
          assert.equal(ran.status, 0, ran.stderr);
          return;
        }
        if (block.lang !== "sh") return;
        const args = block.code.trim().replace(/^npx weir /, "").split(/\s+/);
        writeFileSync(join(dir, args[1]!), section[0]!.code);
        const ran = spawnSync(process.execPath, ["--conditions=weir-source", resolve("bin/weir.js"), ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
        assert.equal(ran.status, 0, ran.stderr);
        const expected = section[i + 1]!;
        assert.equal(expected.lang, "text");
        const lines = (text: string) => text.split("\n").filter((l) => l !== "").sort();
        assert.deepEqual(lines(ran.stdout), lines(expected.code), block.code);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
