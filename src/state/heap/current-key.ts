/**
 * The current key of a heap backend, shared by the backend and every state table it creates so
 * that a state access reads it without a call. Written only by `HeapKeyedStateBackend.setCurrentKey`.
 */
import type { NormalizedKey } from "../../core/key-groups.ts";

export class CurrentKey {
  /** The key as the user gave it. */
  key: unknown = undefined;
  /** The key as state maps store it. */
  normalized: NormalizedKey = undefined;
  keyGroup = -1;
  /** `keyGroup` minus the start of the backend's range: the slot of the key's map in every table; -1 while no key is set. */
  index = -1;
}
