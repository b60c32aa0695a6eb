/**
 * Turns a Fetch answer for one partition into what a read_committed reader may emit. The broker
 * sends data of aborted transactions too (below the last stable offset) and lists, per partition,
 * the aborted transactions' producer ids and first offsets; the client must drop their batches.
 * Kafka's rule: a transactional batch is aborted when its producer has an aborted transaction
 * that starts at or before it and whose abort marker (a control batch) has not come yet.
 *
 * Every batch, dropped or not, moves the position past its last offset, so a reader never fetches
 * a dropped batch or a control marker again.
 */

/** A record batch as the client decodes it (the fields read here). */
export interface FetchedBatch {
  readonly firstOffset: bigint;
  readonly lastOffsetDelta: number;
  readonly firstTimestamp: bigint;
  readonly attributes: number;
  readonly producerId: bigint;
  readonly records: readonly {
    readonly offsetDelta: number;
    readonly timestampDelta: bigint;
    readonly key: Buffer | null | undefined;
    readonly value: Buffer | null | undefined;
    readonly headers: readonly (readonly [Buffer | null | undefined, Buffer | null | undefined])[];
  }[];
}

export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

/** A record to emit, or (record undefined) only a position to move to. */
export interface FetchedEntry {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | undefined;
  readonly value: Buffer | undefined;
  readonly headers: ReadonlyMap<string, Buffer>;
}

const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

/**
 * Calls `emit` for each record at or after `from` that a consumer with `readCommitted` sees, in
 * offset order, and returns the position after the last batch (or `from` when there is none).
 */
export function readBatches(
  batches: readonly FetchedBatch[],
  aborted: readonly AbortedTransaction[],
  readCommitted: boolean,
  from: number,
  emit: (entry: FetchedEntry) => void,
): number {
  const pending = readCommitted ? [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0)) : [];
  const abortedProducers = new Set<bigint>();
  let position = from;
  for (const batch of batches) {
    while (pending.length > 0 && pending[0]!.firstOffset <= batch.firstOffset + BigInt(batch.lastOffsetDelta)) abortedProducers.add(pending.shift()!.producerId);
    const next = Number(batch.firstOffset) + batch.lastOffsetDelta + 1;
    if (next > position) position = next;
    if ((batch.attributes & CONTROL) !== 0) {
      // A commit or abort marker ends the producer's transaction.
      abortedProducers.delete(batch.producerId);
      continue;
    }
    if ((batch.attributes & TRANSACTIONAL) !== 0 && abortedProducers.has(batch.producerId)) continue;
    for (const record of batch.records) {
      const offset = Number(batch.firstOffset) + record.offsetDelta;
      if (offset < from) continue;
      const headers = new Map<string, Buffer>();
      for (const [k, v] of record.headers) if (k) headers.set(k.toString(), v ?? Buffer.alloc(0));
      emit({ offset, timestamp: Number(batch.firstTimestamp + record.timestampDelta), key: record.key ?? undefined, value: record.value ?? undefined, headers });
    }
  }
  return position;
}
