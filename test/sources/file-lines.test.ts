import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { WeirError } from "../../src/core/errors.ts";
import { encodeOperatorSnapshot, decodeOperatorSnapshot } from "../../src/runtime/operator-snapshot.ts";
import { fileLinesSource, type SourceReader } from "../../src/sources/index.ts";
import type { FileLinesOptions, FileSplit } from "../../src/sources/file-lines.ts";
import type { JsonValue } from "../../src/checkpoint/storage/checkpoint-metadata.ts";
import { createReader, opened, poll, readAllSubtasks, readToEnd } from "./reading.ts";
import { checkpointOf, SplitSourceHarness } from "./split-harness.ts";

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

/** Splits as the runtime stores and hands them back: encoded into a checkpoint's state file and decoded. */
function throughCheckpoint(splits: unknown): FileSplit[] {
  return decodeOperatorSnapshot(encodeOperatorSnapshot({ keyed: undefined, timers: [], state: splits }), "test").state as FileSplit[];
}

/** The one reader of a job restored from a checkpoint where it held `splits` and the enumerator had `unassigned` left. */
function restoredReader(paths: readonly string[], splits: readonly FileSplit[], unassigned: readonly FileSplit[] = [], options?: FileLinesOptions): SourceReader<string> {
  const harness = new SplitSourceHarness(fileLinesSource(paths, options), 1, checkpointOf({ unassigned: [...unassigned] } as unknown as JsonValue, splits));
  return opened(harness.open(0), (id) => harness.splitsOf(0, id));
}

const whole = (path: string, offset = 0, j = 0): FileSplit => ({ splitId: `${j}:0`, path, start: 0, end: null, offset });

function isInvalidPosition(...parts: readonly (string | RegExp)[]) {
  return (error: unknown) => {
    assert.ok(error instanceof WeirError, String(error));
    assert.equal(error.code, "WEIR_ERR_INVALID_ARGUMENT", error.message);
    for (const part of parts) assert.match(error.message, typeof part === "string" ? new RegExp(part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : part);
    return true;
  };
}

describe("fileLinesSource byte-range splits and positions", () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "weir-file-lines-positions-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("lines before a checkpoint and the lines after a restore from it are all the lines, once, for any split size and any cut", async () => {
    const line = fc.string({ unit: "grapheme", maxLength: 12 }).filter((s) => !/[\r\n]/.test(s) && !s.startsWith("\uFEFF"));
    const fileContent = fc.record({
      lines: fc.array(line, { maxLength: 12 }),
      crlf: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      lastTerminated: fc.boolean(),
      bom: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fileContent, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(),
        async (contents, splitBytes, maxRecords, cutSeed) => {
          const paths: string[] = [];
          const expected: string[] = [];
          for (const c of contents) {
            let text = c.lines.map((l, i) => l + (c.crlf[i] ? "\r\n" : "\n")).join("");
            const last = c.lines[c.lines.length - 1];
            if (!c.lastTerminated && last !== undefined && last !== "") text = text.slice(0, c.crlf[c.lines.length - 1] ? -2 : -1);
            paths.push(await file((c.bom ? "\uFEFF" : "") + text));
            expected.push(...c.lines);
          }
          const source = fileLinesSource(paths, { splitBytes });
          const cut = cutSeed % (expected.length + 1);
          const first = new SplitSourceHarness(source, 1);
          const reader = opened<string>(first.open(0), () => undefined);
          const before = await readLines(reader, cut, maxRecords);
          const checkpoint = first.checkpoint(1);
          await reader.close?.();
          const splits = throughCheckpoint(checkpoint.readers[0]!.lists[0]![2]);
          const restored = new SplitSourceHarness(source, 1, checkpointOf(checkpoint.enumerator, splits));
          const after = await readToEnd(opened<string>(restored.open(0), () => undefined), maxRecords);
          assert.deepEqual([...before, ...after], expected, `cut after ${cut} lines, splits ${JSON.stringify(splits)}`);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a range owns the lines that start in it: one that starts inside a line skips to the next, and its last line runs past its end", async () => {
    // Bytes: "aaaa\n" 0-4, "bb\n" 5-7, "cccccc\n" 8-14, "d" 15.
    const path = await file("aaaa\nbb\ncccccc\nd");
    const range = (start: number, end: number | null): FileSplit => ({ splitId: `0:${start}`, path, start, end, offset: start });
    assert.deepEqual(await readToEnd(restoredReader([path], [range(0, 3)]), 10), ["aaaa"]);
    assert.deepEqual(await readToEnd(restoredReader([path], [range(3, 6)]), 10), ["bb"]);
    assert.deepEqual(await readToEnd(restoredReader([path], [range(5, 6)]), 10), ["bb"]);
    assert.deepEqual(await readToEnd(restoredReader([path], [range(6, 9)]), 10), ["cccccc"]);
    assert.deepEqual(await readToEnd(restoredReader([path], [range(9, 14)]), 10), []);
    assert.deepEqual(await readToEnd(restoredReader([path], [range(9, null)]), 10), ["d"]);
    for (const size of [1, 2, 3, 5, 7, 16, 100]) {
      assert.deepEqual((await readAllSubtasks(fileLinesSource(path, { splitBytes: size }), 2, 2)).flat().sort(), ["aaaa", "bb", "cccccc", "d"], `splitBytes ${size}`);
    }
  });

  it("ranges cut inside multi-byte characters and \\r\\n give every line whole, once", async () => {
    const lines = ["é🌊é", "", "🌊🌊🌊🌊", "ab\u00e9", "last"];
    const path = await file(lines.map((l, i) => l + (i % 2 === 0 ? "\r\n" : "\n")).join(""));
    for (let size = 1; size <= 12; size++) {
      const read = (await readAllSubtasks(fileLinesSource(path, { splitBytes: size }), 3, 1)).flat();
      assert.deepEqual([...read].sort(), [...lines].sort(), `splitBytes ${size}`);
    }
  });

  it("splits go to the readers that ask for them, each once, and every reader ends when none are left", async () => {
    const paths = await Promise.all([0, 1, 2, 3, 4].map((j) => file(`f${j}a\nf${j}b\n`)));
    const subtasks = await readAllSubtasks(fileLinesSource(paths), 2, 3);
    assert.deepEqual(subtasks.flat().sort(), paths.flatMap((_, j) => [`f${j}a`, `f${j}b`]).sort());
    for (const lines of subtasks) for (let i = 0; i < lines.length; i += 2) assert.equal(lines[i]!.slice(0, 2), lines[i + 1]!.slice(0, 2), "a file's lines stay together and in order");
    const many = await readAllSubtasks(fileLinesSource(paths.slice(0, 1)), 3, 3);
    assert.deepEqual(many.flat(), ["f0a", "f0b"]);
  });

  it("the position is that of the last line handed over, not of what was read ahead", async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => `${i}:${"é".repeat(i % 7)}🌊`);
    const content = lines.map((l, i) => l + (i % 3 === 0 ? "\r\n" : "\n")).join("");
    const path = await file(content);
    const reader = createReader(fileLinesSource(path));
    await reader.isAvailable();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    const taken = await readLines(reader, 1234, 100);
    const splits = reader.snapshotState!() as FileSplit[];
    const expectedOffset = Buffer.byteLength(lines.slice(0, 1234).map((l, i) => l + (i % 3 === 0 ? "\r\n" : "\n")).join(""));
    assert.deepEqual(splits, [whole(path, expectedOffset)]);
    assert.deepEqual(taken, lines.slice(0, 1234));
    await reader.close?.();
    assert.deepEqual(await readToEnd(restoredReader([path], splits), 500), lines.slice(1234));
  });

  it("positions next to the read chunks' boundaries, inside multi-byte characters and \\r\\n, resume exactly", async () => {
    const chunk = 64 * 1024;
    const lines = ["x".repeat(chunk - 2), "é".repeat(chunk / 2 + 1), "y", `${"z".repeat(chunk - 3)}🌊`, "", "🌊".repeat(chunk), "last without terminator"];
    const path = await file(lines.map((l, i) => (i === lines.length - 1 ? l : l + (i % 2 === 0 ? "\r\n" : "\n"))).join(""));
    for (let cut = 0; cut <= lines.length; cut++) {
      const reader = createReader(fileLinesSource(path));
      const before = await readLines(reader, cut, 1);
      const splits = throughCheckpoint(reader.snapshotState!());
      await reader.close?.();
      const after = await readToEnd(restoredReader([path], splits), 2);
      assert.equal(before.length + after.length, lines.length, `cut ${cut}`);
      assert.ok([...before, ...after].every((l, i) => l === lines[i]), `cut ${cut}: lines differ`);
    }
  });

  it("offsets count bytes, so text that is not valid UTF-8 resumes at the right line", async () => {
    const content = Buffer.concat([Buffer.from("ok\n"), Buffer.from([0xff, 0xfe, 0x41, 0x0a, 0xe2, 0x82, 0x0a]), Buffer.from("after\n")]);
    const path = await file(content);
    const all = await readToEnd(createReader(fileLinesSource(path)), 10);
    assert.equal(all.length, 4);
    for (let cut = 0; cut <= all.length; cut++) {
      const reader = createReader(fileLinesSource(path));
      const before = await readLines(reader, cut, 1);
      const splits = reader.snapshotState!() as FileSplit[];
      await reader.close?.();
      assert.deepEqual([...before, ...(await readToEnd(restoredReader([path], splits), 1))], all, `cut ${cut}`);
    }
  });

  it("a byte order mark is dropped at the start of a file only", async () => {
    const path = await file("\uFEFFone\ntwo\n");
    assert.deepEqual(await readToEnd(restoredReader([path], [whole(path)]), 5), ["one", "two"]);
    const reader = createReader(fileLinesSource(path));
    assert.deepEqual(await readLines(reader, 1, 5), ["one"]);
    const splits = reader.snapshotState!() as FileSplit[];
    assert.equal(splits[0]!.offset, 3 + "one\n".length);
    await reader.close?.();
    assert.deepEqual(await readToEnd(restoredReader([path], splits), 5), ["two"]);
  });

  it("a reader that read everything holds no split; unassigned splits of the checkpoint are read after a restore", async () => {
    const paths = [await file("a\nb\n"), await file(""), await file("c\nd")];
    const reader = createReader(fileLinesSource(paths));
    assert.deepEqual(await readToEnd(reader, 10), ["a", "b", "c", "d"]);
    assert.deepEqual(reader.snapshotState!(), []);
    assert.deepEqual(await readToEnd(restoredReader(paths, []), 10), []);
    assert.deepEqual(await readToEnd(restoredReader(paths, [{ ...whole(paths[2]!, 2, 2) }]), 10), ["d"]);
    assert.deepEqual(await readToEnd(restoredReader(paths, [], [whole(paths[1]!, 0, 1), whole(paths[2]!, 0, 2)]), 10), ["c", "d"]);
  });

  it("a split that is not a file source split is refused", async () => {
    const path = await file("a\n");
    for (const bad of [{ splitId: "x", path, start: -1, end: null, offset: 0 }, { splitId: "x", path, start: 0, end: null, offset: 1.5 }, { splitId: "x", path, start: 4, end: 2, offset: 4 }]) {
      const harness = new SplitSourceHarness(fileLinesSource(path), 1, checkpointOf({ unassigned: [] }, [bad]));
      harness.open(0);
      await assert.rejects(harness.opening[0]!, isInvalidPosition("is not a file source split"), JSON.stringify(bad));
    }
  });

  it("a file shorter than the restored offset fails the reader with WEIR_ERR_INVALID_ARGUMENT naming it", async () => {
    const path = await file("one\ntwo\n");
    await assert.rejects(readToEnd(restoredReader([path], [whole(path, 100)]), 10), isInvalidPosition(path, "at byte 100", "has only 8 bytes"));
  });

  it("an offset where no line starts fails the reader", async () => {
    const path = await file("one\ntwo\n");
    await assert.rejects(readToEnd(restoredReader([path], [whole(path, 2)]), 10), isInvalidPosition(path, "at byte 2", "no line starts there"));
  });

  it("a restored file that is gone fails with WEIR_ERR_SOURCE_IO naming it", async () => {
    const path = join(dir, "vanished.txt");
    await assert.rejects(readToEnd(restoredReader([path], [whole(path, 4)]), 10), isSourceIoError(path));
  });
});
