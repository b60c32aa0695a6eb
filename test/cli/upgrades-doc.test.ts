/**
 * The step-by-step upgrade of docs/upgrades.md runs as shown: each job module is saved under the
 * file its next command names, each `npx weir` command runs in order in one scratch directory
 * (`<job id>` standing for the job id of the one job under the checkpoint directory), and prints
 * the text block after it, with paths shown relative to that directory.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const PAGE = "docs/upgrades.md";
const SECTION = "### An upgrade, step by step";

describe(`${PAGE}: ${SECTION}`, () => {
  it("runs as shown", () => {
    const page = readFileSync(PAGE, "utf8");
    const section = page.slice(page.indexOf(SECTION)).split(/^## /m)[0]!;
    const blocks = [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }));
    assert.ok(blocks.filter((b) => b.lang === "sh").length >= 3, "a run, a check and a resumed run");
    mkdirSync(".weir", { recursive: true });
    const dir = resolve(mkdtempSync(join(".weir", "upgrades-")));
    const bin = resolve("bin/weir.js");
    try {
      let module: string | undefined;
      blocks.forEach((block, i) => {
        if (block.lang === "ts" && block.code.includes("export default defineJob")) module = block.code;
        if (block.lang !== "sh") return;
        const jobIds = (): string[] => readdirSync(join(dir, ".weir", "visits")).filter((n) => n.startsWith("job-"));
        const command = block.code.includes("<job id>") ? block.code.replaceAll("<job id>", jobIds()[0]!) : block.code;
        const args = command.trim().replace(/^npx weir /, "").split(/\s+/);
        writeFileSync(join(dir, args[args[0] === "savepoint" ? 2 : 1]!), module!);
        const result = spawnSync(process.execPath, ["--conditions=weir-source", bin, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
        assert.equal(result.status, 0, `${block.code}\n${result.stderr}`);
        const expected = blocks[i + 1]!;
        assert.equal(expected.lang, "text");
        const shown = result.stdout.replaceAll(`${dir}/`, "").replaceAll(jobIds()[0]!, "<job id>");
        assert.equal(shown, expected.code, block.code);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
