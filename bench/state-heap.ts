/**
 * Heap keyed state benchmarks.
 *
 * 1. Keyed count: for each record, setCurrentKey + ValueState.value() + update(count + 1), 1M
 *    records over 100k integer keys in random order, against the same count in one plain Map.
 * 2. Writes during a snapshot: 1M keys hold state; 1M updates of random keys run in batches, with
 *    or without a snapshot taken at the start and written one step (key group) between batches,
 *    as a task's asynchronous phase does. Only the updates are timed. Reported: the update rate
 *    without and with the live snapshot, and their ratio, per second of wall-clock time and per
 *    second of the process's CPU time (steadier on a shared machine, as it leaves out time the
 *    process waited for a core); and the slowest single update of each
 *    (timed one by one in separate rounds). Two value shapes: numbers (`update(n + 1)`), and
 *    objects changed in place (`s = value(); s.n++; update(s)`).
 *
 *    Single updates are timed one by one in separate rounds: p99, p99.9 and the slowest, with and
 *    without the snapshot, against the same loop over a plain Map (what the process's pauses cost
 *    any code), and each update over 1 ms is put down to a garbage collection that overlapped it
 *    (V8's own pause, reported by perf_hooks) or to none (the process waited for a core). Each
 *    update over 1 ms also has the CPU time the process used meanwhile: an update over 1 ms of CPU
 *    time did that much work (or a thread of the process, such as V8's collector, did), which no
 *    wait for a core can fake; the count of those and the longest are printed.
 * 3. Namespaced state: a sliding window pattern (each record in 3 TimeWindows of 3 s sliding by
 *    1 s, as a window operator keeps them: setCurrentNamespace per window) for value, reducing
 *    and list state, against the same 3 operations per record on plain keyed state; per second
 *    of wall-clock time and of the process's CPU time.
 *
 * 4. What one checkpoint costs a task of the keyed count: 75k number keys in the 64 key groups of
 *    one subtask at p=2, 2,000 updates of random keys per turn of the task (about a millisecond of
 *    its records); the snapshot taken and written as the asynchronous phase does, with a turn
 *    after every step (key group) or in slices (EncodingSlices), against the same updates
 *    without a snapshot. CPU milliseconds per checkpoint: encoding plus what the updates paid
 *    for the live snapshot (copy-on-write).
 *
 * Every variant is warmed up, then the variants alternate, round after round; medians are
 * printed with the spread (min–max) over the rounds.
 *
 *   node --expose-gc --import tsx bench/state-heap.ts [count] [snapshot] [namespaced]
 *
 * (naming sections runs only those).
 */
import { PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { ListStateDescriptor, ReducingStateDescriptor, ValueStateDescriptor } from "../src/state/descriptors.ts";
import { HeapKeyedStateBackend } from "../src/state/heap/heap-keyed-state-backend.ts";
import { assignToKeyGroup } from "../src/core/key-groups.ts";
import { ENCODING_SLICE_MS, EncodingSlices } from "../src/runtime/encoding-slices.ts";
import type { ListState, ReducingState, State, ValueState } from "../src/state/state.ts";
import { TimeWindow } from "../src/windowing/windows.ts";
import { formatRate, median, percentile } from "./stats.ts";

const sections = process.argv.slice(2);
const runs = (section: string) => sections.length === 0 || sections.includes(section);
const WARMUP_ROUNDS = 1;
const ROUNDS = 5;
/** Collects garbage between rounds when node runs with --expose-gc, so one round's garbage does not pause the next. */
const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => {});

function randomKeys(count: number, keys: number, seed: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) | 0;
    out[i] = (seed >>> 8) % keys;
  }
  return out;
}

const spread = (values: readonly number[], format: (v: number) => string) => `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`;

/** Runs each variant WARMUP_ROUNDS + ROUNDS times, alternating; returns the measured rounds' results per variant. */
function alternate<T>(variants: Record<string, () => T>): Record<string, T[]> {
  const results: Record<string, T[]> = {};
  for (let i = 0; i < WARMUP_ROUNDS + ROUNDS; i++) {
    const names = Object.keys(variants);
    if (i % 2 === 1) names.reverse();
    for (const name of names) {
      collectGarbage();
      const result = variants[name]!();
      if (i >= WARMUP_ROUNDS) (results[name] ??= []).push(result);
    }
  }
  return results;
}

// ---- 1. keyed count against a plain Map ----

const COUNT_RECORDS = 1_000_000;
const COUNT_KEYS = 100_000;

function heapCountRound(keys: Int32Array): number {
  const backend = new HeapKeyedStateBackend({ keyGroupRange: { start: 0, end: 127 }, maxParallelism: 128 });
  const count = backend.getState(new ValueStateDescriptor<number>("count"));
  const started = performance.now();
  for (let i = 0; i < keys.length; i++) {
    backend.setCurrentKey(keys[i]);
    count.update((count.value() ?? 0) + 1);
  }
  const elapsed = performance.now() - started;
  if (backend.numKeys("count") > COUNT_KEYS) throw new Error("more keys than generated");
  return keys.length / (elapsed / 1000);
}

function plainMapRound(keys: Int32Array): number {
  const counts = new Map<number, number>();
  const started = performance.now();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const elapsed = performance.now() - started;
  if (counts.size > COUNT_KEYS) throw new Error("more keys than generated");
  return keys.length / (elapsed / 1000);
}

if (runs("count")) {
  const countKeys = randomKeys(COUNT_RECORDS, COUNT_KEYS, 0x2545f491);
  const counts = alternate({ baseline: () => plainMapRound(countKeys), heap: () => heapCountRound(countKeys) });
  console.log(`keyed count, ${COUNT_RECORDS / 1e6}M records over ${COUNT_KEYS / 1e3}k integer keys, random order; median (min–max) of ${ROUNDS} rounds`);
  console.log(`  plain Map (baseline)     ${spread(counts.baseline!, formatRate)}`);
  console.log(`  HeapKeyedStateBackend    ${spread(counts.heap!, formatRate)}  (${((median(counts.heap!) / median(counts.baseline!)) * 100).toFixed(0)}% of baseline)`);
}

// ---- 2. writes while a snapshot is live ----

const KEYS = 1_000_000;
const UPDATES = 1_000_000;
/** Updates between two steps of the snapshot's write: about all of them spread over the 128 key groups. */
const BATCH = Math.ceil(UPDATES / 128);

interface Shape<V> {
  readonly name: string;
  initial(key: number): V;
  /** One update of the current key. */
  update(state: ValueState<V>): void;
  /** The same update of a value held in a plain Map: the new value to store. */
  plainUpdate(value: V): V;
}

const numbers: Shape<number> = {
  name: "numbers: update(value() + 1)",
  initial: (key) => key,
  update: (state) => state.update(state.value()! + 1),
  plainUpdate: (value) => value + 1,
};

const objects: Shape<{ n: number; last: number }> = {
  name: "objects changed in place: s.n++; update(s)",
  initial: (key) => ({ n: key, last: 0 }),
  update: (state) => {
    const s = state.value()!;
    s.n++;
    s.last = s.n;
    state.update(s);
  },
  plainUpdate: (s) => {
    s.n++;
    s.last = s.n;
    return s;
  },
};

function filledBackend<V>(shape: Shape<V>): { backend: HeapKeyedStateBackend; state: ValueState<V> } {
  const backend = new HeapKeyedStateBackend({ keyGroupRange: { start: 0, end: 127 }, maxParallelism: 128 });
  const state = backend.getState(new ValueStateDescriptor<V>("v"));
  for (let key = 0; key < KEYS; key++) {
    backend.setCurrentKey(key);
    state.update(shape.initial(key));
  }
  return { backend, state };
}

/** An update over 1 ms of wall-clock time: when it started and ended, and the CPU time (ms) the process used meanwhile. */
interface Slow {
  readonly start: number;
  readonly end: number;
  readonly cpu: number;
}

/** The Slow record of an update that started at `start` (performance.now()), took `ms`, and ran after `cpuBefore` was read. */
function slowUpdate(start: number, ms: number, cpuBefore: NodeJS.CpuUsage): Slow {
  const cpu = process.cpuUsage(cpuBefore);
  return { start, end: start + ms, cpu: (cpu.user + cpu.system) / 1000 };
}

interface RoundResult {
  /** Updates per second of wall-clock time, and of the process's CPU time (batch-timed rounds). */
  readonly rate: number;
  readonly cpuRate: number;
  /** Per-update rounds: every update's time in milliseconds, and when each one over 1 ms started and ended. */
  readonly latencies: Float64Array;
  readonly slow: Slow[];
}

/**
 * One round of UPDATES updates in batches; with `snapshot`, a snapshot is taken first and one
 * step of its write runs between batches (untimed). Times batches, or with `perUpdate` each
 * update on its own.
 */
function writeRound<V>(shape: Shape<V>, filled: { backend: HeapKeyedStateBackend; state: ValueState<V> }, keys: Int32Array, snapshot: boolean, perUpdate: boolean): RoundResult {
  const { backend, state } = filled;
  const taken = snapshot ? backend.snapshot() : undefined;
  const steps = taken?.write();
  let timed = 0;
  let cpuMicros = 0;
  const latencies = new Float64Array(perUpdate ? keys.length : 0);
  const slow: Slow[] = [];
  for (let at = 0; at < keys.length; at += BATCH) {
    const end = Math.min(keys.length, at + BATCH);
    if (perUpdate) {
      for (let i = at; i < end; i++) {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        backend.setCurrentKey(keys[i]);
        shape.update(state);
        const t = performance.now() - t0;
        latencies[i] = t;
        if (t > 1) slow.push(slowUpdate(t0, t, cpu0));
      }
    } else {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = at; i < end; i++) {
        backend.setCurrentKey(keys[i]);
        shape.update(state);
      }
      timed += performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      cpuMicros += cpu.user + cpu.system;
    }
    steps?.next();
  }
  if (steps !== undefined) while (!steps.next().done);
  taken?.release();
  return { rate: keys.length / (timed / 1000), cpuRate: keys.length / (cpuMicros / 1e6), latencies, slow };
}

async function writesDuringSnapshot<V>(shape: Shape<V>): Promise<void> {
  const filled = filledBackend(shape);
  const keys = randomKeys(UPDATES, KEYS, 0x1234567);
  const rates = alternate({
    without: () => writeRound(shape, filled, keys, false, false),
    with: () => writeRound(shape, filled, keys, true, false),
  });
  const slowest = alternate({
    without: () => withGcPauses(() => writeRound(shape, filled, keys, false, true)),
    with: () => withGcPauses(() => writeRound(shape, filled, keys, true, true)),
    "plain Map": () => withGcPauses(() => plainMapLatencies(shape, keys)),
  });
  await gcDelivered();
  const without = rates.without!.map((r) => r.rate);
  const live = rates.with!.map((r) => r.rate);
  const ratios = live.map((r, i) => r / without[i]!);
  const cpuWithout = rates.without!.map((r) => r.cpuRate);
  const cpuLive = rates.with!.map((r) => r.cpuRate);
  const cpuRatios = cpuLive.map((r, i) => r / cpuWithout[i]!);
  const ms = (v: number) => (v < 1 ? `${(v * 1000).toFixed(1)} µs` : `${v.toFixed(2)} ms`);
  const count = (v: number) => v.toFixed(0);
  console.log(`  ${shape.name}`);
  console.log(`    update rate, no snapshot         ${spread(without, formatRate)}`);
  console.log(`    update rate, snapshot live       ${spread(live, formatRate)}`);
  console.log(`    ratio (live / none, per round)   ${spread(ratios, (v) => `${v.toFixed(2)}x`)}`);
  console.log(`    per CPU second, no snapshot      ${spread(cpuWithout, formatRate)}`);
  console.log(`    per CPU second, snapshot live    ${spread(cpuLive, formatRate)}`);
  console.log(`    CPU ratio (live / none)          ${spread(cpuRatios, (v) => `${v.toFixed(2)}x`)}`);
  for (const [label, rounds] of [["no snapshot", slowest.without!], ["snapshot live", slowest.with!], ["plain Map loop", slowest["plain Map"]!]] as const) {
    const sorted = rounds.map((r) => Array.from(r.result.latencies.slice().sort()));
    const of = (p: number) => sorted.map((values) => percentile(values, p));
    console.log(`    single update, ${label.padEnd(14)} p99 ${spread(of(99), ms)}  p99.9 ${spread(of(99.9), ms)}  max ${spread(of(100), ms)}`);
    const inGc = rounds.map((r) => r.result.slow.filter((u) => r.pauses.some((p) => u.start < p.startTime + p.duration && u.end > p.startTime)).length);
    const over = rounds.map((r) => r.result.slow.length);
    console.log(`      updates over 1 ms ${spread(over, count)}, of which overlapping a GC pause ${spread(inGc, count)}; GC pauses per round ${spread(rounds.map((r) => r.pauses.length), count)}, longest ${spread(rounds.map((r) => Math.max(0, ...r.pauses.map((p) => p.duration))), ms)}`);
    const busy = rounds.map((r) => r.result.slow.filter((u) => u.cpu > 1));
    const busiest = rounds.map((r) => Math.max(0, ...r.result.slow.map((u) => u.cpu)));
    console.log(`      updates over 1 ms of CPU time ${spread(busy.map((b) => b.length), count)}; most CPU time used during one update over 1 ms ${spread(busiest, ms)}`);
  }
  console.log(`    ${boundVerdict(slowest.with!.map((r) => r.result), slowest["plain Map"]!.map((r) => r.result))}`);
}

/** Updates over 1 ms of the process's CPU time in a per-update round. */
const overMsOfCpu = (round: { slow: Slow[] }) => round.slow.filter((u) => u.cpu > 1).length;

/**
 * Whether single updates under a live snapshot stay within 1 ms, judged against the plain Map loop
 * of the same run: an update over 1 ms that the plain loop over the same values also has (V8
 * collecting the heap, the process waiting for a core) is the heap's and the machine's, not the
 * engine's. The engine is charged with the updates over 1 ms of CPU time it has beyond the most
 * the plain loop had in any round.
 */
function boundVerdict(live: readonly { latencies: Float64Array; slow: Slow[] }[], plain: readonly { latencies: Float64Array; slow: Slow[] }[]): string {
  const max = (rounds: readonly { latencies: Float64Array }[]) => median(rounds.map((r) => r.latencies.reduce((a, b) => Math.max(a, b), 0)));
  const liveMax = max(live);
  const plainMax = max(plain);
  const liveOver = live.map(overMsOfCpu);
  const plainOver = plain.map(overMsOfCpu);
  const figures = `slowest update (median of rounds) ${liveMax.toFixed(2)} ms with a snapshot live, ${plainMax.toFixed(2)} ms in the plain Map loop; updates over 1 ms of CPU time per round ${median(liveOver)} (${Math.min(...liveOver)}–${Math.max(...liveOver)}) against ${median(plainOver)} (${Math.min(...plainOver)}–${Math.max(...plainOver)})`;
  if (liveMax <= 1) return `verdict: 1 ms bound met: ${figures}`;
  if (median(liveOver) <= Math.max(...plainOver)) {
    return `verdict: 1 ms bound not met, and not by code that does no more than a Map update on this heap either: ${figures}; the engine's updates over 1 ms of CPU time are no more than the plain loop's`;
  }
  return `verdict: 1 ms bound not met by the engine: ${figures}; ${median(liveOver) - Math.max(...plainOver)} updates over 1 ms of CPU time per round beyond the plain loop's most`;
}

/** Every garbage collection (V8's pause) since the benchmark started; perf_hooks delivers them between event-loop turns. */
const gcPauses: PerformanceEntry[] = [];
new PerformanceObserver((list) => gcPauses.push(...list.getEntries())).observe({ entryTypes: ["gc"] });

/** Runs `round`; `pauses` lists the garbage collections that happened meanwhile once the event loop has turned (see gcDelivered). */
function withGcPauses<T>(round: () => T): { result: T; pauses: PerformanceEntry[] } {
  const started = performance.now();
  const result = round();
  const ended = performance.now();
  const pauses: PerformanceEntry[] = [];
  return {
    result,
    get pauses() {
      if (pauses.length === 0) for (const pause of gcPauses) if (pause.startTime >= started && pause.startTime <= ended) pauses.push(pause);
      return pauses;
    },
  };
}

/** Lets perf_hooks deliver the garbage collections observed so far. */
const gcDelivered = () => new Promise<void>((resolve) => setTimeout(resolve, 50));

/** The same updates on a plain Map holding the same values, timed one by one: the pauses any code sees here. */
function plainMapLatencies<V>(shape: Shape<V>, keys: Int32Array): { latencies: Float64Array; slow: Slow[] } {
  const map = plainMaps.get(shape) as Map<number, V> | undefined ?? new Map<number, V>();
  if (!plainMaps.has(shape)) {
    for (let key = 0; key < KEYS; key++) map.set(key, shape.initial(key));
    plainMaps.set(shape, map);
  }
  const latencies = new Float64Array(keys.length);
  const slow: Slow[] = [];
  for (let i = 0; i < keys.length; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const key = keys[i]!;
    map.set(key, shape.plainUpdate(map.get(key)!));
    const t = performance.now() - t0;
    latencies[i] = t;
    if (t > 1) slow.push(slowUpdate(t0, t, cpu0));
  }
  return { latencies, slow };
}

const plainMaps = new Map<unknown, Map<number, unknown>>();

if (runs("snapshot")) {
  console.log(`\nwrites during a snapshot, ${KEYS / 1e6}M keys, ${UPDATES / 1e6}M updates of random keys, one snapshot step per ${BATCH} updates; median (min–max) of ${ROUNDS} rounds`);
  await writesDuringSnapshot(numbers);
  await writesDuringSnapshot(objects);
}

// ---- 3. namespaced state (window contents) against plain keyed state ----

const NS_RECORDS = 500_000;
const NS_KEYS = 50_000;
const WINDOW_SIZE = 3_000;
const WINDOW_SLIDE = 1_000;

interface NamespacedKind {
  readonly name: string;
  /** The state under test: plain, or namespaced with its namespace switch. */
  state(backend: HeapKeyedStateBackend, namespaced: boolean): { state: State; setNamespace: (window: TimeWindow) => void };
  /** One write of `record` to the current key (and namespace). */
  write(state: State, record: number): void;
}

const namespacedKinds: NamespacedKind[] = [
  {
    name: "value: update(value() + 1)",
    state: (backend, namespaced) => namespacedOrPlain(backend, namespaced, new ValueStateDescriptor<number>("v")),
    write: (state, record) => (state as ValueState<number>).update(((state as ValueState<number>).value() ?? 0) + record),
  },
  {
    name: "reducing: add(record) (sum)",
    state: (backend, namespaced) => namespacedOrPlain(backend, namespaced, new ReducingStateDescriptor<number>("r", (a, b) => a + b)),
    write: (state, record) => (state as ReducingState<number>).add(record),
  },
  {
    name: "list: add(record)",
    state: (backend, namespaced) => namespacedOrPlain(backend, namespaced, new ListStateDescriptor<number>("l")),
    write: (state, record) => (state as ListState<number>).add(record),
  },
];

function namespacedOrPlain(backend: HeapKeyedStateBackend, namespaced: boolean, descriptor: ValueStateDescriptor<number> | ReducingStateDescriptor<number> | ListStateDescriptor<number>): { state: State; setNamespace: (window: TimeWindow) => void } {
  if (!namespaced) return { state: backend.getState(descriptor), setNamespace: () => {} };
  const handle = backend.getNamespacedState<TimeWindow>(descriptor);
  return { state: handle.state, setNamespace: (window) => handle.setCurrentNamespace(window) };
}

/**
 * One round: each record (key, timestamp) goes into its 3 sliding windows, new TimeWindow objects
 * per record as an assigner makes them; plain state gets the same 3 writes per record. As a window
 * operator does when a window fires, namespaced state is cleared per key once its window ended
 * (untimed), so the windows live at once stay a few.
 */
function namespacedRound(kind: NamespacedKind, keys: Int32Array, namespaced: boolean): { rate: number; cpuRate: number } {
  const backend = new HeapKeyedStateBackend({ keyGroupRange: { start: 0, end: 127 }, maxParallelism: 128 });
  const { state, setNamespace } = kind.state(backend, namespaced);
  /** Keys of the records of each slide, by slide number: the keys a window ending later has state for. */
  const keysBySlide = new Map<number, number[]>();
  let slide = 0;
  let timed = 0;
  let cpuMicros = 0;
  let started = performance.now();
  let cpuStarted = process.cpuUsage();
  const stopClocks = () => {
    timed += performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    cpuMicros += cpu.user + cpu.system;
  };
  for (let i = 0; i < keys.length; i++) {
    const timestamp = i * 3;
    if (namespaced && Math.floor(timestamp / WINDOW_SLIDE) !== slide) {
      stopClocks();
      slide = Math.floor(timestamp / WINDOW_SLIDE);
      fireWindow(backend, state, setNamespace, keysBySlide, slide);
      cpuStarted = process.cpuUsage();
      started = performance.now();
    }
    const key = keys[i]!;
    backend.setCurrentKey(key);
    if (namespaced) {
      let slideKeys = keysBySlide.get(slide);
      if (slideKeys === undefined) keysBySlide.set(slide, (slideKeys = []));
      slideKeys.push(key);
    }
    const lastStart = TimeWindow.getWindowStartWithOffset(timestamp, 0, WINDOW_SLIDE);
    for (let start = lastStart; start > timestamp - WINDOW_SIZE; start -= WINDOW_SLIDE) {
      setNamespace(new TimeWindow(start, start + WINDOW_SIZE));
      kind.write(state, i);
    }
  }
  stopClocks();
  return { rate: keys.length / (timed / 1000), cpuRate: keys.length / (cpuMicros / 1e6) };
}

/** Clears, for every key that has one, the window that ended where slide `slide` begins, and forgets the slide no window holds any more. */
function fireWindow(backend: HeapKeyedStateBackend, state: State, setNamespace: (window: TimeWindow) => void, keysBySlide: Map<number, number[]>, slide: number): void {
  const end = slide * WINDOW_SLIDE;
  const window = new TimeWindow(end - WINDOW_SIZE, end);
  const slides = WINDOW_SIZE / WINDOW_SLIDE;
  for (let s = slide - slides; s < slide; s++) {
    for (const key of keysBySlide.get(s) ?? []) {
      backend.setCurrentKey(key);
      setNamespace(window);
      state.clear();
    }
  }
  keysBySlide.delete(slide - slides);
}

if (runs("namespaced")) namespacedStateVersusPlain();

function namespacedStateVersusPlain(): void {
  console.log(`\nnamespaced state, ${NS_RECORDS / 1e3}k records over ${NS_KEYS / 1e3}k keys, each written to 3 sliding TimeWindows (size ${WINDOW_SIZE / 1000} s, slide ${WINDOW_SLIDE / 1000} s); records per second; median (min–max) of ${ROUNDS} rounds`);
  const nsKeys = randomKeys(NS_RECORDS, NS_KEYS, 0x5eed);
  for (const kind of namespacedKinds) {
    const rounds = alternate({ plain: () => namespacedRound(kind, nsKeys, false), namespaced: () => namespacedRound(kind, nsKeys, true) });
    console.log(`  ${kind.name}`);
    for (const [label, pick] of [["", (r: { rate: number }) => r.rate], ["per CPU second, ", (r: { cpuRate: number }) => r.cpuRate]] as const) {
      const plain = rounds.plain!.map(pick);
      const namespaced = rounds.namespaced!.map(pick);
      const ratio = namespaced.map((r, i) => r / plain[i]!);
      console.log(`    ${`${label}plain keyed state, 3 writes per record`.padEnd(55)} ${spread(plain, formatRate)}`);
      console.log(`    ${`${label}namespaced, 3 windows per record`.padEnd(55)} ${spread(namespaced, formatRate)}  (${spread(ratio, (v) => `${v.toFixed(2)}x`)} of plain)`);
    }
  }
}

// ---- 4. what one checkpoint costs a task of the keyed count ----

const TASK_KEYS = 75_000;
const TASK_RANGE = { start: 0, end: 63 };
const UPDATES_PER_TURN = 2_000;
const CHECKPOINTS_PER_ROUND = 20;
const performanceClock = { now: () => performance.now() };

function cpuMs(since: NodeJS.CpuUsage): number {
  const cpu = process.cpuUsage(since);
  return (cpu.user + cpu.system) / 1000;
}

/** CPU ms per checkpoint with the given pacing, above the same updates without a snapshot; and the turns per checkpoint. */
function checkpointRound(filled: { backend: HeapKeyedStateBackend; state: ValueState<number> }, keys: readonly number[], updates: Int32Array, pacing: "every step" | "slices"): { ms: number; turns: number } {
  const { backend, state } = filled;
  let next = 0;
  const turn = (): void => {
    for (let i = 0; i < UPDATES_PER_TURN; i++) {
      backend.setCurrentKey(keys[updates[next++ % updates.length]!]);
      numbers.update(state);
    }
  };
  let turns = 0;
  const withSnapshot = process.cpuUsage();
  for (let c = 0; c < CHECKPOINTS_PER_ROUND; c++) {
    const snapshot = backend.snapshot();
    const steps = snapshot.write();
    const slices = new EncodingSlices(performanceClock);
    while (!steps.next().done) {
      if (pacing === "slices" && !slices.turnDue()) continue;
      turn();
      turns++;
      slices.resumed();
    }
    snapshot.release();
  }
  const spent = cpuMs(withSnapshot);
  const without = process.cpuUsage();
  for (let t = 0; t < turns; t++) turn();
  return { ms: (spent - cpuMs(without)) / CHECKPOINTS_PER_ROUND, turns: turns / CHECKPOINTS_PER_ROUND };
}

if (runs("checkpoint")) {
  const backend = new HeapKeyedStateBackend({ keyGroupRange: TASK_RANGE, maxParallelism: 128 });
  const state = backend.getState(new ValueStateDescriptor<number>("v"));
  const keys: number[] = [];
  for (let key = 0; keys.length < TASK_KEYS; key++) {
    const group = assignToKeyGroup(key, 128);
    if (group < TASK_RANGE.start || group > TASK_RANGE.end) continue;
    keys.push(key);
    backend.setCurrentKey(key);
    state.update(0);
  }
  const updates = randomKeys(UPDATES_PER_TURN * 256, TASK_KEYS, 0x7a5c);
  const filled = { backend, state };
  const rounds = alternate({ everyStep: () => checkpointRound(filled, keys, updates, "every step"), slices: () => checkpointRound(filled, keys, updates, "slices") });
  console.log(`\none checkpoint of a keyed-count task, ${TASK_KEYS / 1e3}k number keys in ${TASK_RANGE.end - TASK_RANGE.start + 1} key groups, ${UPDATES_PER_TURN} updates per turn; CPU ms per checkpoint above the same updates without it, median (min–max) of ${ROUNDS} rounds of ${CHECKPOINTS_PER_ROUND}`);
  for (const [label, name] of [["a turn after every step", "everyStep"], [`in slices of ${ENCODING_SLICE_MS} ms`, "slices"]] as const) {
    const results = rounds[name]!;
    console.log(`  ${label.padEnd(26)} ${spread(results.map((r) => r.ms), (v) => `${v.toFixed(1)} ms`)}, ${median(results.map((r) => r.turns)).toFixed(1)} turns`);
  }
}
