import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { WeirError } from "../../src/core/errors.ts";
import { fileLinesSource } from "../../src/sources/index.ts";
import { createReader, poll, readAllSubtasks, readToEnd } from "./reading.ts";

let dir = "";
let fileCount = 0;

async function file(content: string | Buffer): Promise<string> {
  const path = join(dir, `input-${fileCount++}.txt`);
  await writeFile(path, content);
  return path;
}

async function linesOf(content: string | Buffer, maxRecords = 3): Promise<string[]> {
  return readToEnd(createReader(fileLinesSource(await file(content))), maxRecords);
}

function isSourceIoError(path: string) {
  return (error: unknown) =>
    error instanceof WeirError && error.code === "WEIR_ERR_SOURCE_IO" && error.message.includes(path);
}

describe("fileLinesSource", () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "weir-file-lines-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("emits each line without its terminator, for \\n and \\r\\n alike", async () => {
    assert.deepEqual(await linesOf("one\ntwo\r\nthree\n"), ["one", "two", "three"]);
  });

  it("emits a final line that has no newline", async () => {
    assert.deepEqual(await linesOf("one\ntwo"), ["one", "two"]);
  });

  it("a trailing newline does not make an empty last line, but blank lines inside are kept", async () => {
    assert.deepEqual(await linesOf("a\n\n\nb\n"), ["a", "", "", "b"]);
    assert.deepEqual(await linesOf("\n"), [""]);
    assert.deepEqual(await linesOf("a\n\n"), ["a", ""]);
    assert.deepEqual(await linesOf("\r\n\r\n"), ["", ""]);
  });

  it("an empty file has no lines", async () => {
    assert.deepEqual(await linesOf(""), []);
  });

  it("a byte order mark at the start is dropped", async () => {
    assert.deepEqual(await linesOf("\uFEFFfirst\nsecond"), ["first", "second"]);
  });

  it("lines split across read chunks come out whole, multi-byte characters and \\r\\n included", async () => {
    const chunk = 64 * 1024;
    const first = "x".repeat(chunk - 1);
    const second = "é".repeat(chunk);
    const third = "🌊".repeat(3 * chunk);
    const content = `${first}\r\n${second}\n${"y".repeat(chunk - 2)}🌊\n${third}`;
    const lines = await linesOf(content, 2);
    assert.equal(lines.length, 4);
    assert.ok(lines[0] === first, "a \\r\\n split between chunks is one terminator");
    assert.ok(lines[1] === second);
    assert.ok(lines[2] === `${"y".repeat(chunk - 2)}🌊`);
    assert.ok(lines[3] === third);
  });

  it("any text comes back as its lines", async () => {
    const line = fc.string({ unit: "grapheme", maxLength: 30 }).filter((s) => !/[\r\n]/.test(s));
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 20 }),
        fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 5 }),
        async (lines, crlf, lastTerminated, maxRecords) => {
          let text = lines.map((l, i) => l + (crlf[i] ? "\r\n" : "\n")).join("");
          const last = lines[lines.length - 1];
          if (!lastTerminated && last !== undefined && last !== "") text = text.slice(0, crlf[lines.length - 1] ? -2 : -1);
          if (text.startsWith("\uFEFF")) text = "\uFEFF" + text;
          assert.deepEqual(await linesOf(text, maxRecords), lines);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("file j is read by subtask j mod p, whole and in order", async () => {
    const paths = await Promise.all([0, 1, 2, 3, 4].map((j) => file(`f${j}a\nf${j}b\n`)));
    const subtasks = await readAllSubtasks(fileLinesSource(paths), 2, 3);
    assert.deepEqual(subtasks, [
      ["f0a", "f0b", "f2a", "f2b", "f4a", "f4b"],
      ["f1a", "f1b", "f3a", "f3b"],
    ]);
    const many = await readAllSubtasks(fileLinesSource(paths.slice(0, 2)), 3, 3);
    assert.deepEqual(many[2], []);
  });

  it("every line is emitted once at parallelism 1, 2 and 3", async () => {
    const paths = await Promise.all(
      Array.from({ length: 7 }, (_, j) => file(Array.from({ length: 50 + j }, (_, k) => `${j}:${k}`).join("\n"))),
    );
    const expected = (await readAllSubtasks(fileLinesSource(paths), 1, 10)).flat().sort();
    assert.equal(expected.length, 7 * 50 + 21);
    for (const parallelism of [2, 3]) {
      assert.deepEqual((await readAllSubtasks(fileLinesSource(paths), parallelism, 4)).flat().sort(), expected);
    }
  });

  it("polling never blocks: before data arrives the reader says to wait", async () => {
    const reader = createReader(fileLinesSource(await file("only\n")));
    assert.deepEqual(poll(reader, 10), { status: "nothing-available", records: [] });
    assert.deepEqual(await readToEnd(reader, 10), ["only"]);
  });

  it("reads ahead into a bounded buffer, not the whole file", async () => {
    const line = "z".repeat(99);
    const lineCount = 80_000;
    const reader = createReader(fileLinesSource(await file(`${line}\n`.repeat(lineCount))));
    await reader.open?.();
    await reader.isAvailable();
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const buffered = poll(reader, lineCount).records.length;
    assert.ok(buffered > 0 && buffered < 15_000, `${buffered} lines were buffered`);
    const rest = await readToEnd(reader, 1000);
    assert.equal(buffered + rest.length, lineCount);
  });

  it("a missing file fails with WEIR_ERR_SOURCE_IO naming the path, after the lines read before it", async () => {
    const present = await file("kept\n");
    const missing = join(dir, "no-such-file.txt");
    const reader = createReader(fileLinesSource([present, missing]));
    const lines: string[] = [];
    const failure = await (async () => {
      while (true) {
        await reader.isAvailable();
        try {
          const { status, records } = poll(reader, 10);
          lines.push(...records);
          if (status === "end-of-input") return undefined;
        } catch (error) {
          return error;
        }
      }
    })();
    assert.deepEqual(lines, ["kept"]);
    assert.ok(isSourceIoError(missing)(failure), String(failure));
    assert.throws(() => poll(reader, 10), isSourceIoError(missing));
    await reader.close?.();
  });

  it("a directory fails with WEIR_ERR_SOURCE_IO naming the path", async () => {
    await assert.rejects(readToEnd(createReader(fileLinesSource(dir)), 10), isSourceIoError(dir));
  });

  it("closing a reader mid-file stops reading", async () => {
    const reader = createReader(fileLinesSource(await file("line\n".repeat(500_000))));
    await reader.isAvailable();
    assert.equal(poll(reader, 5).records.length, 5);
    await reader.close?.();
  });

  it("is bounded, and rejects empty paths", () => {
    assert.equal(fileLinesSource([]).boundedness, "bounded");
    assert.throws(() => fileLinesSource(""), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_INVALID_ARGUMENT");
  });
});
