import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileLinesSource, generatorSource } from "../../src/sources/index.ts";
import type { SourceReader } from "../../src/sources/index.ts";
import { opened, poll, readToEnd } from "./reading.ts";
import { SplitSourceHarness, type SplitSourceCheckpoint } from "./split-harness.ts";

/** Every reader of `harness`, read to its end, records of all readers together. */
async function readEverything<T>(harness: SplitSourceHarness<T>): Promise<T[]> {
  const readers = harness.openAll().map((driver) => opened<T>(driver, () => undefined));
  return (await Promise.all(readers.map((r) => readToEnd(r, 7)))).flat();
}

/** Polls `reader` for `count` records (never more). */
function take<T>(reader: SourceReader<T>, count: number): T[] {
  const records: T[] = [];
  while (records.length < count) {
    const { records: got, status } = poll(reader, count - records.length);
    records.push(...got);
    if (status !== "more-available") break;
  }
  return records;
}

const indexes = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const sortedNumbers = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);

describe("split-based sources across a checkpoint and a restore", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "weir-split-restore-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const [from, to] of [
    [3, 1],
    [3, 2],
    [2, 5],
    [1, 4],
    [4, 4],
  ] as const) {
    it(`a generator read at parallelism ${from} and restored at ${to} emits every index once, each split from its position`, async () => {
      const source = generatorSource({ count: 200, generate: (i) => i });
      const first = new SplitSourceHarness(source, from);
      const readers = first.openAll().map((d) => opened<number>(d, () => undefined));
      const before = readers.flatMap((r, i) => take(r, 10 + 7 * i));
      const checkpoint = first.checkpoint(1);
      const restored = new SplitSourceHarness(source, to, checkpoint);
      const afterRestore = await readEverything(restored);
      assert.deepEqual(sortedNumbers([...before, ...afterRestore]), indexes(200));
    });
  }

  it("a restored reader holding several generator splits emits their indexes merged in increasing order", async () => {
    const source = generatorSource({ count: 30, generate: (i) => i });
    const first = new SplitSourceHarness(source, 3);
    const [a, b, c] = first.openAll().map((d) => opened<number>(d, () => undefined));
    assert.deepEqual(take(a!, 2), [0, 3]);
    assert.deepEqual(take(b!, 1), [1]);
    assert.deepEqual(take(c!, 3), [2, 5, 8]);
    const restored = new SplitSourceHarness(source, 1, first.checkpoint(1));
    const [only] = restored.openAll().map((d) => opened<number>(d, () => undefined));
    const emittedBefore = new Set([0, 3, 1, 2, 5, 8]);
    assert.deepEqual(await readToEnd(only!, 4), indexes(30).filter((i) => !emittedBefore.has(i)));
  });

  it("file splits read at parallelism 2 and restored at 3 give every line once, with the unassigned splits of the enumerator", async () => {
    const paths: string[] = [];
    const expected: string[] = [];
    for (let f = 0; f < 4; f++) {
      const lines = Array.from({ length: 40 }, (_, i) => `${f}:${i}:${"é".repeat(i % 4)}`);
      expected.push(...lines);
      const path = join(dir, `in-${f}.txt`);
      await writeFile(path, lines.join("\n") + "\n");
      paths.push(path);
    }
    const source = fileLinesSource(paths, { splitBytes: 100 });
    const first = new SplitSourceHarness(source, 2);
    const readers = first.openAll().map((d) => opened<string>(d, () => undefined));
    const before: string[] = [];
    for (const r of readers) {
      await r.isAvailable();
      before.push(...take(r, 9));
    }
    const checkpoint = first.checkpoint(1);
    assert.ok((checkpoint.enumerator as { unassigned: unknown[] }).unassigned.length > 0, "some splits were not assigned yet");
    for (const r of readers) await r.close?.();
    const afterRestore = await readEverything(new SplitSourceHarness(source, 3, checkpoint));
    assert.deepEqual([...before, ...afterRestore].sort(), [...expected].sort());
  });

  describe("the window between the enumerator's snapshot and the readers'", () => {
    async function linesFiles(count: number): Promise<{ paths: string[]; expected: string[] }> {
      const paths: string[] = [];
      const expected: string[] = [];
      for (let f = 0; f < count; f++) {
        const path = join(dir, `window-${f}-${Math.random().toString(36).slice(2)}.txt`);
        await writeFile(path, `${f}a\n${f}b\n`);
        paths.push(path);
        expected.push(`${f}a`, `${f}b`);
      }
      return { paths, expected };
    }

    it("a split assigned after the enumerator's snapshot, arriving after the reader's, is read once after a restore", async () => {
      const { paths, expected } = await linesFiles(3);
      const source = fileLinesSource(paths);
      const first = new SplitSourceHarness(source, 1);
      const reader = opened<string>(first.open(0), () => undefined);
      const lines = await readToEndOfFirstSplit(reader);
      // Checkpoint 1 is triggered: the enumerator is snapshotted first...
      const enumerator = first.snapshotEnumerator(1);
      // ...then the reader asks again and gets a split; the assignment travels behind the trigger.
      first.holdMessages();
      first.coordinator.handle(0, { kind: "request" });
      // The reader takes its snapshot when the trigger reaches it, before the assignment does.
      const readerState = first.snapshotReader(0, 1);
      first.release();
      const checkpoint: SplitSourceCheckpoint = { enumerator, readers: [readerState] };
      const afterRestore = await readEverything(new SplitSourceHarness(source, 1, checkpoint));
      assert.deepEqual([...lines, ...afterRestore].sort(), expected.sort());
    });

    it("a split assigned before the enumerator's snapshot and still in flight reaches the reader before its snapshot, and is read once after a restore", async () => {
      const { paths, expected } = await linesFiles(3);
      const source = fileLinesSource(paths);
      const first = new SplitSourceHarness(source, 1);
      const reader = opened<string>(first.open(0), () => undefined);
      const lines = await readToEndOfFirstSplit(reader);
      first.holdMessages();
      first.coordinator.handle(0, { kind: "request" });
      const enumerator = first.snapshotEnumerator(1);
      // The assignment was sent before the trigger, so it arrives first.
      first.release();
      const readerState = first.snapshotReader(0, 1);
      const afterRestore = await readEverything(new SplitSourceHarness(source, 1, { enumerator, readers: [readerState] }));
      assert.deepEqual([...lines, ...afterRestore].sort(), expected.sort());
    });
  });
});

/** Reads the lines of the reader's first split, which it finishes (and so asks for the next one). */
async function readToEndOfFirstSplit(reader: SourceReader<string>): Promise<string[]> {
  const lines: string[] = [];
  while (lines.length < 2) {
    const { records, status } = poll(reader, 2 - lines.length);
    lines.push(...records);
    if (status === "nothing-available") await reader.isAvailable();
  }
  return lines;
}
