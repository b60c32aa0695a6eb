import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

/**
 * The README's code runs as shown: each job module is saved and run with the `npx weir run`
 * command that follows it, whose output must be the text block after that; every other
 * TypeScript block runs as a script. Files go under .weir/ so that they can import "weir" by name.
 */

interface Block {
  readonly lang: string;
  readonly code: string;
}

const blocks: Block[] = [...readFileSync("README.md", "utf8").matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }));

function node(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function withScratchDir(run: (dir: string) => void): void {
  mkdirSync(".weir", { recursive: true });
  const dir = mkdtempSync(join(".weir", "readme-"));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the README", () => {
  it("has a job module, a command to run it and its output, and a script", () => {
    assert.ok(blocks.some((b) => b.lang === "ts" && b.code.includes("export default defineJob")));
    assert.ok(blocks.some((b) => b.lang === "ts" && !b.code.includes("export default")));
  });

  blocks.forEach((block, index) => {
    if (block.lang !== "ts") return;
    if (block.code.includes("export default defineJob")) {
      it(`job module ${index} prints what the README shows when run as shown`, () => {
        const commandIndex = blocks.findIndex((b, i) => i > index && b.lang === "sh" && b.code.includes("npx weir run "));
        const command = blocks[commandIndex]!.code.trim();
        const expected = blocks[commandIndex + 1]!;
        assert.equal(expected.lang, "text", "the command is followed by its output");
        const [, path, ...rest] = command.slice(command.indexOf("npx weir run ") + "npx weir ".length).split(/\s+/);
        withScratchDir((dir) => {
          const file = join(dir, basename(path!));
          writeFileSync(file, block.code);
          const result = node(["bin/weir.js", "run", file, ...rest]);
          assert.equal(result.status, 0, result.stderr);
          assert.equal(result.stdout, expected.code);
        });
      });
    } else {
      it(`script ${index} runs to completion`, () => {
        withScratchDir((dir) => {
          const file = join(dir, `script-${index}.ts`);
          writeFileSync(file, block.code);
          // As the README says to run a script in a checkout: "weir" resolves to the sources.
          const result = node(["--import", "tsx", "--conditions=weir-source", file]);
          assert.equal(result.status, 0, result.stderr);
        });
      });
    }
  });
});
