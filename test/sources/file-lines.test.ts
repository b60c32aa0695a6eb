import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { WeirError } from "../../src/core/errors.ts";
import { encodeOperatorSnapshot, decodeOperatorSnapshot } from "../../src/runtime/operator-snapshot.ts";
import { fileLinesSource, type SourceReader } from "../../src/sources/index.ts";
import { createReader, poll, readAllSubtasks, readerContext, readToEnd } from "./reading.ts";

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

/** Polls until `count` lines were handed over (never more), or the input ended. */
async function readLines(reader: SourceReader<string>, count: number, maxRecords: number): Promise<string[]> {
  const lines: string[] = [];
  while (lines.length < count) {
    const { status, records } = poll(reader, Math.min(maxRecords, count - lines.length));
    lines.push(...records);
    if (status === "end-of-input") break;
    if (status === "nothing-available") await reader.isAvailable();
  }
  return lines;
}

/** A position as the runtime stores and hands it back: encoded into a checkpoint's state file and decoded. */
function throughCheckpoint(position: unknown): unknown {
  return decodeOperatorSnapshot(encodeOperatorSnapshot({ keyed: undefined, timers: [], state: position }), "test").state;
}

function restoredReader(paths: readonly string[], restoredState: unknown, subtaskIndex = 0, parallelism = 1): SourceReader<string> {
  return fileLinesSource(paths).createReader({ ...readerContext(subtaskIndex, parallelism), restoredState });
}

function isInvalidPosition(...parts: readonly (string | RegExp)[]) {
  return (error: unknown) => {
    assert.ok(error instanceof WeirError, String(error));
    assert.equal(error.code, "WEIR_ERR_INVALID_ARGUMENT", error.message);
    for (const part of parts) assert.match(error.message, typeof part === "string" ? new RegExp(part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : part);
    return true;
  };
}

describe("fileLinesSource read positions", () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "weir-file-lines-positions-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("lines before a snapshot and the lines of a reader restored from it are all the lines, once, for any split", async () => {
    const line = fc.string({ unit: "grapheme", maxLength: 12 }).filter((s) => !/[\r\n]/.test(s) && !s.startsWith("\uFEFF"));
    const fileContent = fc.record({
      lines: fc.array(line, { maxLength: 12 }),
      crlf: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      lastTerminated: fc.boolean(),
      bom: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fileContent, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(),
        async (contents, parallelism, maxRecords, splitSeed) => {
          const paths: string[] = [];
          const expectedPerFile: string[][] = [];
          for (const c of contents) {
            let text = c.lines.map((l, i) => l + (c.crlf[i] ? "\r\n" : "\n")).join("");
            const last = c.lines[c.lines.length - 1];
            if (!c.lastTerminated && last !== undefined && last !== "") text = text.slice(0, c.crlf[c.lines.length - 1] ? -2 : -1);
            paths.push(await file((c.bom ? "\uFEFF" : "") + text));
            expectedPerFile.push(c.lines);
          }
          for (let subtask = 0; subtask < parallelism; subtask++) {
            const expected = expectedPerFile.filter((_, j) => j % parallelism === subtask).flat();
            const split = splitSeed % (expected.length + 1);
            const first = createReader(fileLinesSource(paths), subtask, parallelism);
            await first.open?.();
            const before = await readLines(first, split, maxRecords);
            const position = throughCheckpoint(first.snapshotState!());
            await first.close?.();
            const second = restoredReader(paths, position, subtask, parallelism);
            const after = await readToEnd(second, maxRecords);
            assert.deepEqual([...before, ...after], expected, `split after ${split} lines at ${JSON.stringify(position)}`);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("the position is that of the last line handed over, not of what was read ahead", async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => `${i}:${"é".repeat(i % 7)}🌊`);
    const content = lines.map((l, i) => l + (i % 3 === 0 ? "\r\n" : "\n")).join("");
    const path = await file(content);
    const reader = createReader(fileLinesSource(path));
    await reader.open?.();
    await reader.isAvailable();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    const taken = await readLines(reader, 1234, 100);
    const position = reader.snapshotState!() as { file: number; offset: number };
    const expectedOffset = Buffer.byteLength(lines.slice(0, 1234).map((l, i) => l + (i % 3 === 0 ? "\r\n" : "\n")).join(""));
    assert.deepEqual(position, { file: 0, path, offset: expectedOffset });
    assert.deepEqual(taken, lines.slice(0, 1234));
    await reader.close?.();
    assert.deepEqual(await readToEnd(restoredReader([path], position), 500), lines.slice(1234));
  });

  it("splits next to the read chunks' boundaries, inside multi-byte characters and \\r\\n, resume exactly", async () => {
    const chunk = 64 * 1024;
    const lines = [
      "x".repeat(chunk - 2),
      "é".repeat(chunk / 2 + 1),
      "y",
      `${"z".repeat(chunk - 3)}🌊`,
      "",
      "🌊".repeat(chunk),
      "last without terminator",
    ];
    const path = await file(lines.map((l, i) => (i === lines.length - 1 ? l : l + (i % 2 === 0 ? "\r\n" : "\n"))).join(""));
    for (let split = 0; split <= lines.length; split++) {
      const reader = createReader(fileLinesSource(path));
      await reader.open?.();
      const before = await readLines(reader, split, 1);
      const position = throughCheckpoint(reader.snapshotState!());
      await reader.close?.();
      const after = await readToEnd(restoredReader([path], position), 2);
      assert.equal(before.length + after.length, lines.length, `split ${split}`);
      assert.ok([...before, ...after].every((l, i) => l === lines[i]), `split ${split}: lines differ`);
    }
  });

  it("offsets count bytes, so text that is not valid UTF-8 resumes at the right line", async () => {
    const content = Buffer.concat([Buffer.from("ok\n"), Buffer.from([0xff, 0xfe, 0x41, 0x0a, 0xe2, 0x82, 0x0a]), Buffer.from("after\n")]);
    const path = await file(content);
    const all = await readToEnd(createReader(fileLinesSource(path)), 10);
    assert.equal(all.length, 4);
    for (let split = 0; split <= all.length; split++) {
      const reader = createReader(fileLinesSource(path));
      await reader.open?.();
      const before = await readLines(reader, split, 1);
      const position = reader.snapshotState!();
      await reader.close?.();
      assert.deepEqual([...before, ...(await readToEnd(restoredReader([path], position), 1))], all, `split ${split}`);
    }
  });

  it("a byte order mark is dropped at the start of a file only, also when resuming from the start", async () => {
    const path = await file("\uFEFFone\ntwo\n");
    const fresh = createReader(fileLinesSource(path));
    await fresh.open?.();
    const start = fresh.snapshotState!();
    assert.deepEqual(start, { file: 0, path, offset: 0 });
    await fresh.close?.();
    assert.deepEqual(await readToEnd(restoredReader([path], start), 5), ["one", "two"]);
    const reader = createReader(fileLinesSource(path));
    await reader.open?.();
    assert.deepEqual(await readLines(reader, 1, 5), ["one"]);
    const position = reader.snapshotState!() as { offset: number };
    assert.equal(position.offset, 3 + "one\n".length);
    await reader.close?.();
    assert.deepEqual(await readToEnd(restoredReader([path], position), 5), ["two"]);
  });

  it("a position taken at the end of input resumes to nothing; one in a later file skips the earlier ones", async () => {
    const paths = [await file("a\nb\n"), await file(""), await file("c\nd")];
    const reader = createReader(fileLinesSource(paths));
    assert.deepEqual(await readToEnd(reader, 10), ["a", "b", "c", "d"]);
    const end = reader.snapshotState!();
    assert.deepEqual(end, { file: 2, path: paths[2], offset: 3 });
    assert.deepEqual(await readToEnd(restoredReader(paths, end), 10), []);
    assert.deepEqual(await readToEnd(restoredReader(paths, { file: 2, path: paths[2], offset: 2 }), 10), ["d"]);
    assert.deepEqual(await readToEnd(restoredReader(paths, { file: 1, path: paths[1], offset: 0 }), 10), ["c", "d"]);
  });

  it("a subtask with no files snapshots and restores an empty position", async () => {
    const paths = [await file("only\n")];
    const reader = createReader(fileLinesSource(paths), 1, 2);
    assert.deepEqual(await readToEnd(reader, 10), []);
    const position = reader.snapshotState!();
    assert.deepEqual(position, { file: 0, path: null, offset: 0 });
    assert.deepEqual(await readToEnd(restoredReader(paths, position, 1, 2), 10), []);
  });

  it("a position that is not a file source position is refused when the reader is created", async () => {
    const paths = [await file("a\n"), await file("b\n")];
    for (const bad of [42, "0:3", null, { file: -1, path: paths[0], offset: 0 }, { file: 0, path: paths[0], offset: 1.5 }, { file: 0, path: paths[0] }]) {
      assert.throws(() => restoredReader(paths, bad), isInvalidPosition("restored file source position", "is not a file source position"), JSON.stringify(bad));
    }
  });

  it("a position of another share of files is refused, naming the file that does not fit", async () => {
    const paths = [await file("a\n"), await file("b\n"), await file("c\n")];
    assert.throws(() => restoredReader(paths, { file: 2, path: paths[2], offset: 0 }, 0, 2), isInvalidPosition("file 3 of this subtask, which reads 2 file(s)"));
    assert.throws(() => restoredReader(paths, { file: 0, path: paths[1], offset: 0 }), isInvalidPosition(`file 1 of this subtask is '${paths[0]}'`, paths[1]!));
    assert.throws(() => restoredReader(paths.slice(0, 2), { file: 0, path: paths[1], offset: 2 }, 2, 3), isInvalidPosition("this subtask reads no files"));
  });

  it("a file shorter than the restored offset fails the reader at open with WEIR_ERR_INVALID_ARGUMENT naming it", async () => {
    const path = await file("one\ntwo\n");
    const reader = restoredReader([path], { file: 0, path, offset: 100 });
    await assert.rejects(async () => reader.open?.(), isInvalidPosition(path, "at byte 100", "has only 8 bytes"));
    assert.throws(() => poll(reader, 10), isInvalidPosition(path));
    await reader.close?.();
  });

  it("an offset where no line starts fails the reader, also when it is only polled", async () => {
    const path = await file("one\ntwo\n");
    const reader = restoredReader([path], { file: 0, path, offset: 2 });
    await assert.rejects(readToEnd(reader, 10), isInvalidPosition(path, "at byte 2", "no line starts there"));
    const unopened = restoredReader([path], { file: 0, path, offset: 5 });
    await unopened.isAvailable();
    assert.throws(() => poll(unopened, 10), isInvalidPosition("no line starts there"));
    await unopened.close?.();
  });

  it("a restored file that is gone fails with WEIR_ERR_SOURCE_IO naming it", async () => {
    const path = join(dir, "vanished.txt");
    await assert.rejects(readToEnd(restoredReader([path], { file: 0, path, offset: 4 }), 10), isSourceIoError(path));
  });
});
