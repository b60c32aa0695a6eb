/**
 * Checkpoint files in a map, for tests: every write is atomic and instantly "durable", nothing
 * survives the process. Paths are POSIX paths; directories exist once something was written below
 * them and until they are removed. Tests may damage files through the same methods the storage
 * uses (`writeAtomically` over a file, `remove` of it) to check how corruption is reported.
 */
import { posix } from "node:path";
import { systemClock, type Clock } from "../../core/clock.ts";
import { CheckpointIoError } from "./checkpoint-storage-errors.ts";
import type { CheckpointVolume, VolumeEntry } from "./checkpoint-volume.ts";

interface MemoryFile {
  readonly bytes: Uint8Array;
  readonly modifiedAt: number;
}

export class MemoryVolume implements CheckpointVolume {
  private readonly files = new Map<string, MemoryFile>();
  /** Directory path to its last modification. The root "/" always exists. */
  private readonly dirs = new Map<string, number>([["/", 0]]);
  private readonly clock: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
  }

  normalize(pointer: string): string {
    return posix.resolve("/", pointer);
  }

  async writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
    const target = this.normalize(path);
    if (this.dirs.has(target)) throw new CheckpointIoError(target, "write", new Error("it is a directory"));
    const now = this.clock.now();
    const created: string[] = [];
    for (let dir = posix.dirname(target); !this.dirs.has(dir); dir = posix.dirname(dir)) {
      if (this.files.has(dir)) throw new CheckpointIoError(target, "write", new Error(`${dir} is a file`));
      created.push(dir);
    }
    for (const dir of created) this.dirs.set(dir, now);
    this.files.set(target, { bytes: bytes.slice(), modifiedAt: now });
    this.touchParent(target, now);
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    return this.files.get(this.normalize(path))?.bytes.slice();
  }

  async stat(path: string): Promise<Omit<VolumeEntry, "name"> | undefined> {
    const target = this.normalize(path);
    const file = this.files.get(target);
    if (file !== undefined) return { kind: "file", size: file.bytes.length, modifiedAt: file.modifiedAt };
    const dirTime = this.dirs.get(target);
    return dirTime === undefined ? undefined : { kind: "directory", size: 0, modifiedAt: dirTime };
  }

  async list(dir: string): Promise<VolumeEntry[]> {
    const parent = this.normalize(dir);
    const entries: VolumeEntry[] = [];
    for (const [path, file] of this.files) {
      if (posix.dirname(path) === parent) entries.push({ name: posix.basename(path), kind: "file", size: file.bytes.length, modifiedAt: file.modifiedAt });
    }
    for (const [path, modifiedAt] of this.dirs) {
      if (path !== "/" && posix.dirname(path) === parent) entries.push({ name: posix.basename(path), kind: "directory", size: 0, modifiedAt });
    }
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async move(from: string, to: string): Promise<void> {
    const source = this.normalize(from);
    const file = this.files.get(source);
    if (file === undefined) throw new CheckpointIoError(source, "read", new Error("no such file"));
    await this.writeAtomically(to, file.bytes);
    await this.remove(source);
  }

  async remove(path: string): Promise<void> {
    const target = this.normalize(path);
    if (target === "/") throw new CheckpointIoError(target, "delete", new Error("the root of a memory volume cannot be removed"));
    const below = target + "/";
    const existed = this.files.delete(target) || this.dirs.delete(target);
    for (const key of [...this.files.keys()]) if (key.startsWith(below)) this.files.delete(key);
    for (const key of [...this.dirs.keys()]) if (key.startsWith(below)) this.dirs.delete(key);
    if (existed) this.touchParent(target, this.clock.now());
  }

  /** Every file path, sorted: what a test inspects to see what a storage left behind. */
  filePaths(): string[] {
    return [...this.files.keys()].sort();
  }

  private touchParent(path: string, now: number): void {
    const parent = posix.dirname(path);
    if (parent !== "/") this.dirs.set(parent, now);
  }
}
