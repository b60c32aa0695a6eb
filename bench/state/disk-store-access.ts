/**
 * Which embedded store can serve keyed state from disk: get + put per record over 1M keys with
 * small values, as a keyed count does, through each binding's synchronous or per-batch API.
 *
 *   node --import tsx bench/state/disk-store-access.ts [--records 1000000] [--keys 1000000] [--batch 1000] [--reps 5]
 *
 * Bindings that are not installed are reported as such: `lmdb` is the project's dependency;
 * `@nxtedition/rocksdb` and `rocksdb-native` are looked up with NODE_PATH (install them in a
 * scratch directory to compare). Each mode runs `--reps` times, alternating, after one warm-up;
 * the median and spread (min–max) of records/s are printed. Per-batch modes read each batch's
 * distinct keys at once, apply the records in order over a batch-local overlay, and write the
 * batch as one write batch (the model of a per-batch cache over the store).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type * as Lmdb from "lmdb";

/** The few methods of the RocksDB bindings this benchmark calls (neither ships usable types for them). */
interface NxtRocks {
  open(): Promise<void>;
  close(): Promise<void>;
  _getManySync(keys: Buffer[], options: object): (Buffer | null | undefined)[];
  _chainedBatch(): { _put(key: Buffer, value: Buffer, options: object): void; _writeSync(options: object): void };
}
interface NativeRocks {
  ready(): Promise<void>;
  close(): Promise<void>;
  read(): { get(key: Buffer): Promise<Buffer | null>; flush(): void };
  write(): { put(key: Buffer, value: Buffer): void; flush(): Promise<void> };
}

const { values: flags } = parseArgs({
  options: { records: { type: "string" }, keys: { type: "string" }, batch: { type: "string" }, reps: { type: "string" } },
});
const RECORDS = Number(flags.records ?? 1_000_000);
const KEYS = Number(flags.keys ?? 1_000_000);
const BATCH = Number(flags.batch ?? 1000);
const REPS = Number(flags.reps ?? 5);
const require = createRequire(join(process.cwd(), "noop.js"));

/** Random keys, the same sequence for every mode: 8-byte big-endian keys as a state key would be. */
const sequence = new Uint32Array(RECORDS);
let seed = 0x9e3779b9;
for (let i = 0; i < RECORDS; i++) {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  sequence[i] = (seed >>> 0) % KEYS;
}
function keyBytes(k: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32BE(k % 128, 0);
  b.writeUInt32BE(k, 4);
  return b;
}
const keyBuffers = Array.from({ length: KEYS }, (_, k) => keyBuffers_(k));
function keyBuffers_(k: number): Buffer {
  return keyBytes(k);
}
function valueBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(n, 0);
  return b;
}

interface Mode {
  name: string;
  /** Runs every record once; returns the sum of counts read, as a check. */
  run(): Promise<number> | number;
  close(): Promise<void> | void;
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "weir-disk-bench-"));
}

function tryRequire(name: string): unknown {
  try {
    return require(name);
  } catch {
    return undefined;
  }
}

/** A batch's records in order over its own overlay; `read` gives the stored values of the distinct keys. */
function applyBatch(from: number, to: number, read: (keys: Buffer[]) => (Buffer | undefined)[]): { writes: [Buffer, Buffer][]; sum: number } {
  const overlay = new Map<number, number>();
  const distinct: number[] = [];
  for (let i = from; i < to; i++) {
    if (overlay.has(sequence[i]!)) continue;
    overlay.set(sequence[i]!, -1);
    distinct.push(sequence[i]!);
  }
  const stored = read(distinct.map((k) => keyBuffers[k]!));
  for (let j = 0; j < distinct.length; j++) overlay.set(distinct[j]!, stored[j] === undefined ? 0 : stored[j]!.readUInt32LE(0));
  let sum = 0;
  for (let i = from; i < to; i++) {
    const n = overlay.get(sequence[i]!)! + 1;
    overlay.set(sequence[i]!, n);
    sum += n;
  }
  return { writes: distinct.map((k) => [keyBuffers[k]!, valueBytes(overlay.get(k)!)]), sum };
}

async function modes(): Promise<Mode[]> {
  const found: Mode[] = [];
  const lmdb = tryRequire("lmdb") as typeof Lmdb | undefined;
  if (lmdb === undefined) console.log("lmdb: not installed");
  else {
    for (const perRecord of [true, false]) {
      const dir = scratch();
      const db = lmdb.open({ path: dir, keyEncoding: "binary", encoding: "binary", noSync: true, cache: false });
      found.push({
        name: perRecord ? "lmdb: sync get + put per record, one write txn per batch" : "lmdb: per batch, sync reads then one write txn",
        run() {
          let sum = 0;
          for (let from = 0; from < RECORDS; from += BATCH) {
            const to = Math.min(RECORDS, from + BATCH);
            if (perRecord) {
              db.transactionSync(() => {
                for (let i = from; i < to; i++) {
                  const key = keyBuffers[sequence[i]!]!;
                  const stored = db.getBinary(key);
                  const n = (stored === undefined ? 0 : stored.readUInt32LE(0)) + 1;
                  db.putSync(key, valueBytes(n));
                  sum += n;
                }
              });
            } else {
              const batch = applyBatch(from, to, (keys) => keys.map((k) => db.getBinary(k) as Buffer | undefined));
              sum += batch.sum;
              db.transactionSync(() => {
                for (const [k, v] of batch.writes) db.putSync(k, v);
              });
            }
          }
          return sum;
        },
        async close() {
          await db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      });
    }
  }
  const nxt = tryRequire("@nxtedition/rocksdb") as { RocksLevel: new (path: string) => NxtRocks } | undefined;
  if (nxt === undefined) console.log("@nxtedition/rocksdb: not installed");
  else {
    const dir = scratch();
    const db = new nxt.RocksLevel(dir);
    await db.open();
    found.push({
      name: "@nxtedition/rocksdb: per batch, _getManySync then a write batch written synchronously",
      run() {
        let sum = 0;
        for (let from = 0; from < RECORDS; from += BATCH) {
          const batch = applyBatch(from, Math.min(RECORDS, from + BATCH), (keys) => db._getManySync(keys, {}).map((v) => v ?? undefined));
          sum += batch.sum;
          // The binding's own batch, past abstract-level's encodings (which would take keys for utf8 text).
          const w = db._chainedBatch();
          for (const [k, v] of batch.writes) w._put(k, v, {});
          w._writeSync({});
        }
        return sum;
      },
      async close() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    });
  }
  const native = tryRequire("rocksdb-native") as (new (path: string) => NativeRocks) | undefined;
  if (native === undefined) console.log("rocksdb-native: not installed");
  else {
    const dir = scratch();
    const db = new native(dir);
    await db.ready();
    found.push({
      name: "rocksdb-native: per batch, one awaited read batch then one awaited write batch",
      async run() {
        let sum = 0;
        for (let from = 0; from < RECORDS; from += BATCH) {
          const to = Math.min(RECORDS, from + BATCH);
          const distinctKeys = [...new Set(Array.from(sequence.subarray(from, to)))];
          const r = db.read();
          const pending = distinctKeys.map((k) => r.get(keyBuffers[k]!));
          r.flush();
          const values = await Promise.all(pending);
          const byKey = new Map(distinctKeys.map((k, j) => [k, values[j]]));
          const batch = applyBatch(from, to, (keys) => keys.map((k) => byKey.get(k.readUInt32BE(4)) ?? undefined));
          sum += batch.sum;
          const w = db.write();
          for (const [k, v] of batch.writes) w.put(k, v);
          await w.flush();
        }
        return sum;
      },
      async close() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    });
  }
  return found;
}

const all = await modes();
const rates = all.map(() => [] as number[]);
let expected: number | undefined;
for (let rep = 0; rep <= REPS; rep++) {
  for (let m = 0; m < all.length; m++) {
    const started = performance.now();
    const sum = await all[m]!.run();
    const seconds = (performance.now() - started) / 1000;
    // Counts grow per run (each run adds to the last), so only the first run's sums compare.
    if (rep === 0) {
      expected ??= sum;
      if (sum !== expected) throw new Error(`${all[m]!.name} counted ${sum}, expected ${expected}`);
    } else rates[m]!.push(RECORDS / seconds);
  }
}
console.log(`${RECORDS} records over ${KEYS} keys, batches of ${BATCH}, ${REPS} reps after a warm-up`);
for (let m = 0; m < all.length; m++) {
  const sorted = rates[m]!.sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(`${all[m]!.name}: median ${(median / 1e3).toFixed(0)}k records/s (spread ${(sorted[0]! / 1e3).toFixed(0)}–${(sorted.at(-1)! / 1e3).toFixed(0)}k)`);
}
for (const mode of all) await mode.close();
