/**
 * The current key of a heap backend, shared by the backend and every state table it creates so
 * that a state access reads it without a call. Written by `HeapKeyedStateBackend.setCurrentKey`, and briefly by its TTL cleanup, which puts it back.
 */
import type { NormalizedKey } from "../../core/key-groups.ts";

/** What a state table reads to find the current entry: the key group's slot and the entry's key in it. */
export interface EntryCursor {
  /** The slot of the entry's key group in the table (key group minus the range start); -1 while no key is set. */
  readonly index: number;
  /** The entry's key in that key group's map. */
  readonly normalized: NormalizedKey;
}

export class CurrentKey implements EntryCursor {
  /** The key as the user gave it. */
  key: unknown = undefined;
  /** The key as state maps store it. */
  normalized: NormalizedKey = undefined;
  keyGroup = -1;
  /** `keyGroup` minus the start of the backend's range: the slot of the key's map in every table; -1 while no key is set. */
  index = -1;
}
