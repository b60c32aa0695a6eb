/**
 * What a split-based source's readers and its enumerator tell each other, through the job
 * master's channel to the task threads. Addressed by the reader's task id ("<vertex>:<subtask>").
 */
import type { SourceEvent, SourceSplit } from "../sources/split-source.ts";

export type ReaderToEnumerator =
  /** The reader opened, with its restored splits added; sent before any request. */
  | { readonly kind: "register" }
  | { readonly kind: "request" }
  | { readonly kind: "finished"; readonly splits: readonly SourceSplit[] }
  | { readonly kind: "event"; readonly event: SourceEvent };

export type EnumeratorToReader =
  | { readonly kind: "splits"; readonly splits: readonly SourceSplit[] }
  | { readonly kind: "no-more-splits" }
  | { readonly kind: "event"; readonly event: SourceEvent };
