/**
 * Every operator, run through both runtimes: one job (test/fixtures/jobs/rt-operators.ts) holds a
 * small pipeline per operator, each ending in its own collecting sink. It runs single-threaded at
 * parallelism 1 and 2, and on worker threads at parallelism 2 and 3 (the last with tiny batches,
 * so records cross threads in many batches under flow control). Each sink's output is compared,
 * as a multiset, with an expected output computed here in plain TypeScript, and the two runtimes'
 * outputs at parallelism 2 with each other.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runJob, type JobResult, type RunOptions } from "../../../src/index.ts";
import { buildJob } from "../../../src/api/define-job.ts";
import { assignToKeyGroup, subtaskForKeyGroup } from "../../../src/core/key-groups.ts";
import {
  EVENTS,
  NUMBERS,
  ORDERS,
  PAYMENTS,
  TUPLES,
  WORDS,
  type Event,
  type SinkVisit,
  type StateView,
  type Traced,
  type Visit,
} from "../../fixtures/jobs/rt-operators.ts";
import definition from "../../fixtures/jobs/rt-operators.ts";
import { canonical, fixtureJob, tempDir } from "../job-fixtures.ts";

const JOB = fixtureJob("rt-operators");
const MAX_PARALLELISM = 128;
const TAG = "from-args";

interface Run {
  readonly label: string;
  readonly parallelism: number;
  readonly result: JobResult;
  /** Where the class functions of the `rich` pipeline left their close markers. */
  readonly out: string;
}

const runs: Run[] = [];

async function run(label: string, parallelism: number, options: RunOptions): Promise<Run> {
  const out = tempDir(`operators-${label}`);
  const result = await runJob(JOB, { ...options, parallelism, args: ["--out", out, "--tag", TAG] });
  return { label, parallelism, result, out };
}

function ownerOf(key: unknown, parallelism: number): number {
  return subtaskForKeyGroup(assignToKeyGroup(key, MAX_PARALLELISM), parallelism, MAX_PARALLELISM);
}

/** A rolling per-key fold in input order, as a keyed reduce emits it. */
function rolling<T>(records: readonly T[], key: (r: T) => unknown, fold: (acc: T, r: T) => T): T[] {
  const acc = new Map<unknown, T>();
  return records.map((r) => {
    const k = key(r);
    const prev = acc.get(k);
    const next = prev === undefined ? r : fold(prev, r);
    acc.set(k, next);
    return next;
  });
}

function expectedStateViews(): StateView[] {
  const perKey = new Map<string, { count: number; recent: number[]; buckets: Map<number, number>; total: number; sum: number }>();
  return EVENTS.map((e) => {
    let s = perKey.get(e.key);
    if (s === undefined) perKey.set(e.key, (s = { count: 0, recent: [], buckets: new Map(), total: 0, sum: 0 }));
    s.count++;
    s.recent.push(e.v);
    const bucket = e.v % 3;
    const n = (s.buckets.get(bucket) ?? 0) + 1;
    if (n === 4) s.buckets.delete(bucket);
    else s.buckets.set(bucket, n);
    s.total += e.v;
    s.sum += e.v;
    const view: StateView = {
      key: e.key,
      seq: e.seq,
      count: s.count,
      recent: [...s.recent],
      buckets: [...s.buckets.entries()].sort((a, b) => a[0] - b[0]),
      total: s.total,
      mean: s.sum / s.count,
    };
    if (s.count % 6 === 0) s.recent = [];
    return view;
  });
}

const byKey = (e: Event) => e.key;

/** What every sink of the job must receive at a given default parallelism. */
function expectedOutputs(p: number): Record<string, unknown[]> {
  const visit = (operator: string, subtask: number, parallelism = p): Visit => ({ operator, subtask, parallelism });
  const rich = NUMBERS.filter((x) => x % 2 === 0).flatMap((x) => {
    const visits = [visit("trace map", x % p), visit("trace flatMap", x % p)];
    return [x, x + 0.5].map((y) => {
      const key = Math.floor(y) % 7;
      return { x: y, visits: [...visits, visit("trace process", ownerOf(key, p))], key, tag: TAG };
    });
  });
  // One producer, round-robin from channel 0: the i-th record goes to subtask i mod 3. Each of the
  // three maps then spreads its own records over the two sinks, starting at its subtask index mod 2.
  const perMap = [0, 0, 0];
  const parallelismOut: SinkVisit<Traced>[] = NUMBERS.map((x, i) => {
    const m = i % 3;
    const k = perMap[m]!++;
    return { record: { x, visits: [visit("three maps", m, 3)] }, sinkSubtask: ((m % 2) + k) % 2, sinkParallelism: 2 };
  });
  return {
    map: NUMBERS.map((x) => x * 3 + 1),
    filter: NUMBERS.filter((x) => x % 3 === 0),
    "flatMap-collector": NUMBERS.flatMap((x) => Array.from({ length: x % 3 }, (_, i) => `${x}:${i}`)),
    "flatMap-iterable": NUMBERS.flatMap((x) => (x % 2 === 0 ? [x, -x - 1] : [])),
    "keyed-state": expectedStateViews(),
    reduce: rolling(EVENTS, byKey, (a, b) => ({ key: a.key, v: a.v + b.v, seq: b.seq })),
    sum: rolling(EVENTS, byKey, (a, b) => ({ ...a, v: a.v + b.v })),
    min: rolling(EVENTS, byKey, (a, b) => ({ ...a, v: Math.min(a.v, b.v) })),
    max: rolling(EVENTS, byKey, (a, b) => ({ ...a, v: Math.max(a.v, b.v) })),
    minBy: rolling(EVENTS, byKey, (a, b) => (b.v < a.v ? b : a)),
    maxBy: rolling(EVENTS, byKey, (a, b) => (b.v > a.v ? b : a)),
    "sum-tuple": rolling(TUPLES, (t) => t[0], (a, b) => [a[0], a[1] + b[1]] as const),
    union: [...NUMBERS, ...WORDS.map((w) => w.length * 1000), ...NUMBERS.filter((x) => x < 10)].map((x) => x + 1),
    "connect-keyed": ORDERS.flatMap((o) => PAYMENTS.filter((pay) => pay.key === o.key).map((pay) => `${o.key}|${o.item}|${pay.amount}`)),
    connect: [...NUMBERS.filter((x) => x < 20).map((x) => `number:${x}`), ...WORDS.map((w) => `word:${w}`)],
    rebalance: NUMBERS.map((x, i) => ({ x, visits: [visit("spread", i % 3, 3)] })),
    broadcast: [1, 2, 3, 4, 5].flatMap((x) => [0, 1, 2].map((s) => ({ x, visits: [visit("everywhere", s, 3)] }))),
    rich,
    "rich-reduce": rolling(NUMBERS, (x) => x % 5, (a, b) => a + b),
    "two-sinks": parallelismOut,
    "keyed-placement": NUMBERS.map((x) => {
      const key = `key-${x % 37}`;
      return [key, ownerOf(key, p)];
    }),
  };
}

const SINKS = Object.keys(expectedOutputs(1));

describe("operators in both runtimes", () => {
  before(async () => {
    runs.push(await run("single-p1", 1, { runtime: "single-thread" }));
    runs.push(await run("single-p2", 2, { runtime: "single-thread" }));
    runs.push(await run("threads-p2", 2, { runtime: "threads" }));
    runs.push(await run("threads-p3", 3, { runtime: "threads", bufferSize: 5 }));
  });

  const same = (sink: string) => () => {
    for (const r of runs) {
      assert.deepEqual(canonical(r.result.collected(sink)), canonical(expectedOutputs(r.parallelism)[sink]!), `${sink} in run ${r.label}`);
    }
    const [single, threads] = [runs.find((r) => r.label === "single-p2")!, runs.find((r) => r.label === "threads-p2")!];
    assert.deepEqual(canonical(threads.result.collected(sink)), canonical(single.result.collected(sink)));
  };

  it("the catalog job's sinks are exactly the sinks this test checks", async () => {
    const { graph } = await buildJob(definition, {}, []);
    const sinks = graph.nodes.filter((n) => n.kind === "operator" && n.isSink).map((n) => n.uid);
    assert.deepEqual(sinks.sort(), [...SINKS].sort());
  });

  it("map applies the function to every record", same("map"));
  it("filter keeps exactly the records the predicate accepts", same("filter"));
  it("flatMap emits through the collector zero or more records per input", same("flatMap-collector"));
  it("flatMap emits the iterable the function returns", same("flatMap-iterable"));
  it("a keyed process function keeps Value, List, Map, Reducing and Aggregating state per key", same("keyed-state"));
  it("a keyed reduce emits the running reduced value per key", same("reduce"));
  it("a keyed sum emits the running total per key, other fields from the key's first record", same("sum"));
  it("a keyed min emits the running minimum of the field per key", same("min"));
  it("a keyed max emits the running maximum of the field per key", same("max"));
  it("minBy emits the whole record with the smallest field so far, the first one on ties", same("minBy"));
  it("maxBy emits the whole record with the largest field so far, the first one on ties", same("maxBy"));
  it("a field aggregation on tuples sums the field at an index", same("sum-tuple"));
  it("union merges streams of different parallelism into one input", same("union"));
  it("keyed connected streams join both inputs on the key with keyed state", same("connect-keyed"));
  it("a non-keyed co-process function sees the records of both inputs", same("connect"));
  it("rebalance from one producer deals records round-robin over the consumers", same("rebalance"));
  it("broadcast delivers every record to every consumer subtask", same("broadcast"));
  it("class functions see their operator name, subtask, parallelism and job args", same("rich"));
  it("a reduce function given as an object with a lifecycle folds per key", same("rich-reduce"));
  it("operators with parallelism 1, 3 and 2 pass every record on through rebalancing edges", same("two-sinks"));
  it("a keyed operator holds each key on the subtask that owns the key's group", same("keyed-placement"));

  it("on worker threads at parallelism 3, no key is processed by two subtasks", () => {
    const placements = runs.find((r) => r.label === "threads-p3")!.result.collected<[string, number]>("keyed-placement");
    const owners = new Map<string, Set<number>>();
    for (const [key, subtask] of placements) owners.set(key, (owners.get(key) ?? new Set()).add(subtask));
    assert.equal(owners.size, 37);
    for (const [key, subtasks] of owners) assert.equal(subtasks.size, 1, `key ${key} was seen on subtasks ${[...subtasks].join(", ")}`);
    assert.equal(new Set(placements.map(([, s]) => s)).size, 3, "the keys spread over all three subtasks");
  });

  it("every class function instance was opened before its records and closed at the end", () => {
    for (const r of runs) {
      const p = r.parallelism;
      const markers = new Map(readdirSync(r.out).map((f) => [f, Number(readFileSync(join(r.out, f), "utf8"))]));
      const expected = new Map<string, number>();
      const add = (name: string, count: number) => expected.set(name, (expected.get(name) ?? 0) + count);
      const subtasks = (n: number) => Array.from({ length: n }, (_, s) => s);
      for (const s of subtasks(p)) {
        add(`trace map#${s}`, NUMBERS.filter((x) => x % p === s).length);
        add(`trace filter#${s}`, NUMBERS.filter((x) => x % p === s).length);
        add(`trace flatMap#${s}`, NUMBERS.filter((x) => x % p === s && x % 2 === 0).length);
        add(`trace process#${s}`, 0);
        add(`trace reduce#${s}`, 0);
      }
      for (const x of NUMBERS.filter((n) => n % 2 === 0)) add(`trace process#${ownerOf(x % 7, p)}`, 2);
      // A reduce function is called for every record of a key but its first.
      for (let key = 0; key < 5; key++) add(`trace reduce#${ownerOf(key, p)}`, NUMBERS.filter((x) => x % 5 === key).length - 1);
      for (const s of subtasks(3)) {
        add(`spread#${s}`, NUMBERS.filter((_, i) => i % 3 === s).length);
        add(`everywhere#${s}`, 5);
        add(`three maps#${s}`, NUMBERS.filter((_, i) => i % 3 === s).length);
      }
      assert.deepEqual(new Map([...markers].sort()), new Map([...expected].sort()), `close markers of run ${r.label}`);
    }
  });

  it("the job result counts records in and out per operator, under the operators' names", () => {
    for (const r of runs) {
      const op = (name: string) => {
        const found = r.result.operators.filter((o) => o.name === name);
        assert.equal(found.length, 1, `one operator named '${name}' in run ${r.label}`);
        return found[0]!;
      };
      assert.deepEqual(
        [op("one source"), op("three maps"), op("two sinks")].map((o) => [o.recordsIn, o.recordsOut]),
        [
          [NUMBERS.length, NUMBERS.length],
          [NUMBERS.length, NUMBERS.length],
          [NUMBERS.length, 0],
        ],
      );
      assert.deepEqual([op("trace filter").recordsIn, op("trace filter").recordsOut], [NUMBERS.length, NUMBERS.length / 2]);
      assert.deepEqual([op("trace flatMap").recordsIn, op("trace flatMap").recordsOut], [NUMBERS.length / 2, NUMBERS.length]);
    }
  });
});
