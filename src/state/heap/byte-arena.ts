/**
 * Bytes a snapshot holds while it is written (its key groups' encoded bodies, until they are
 * assembled into its result), copied into chunks taken from a pool the process's snapshots share
 * and given back when the snapshot is done with them. Why: V8 counts the ArrayBuffers allocated
 * since its last full collection towards the old generation's limit, so bodies in new buffers, as
 * large as the snapshot, start a full collection while the snapshot is written, and its marking
 * steps on the task's thread fall into the updates that go on meanwhile. Chunks from the pool were
 * allocated by an earlier snapshot. The price: the pool keeps up to MAX_POOLED_CHUNKS chunks
 * (the bodies of the largest snapshot written so far, up to that) for the life of the process.
 */
const CHUNK_BYTES = 1 << 20;
const MAX_POOLED_CHUNKS = 64;

const pool: Uint8Array[] = [];

export class ByteArena {
  private chunks: Uint8Array[] = [];
  private current: Uint8Array | undefined;
  private used = 0;

  /** A copy of `bytes`, valid until `release`; one larger than a chunk is a buffer of its own. */
  copy(bytes: Uint8Array): Uint8Array {
    if (bytes.length > CHUNK_BYTES) return bytes.slice();
    if (this.current === undefined || this.used + bytes.length > CHUNK_BYTES) {
      this.current = pool.pop() ?? new Uint8Array(CHUNK_BYTES);
      this.chunks.push(this.current);
      this.used = 0;
    }
    const out = this.current.subarray(this.used, this.used + bytes.length);
    out.set(bytes);
    this.used += bytes.length;
    return out;
  }

  /** Gives the chunks back to the pool: nothing `copy` returned may be read afterwards. Idempotent. */
  release(): void {
    for (const chunk of this.chunks) if (pool.length < MAX_POOLED_CHUNKS) pool.push(chunk);
    this.chunks = [];
    this.current = undefined;
    this.used = 0;
  }
}
