/**
 * The embedded store under the disk backend: one LMDB environment in a directory of its own, with
 * a write-back overlay of pending writes in front of it. Reads and writes are synchronous: a read
 * looks in the overlay, then in the store; writes collect in the overlay and reach the store in one
 * write transaction when the overlay is full or before anything reads the store as a range (scans,
 * snapshots). An entry is addressed by key group, state id and normalized key (disk-key.ts); the
 * overlay holds pending writes per (key group, state) by normalized key, so that a record's read
 * and write look up a number key as it is, and the store key's bytes are written only for LMDB,
 * into a buffer reused from call to call (LMDB copies a key before it returns). The directory is scratch space: the store is written without fsync (durability is the
 * checkpoints'), and `close()` removes it. Its name carries the owning process's id, so that a store
 * left by a process killed before it could remove it is removed by the next store opened beside it.
 *
 * Why LMDB and not RocksDB: see docs/state.md, "On-disk backend" (measured with
 * bench/state/disk-store-access.ts). LMDB's read transactions are MVCC views, which is what a
 * snapshot's asynchronous phase reads while records keep writing.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database, RootDatabase, Transaction } from "lmdb";
import { loadLmdb } from "../../core/client-libraries.ts";
import { internalError } from "../../core/errors.ts";
import type { NormalizedKey } from "../../core/key-groups.ts";
import { entryKey, NUMBER_ENTRY_KEY_LENGTH, numberEntryKeyInto } from "./disk-key.ts";

/** Pending writes held before they are written to the store in one transaction. */
const OVERLAY_LIMIT = 8192;

/**
 * Read transactions open at once: one per view not done (a full snapshot being written, or a
 * base materialised in the background). LMDB's default of 126 failed a store whose checkpoints
 * piled up; a slot costs 64 bytes of the lock file.
 */
const MAX_READERS = 4096;

/** A read-only view of the store as it was when taken; `done()` lets the store reuse its pages. */
export interface StoreView {
  /** Entries with keys in [start, end), in key order. */
  range(start: Uint8Array, end: Uint8Array): Iterable<{ key: Buffer; value: Buffer }>;
  done(): void;
}

/** Pending writes of one state in one key group: by normalized key, the value, or null for a removal. */
class PendingGroup {
  readonly entries = new Map<NormalizedKey, Buffer | null>();

  constructor(
    readonly keyGroup: number,
    readonly stateId: number,
  ) {}
}

/** The overlay's index of a (key group, state): key groups and state ids are u16. */
function slot(keyGroup: number, stateId: number): number {
  return keyGroup * 0x10000 + stateId;
}

/**
 * A value LMDB read into its shared read buffer, as a view of exactly its bytes. LMDB hands out
 * that buffer (16 MB) with only its `length` set to the value's: its `byteLength` stays the
 * buffer's, so `new Uint8Array(v)` would copy 16 MB and `Buffer.from(v)` throws.
 */
function exact(bytes: Buffer | undefined): Buffer | undefined {
  return bytes === undefined ? undefined : bytes.subarray(0, bytes.length);
}

const DIRECTORY_PREFIX = "weir-disk-state-";

/**
 * The id of the process that owns a store directory named `weir-disk-state-<pid>-<random>`, or
 * undefined for any other name (another program's, or a store made before names carried it).
 */
export function storeOwner(name: string): number | undefined {
  const match = /^weir-disk-state-(\d+)-[^-]+$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/** Whether a process with this id is running (one we may not signal is running). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Parent directories already swept by this process. */
const swept = new Set<string>();

/**
 * Removes the store directories in `parent` whose owning process no longer runs, once per parent
 * and process. A pid reused by a live process keeps its directory until that process ends.
 */
export function removeStoresOfEndedProcesses(parent: string, runs: (pid: number) => boolean = processRuns): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const owner = storeOwner(name);
    if (owner === undefined || owner === process.pid || runs(owner)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** Directories of stores not closed yet, removed at exit if the process ends first. */
const openDirectories = new Set<string>();
let exitHookInstalled = false;

function removeAtExit(directory: string): void {
  openDirectories.add(directory);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const dir of openDirectories) rmSync(dir, { recursive: true, force: true });
  });
}

export class DiskStore {
  readonly directory: string;
  private readonly root: RootDatabase<Buffer, Buffer>;
  private readonly db: Database<Buffer, Buffer>;
  /** Pending writes by slot(key group, state id). */
  private readonly overlay = new Map<number, PendingGroup>();
  /** Pending writes over every group of the overlay. */
  private pending = 0;
  /** Where a number key's store key is written for LMDB (see `storeKey`). */
  private readonly numberKey = Buffer.allocUnsafe(NUMBER_ENTRY_KEY_LENGTH);
  private closed = false;
  /** Views not done yet, ended by `close()` (LMDB must not be closed under an open read transaction). */
  private readonly views = new Set<() => void>();

  /** Opens a new store in a fresh directory under `parent` (the system's temp dir by default). */
  constructor(parent?: string) {
    const under = parent ?? tmpdir();
    if (parent !== undefined) mkdirSync(parent, { recursive: true });
    if (!swept.has(under)) {
      swept.add(under);
      removeStoresOfEndedProcesses(under);
    }
    this.directory = mkdtempSync(join(under, `${DIRECTORY_PREFIX}${process.pid}-`));
    removeAtExit(this.directory);
    this.root = loadLmdb().open<Buffer, Buffer>({ path: this.directory, keyEncoding: "binary", encoding: "binary", noSync: true, noMetaSync: true, cache: false, compression: false, maxReaders: MAX_READERS });
    this.db = this.root;
  }

  /**
   * The value of `key`'s entry of state `stateId` in `keyGroup`, pending writes included, or
   * undefined; one read from the store is valid until the store is next read.
   */
  get(keyGroup: number, stateId: number, key: NormalizedKey): Buffer | undefined {
    if (this.closed) throw internalError(`disk state in ${this.directory} was used after its backend was disposed`);
    const pending = this.overlay.get(slot(keyGroup, stateId))?.entries.get(key);
    if (pending !== undefined) return pending ?? undefined;
    return exact(this.db.getBinaryFast(this.storeKey(keyGroup, stateId, key)));
  }

  put(keyGroup: number, stateId: number, key: NormalizedKey, value: Buffer): void {
    this.write(keyGroup, stateId, key, value);
  }

  remove(keyGroup: number, stateId: number, key: NormalizedKey): void {
    this.write(keyGroup, stateId, key, null);
  }

  private write(keyGroup: number, stateId: number, key: NormalizedKey, value: Buffer | null): void {
    const at = slot(keyGroup, stateId);
    let group = this.overlay.get(at);
    if (group === undefined) this.overlay.set(at, (group = new PendingGroup(keyGroup, stateId)));
    const entries = group.entries;
    const size = entries.size;
    entries.set(key, value);
    if (entries.size > size && ++this.pending >= OVERLAY_LIMIT) this.flush();
  }

  /** The store key of an entry, valid until the next call (a number key's is written into one buffer). */
  private storeKey(keyGroup: number, stateId: number, key: NormalizedKey): Buffer {
    return typeof key === "number" ? numberEntryKeyInto(this.numberKey, keyGroup, stateId, key) : entryKey(keyGroup, stateId, key);
  }

  /** Writes the pending writes to the store, in one transaction. */
  flush(): void {
    if (this.closed) throw internalError(`disk state in ${this.directory} was used after its backend was disposed`);
    if (this.pending === 0) return;
    const db = this.db;
    db.transactionSync(() => {
      for (const { keyGroup, stateId, entries } of this.overlay.values()) {
        for (const [key, value] of entries) {
          const at = this.storeKey(keyGroup, stateId, key);
          if (value === null) db.removeSync(at);
          else db.putSync(at, value);
        }
      }
    });
    this.overlay.clear();
    this.pending = 0;
  }

  /** Removes every entry with a key in [start, end). */
  removeRange(start: Uint8Array, end: Uint8Array): void {
    this.flush();
    const db = this.db;
    const keys = Array.from(db.getKeys({ start: Buffer.from(start), end: Buffer.from(end) }), (k) => Buffer.from(k));
    if (keys.length === 0) return;
    db.transactionSync(() => {
      for (const key of keys) db.removeSync(key);
    });
  }

  /** Entries with keys in [start, end), pending writes included, in key order; the store must not be written while it is iterated. */
  range(start: Uint8Array, end: Uint8Array): Iterable<{ key: Buffer; value: Buffer }> {
    this.flush();
    return this.db.getRange({ start: Buffer.from(start), end: Buffer.from(end), snapshot: false }) as Iterable<{ key: Buffer; value: Buffer }>;
  }

  /** The number of entries with keys in [start, end). */
  count(start: Uint8Array, end: Uint8Array): number {
    this.flush();
    return this.db.getKeysCount({ start: Buffer.from(start), end: Buffer.from(end), snapshot: false });
  }

  /** Whether some entry has a key in [start, end). */
  hasAny(start: Uint8Array, end: Uint8Array): boolean {
    this.flush();
    for (const _ of this.db.getKeys({ start: Buffer.from(start), end: Buffer.from(end), limit: 1, snapshot: false })) return true;
    return false;
  }

  /** The store as it is now, pending writes included, for reading while it goes on changing. */
  view(): StoreView {
    this.flush();
    const db = this.db;
    const transaction: Transaction = db.useReadTransaction();
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      this.views.delete(finish);
      transaction.done();
    };
    this.views.add(finish);
    return {
      range: (start, end) => {
        if (done) throw internalError("a snapshot of disk state was read after it was released");
        return db.getRange({ start: Buffer.from(start), end: Buffer.from(end), transaction }) as Iterable<{ key: Buffer; value: Buffer }>;
      },
      done: finish,
    };
  }

  /** Closes the store and removes its directory; idempotent. Views must be done first. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.overlay.clear();
    this.pending = 0;
    for (const end of [...this.views]) end();
    // Removed at once, not when the close settles: a worker thread may be terminated before then.
    // The files stay readable to LMDB until it has unmapped them.
    void this.root.close().catch(() => {});
    rmSync(this.directory, { recursive: true, force: true });
    openDirectories.delete(this.directory);
  }
}
