/**
 * Trimming a history kept in a Map in insertion order (oldest first) whose entries are either
 * still running or ended: the running ones always stay, and of the ended ones only the newest
 * `keep` do.
 */
export function evictEnded<K, V>(history: Map<K, V>, ended: (entry: V) => boolean, keep: number): K[] {
  let count = 0;
  for (const entry of history.values()) if (ended(entry)) count++;
  const evicted: K[] = [];
  for (const [key, entry] of history) {
    if (count <= keep) break;
    if (!ended(entry)) continue;
    history.delete(key);
    evicted.push(key);
    count--;
  }
  return evicted;
}
