/**
 * Reading and writing savepoints offline (Flink's State Processor API):
 * `import { readSavepoint, SavepointWriter } from "weir/state-processor"`. See docs/state-processor.md.
 */
export { readSavepoint, ExistingSavepoint, SavepointOperator } from "./savepoint-reader.ts";
export type { BroadcastStateEntry, KeyedStateEntry, SubtaskContent, TimerRecord } from "./savepoint-reader.ts";
export type { KeyedSnapshotState } from "../state/heap/heap-snapshot.ts";
export { SavepointWriter, type NewSavepointOptions } from "./savepoint-writer.ts";
export type { Entries, KeyedStateData, OperatorStateData } from "./operator-bootstrap.ts";
export { KeyedStateBootstrapFunction, type KeyedBootstrap, type KeyedStateBootstrapContext } from "./keyed-state-bootstrap-function.ts";
export { summarizeSavepoint, formatSavepointSummary } from "./savepoint-summary.ts";
export type { OperatorSummary, SavepointSummary, StateSummary, StateSummaryKind } from "./savepoint-summary.ts";
