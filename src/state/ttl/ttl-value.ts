/**
 * The stored form of a value under TTL: the user's value and when it was last accessed (written,
 * or read with OnReadAndWrite), in the backend clock's milliseconds. A plain object, so snapshots
 * encode it as any other value and copy-on-write copies it (and the user's value in it) per entry.
 */
export interface TtlValue<T> {
  userValue: T;
  lastAccessTimestamp: number;
}

export function ttlValue<T>(userValue: T, now: number): TtlValue<T> {
  return { userValue, lastAccessTimestamp: now };
}

/** Flink's rule: a value expires when its last access plus the TTL is not after now. */
export function isExpired(value: TtlValue<unknown>, ttl: number, now: number): boolean {
  return value.lastAccessTimestamp + ttl <= now;
}
