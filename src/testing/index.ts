/** Helpers for testing jobs and the engine against failures: `import { ... } from "weir/testing"`. */
export { armFaults, claimMarker, disarmFaults, injectFault, faultsEnvironment, FaultPlanHooks, InjectedFault, FAULTS_VARIABLE } from "./fault-injection.ts";
export type { FaultOptions, FaultPoint, FaultSpec } from "./fault-injection.ts";
export { crashTest, describeRun } from "./crash-test/crash-test.ts";
export type { CrashTestOptions, CrashTestReport, RunReport, SinkCheck, SinkDifference } from "./crash-test/crash-test.ts";
export type { StallReport } from "./crash-test/run-stall.ts";
export { FAULT_KINDS } from "./crash-test/fault-plan.ts";
export type { FaultKind } from "./crash-test/fault-plan.ts";
export { parseOutputKey } from "./crash-test/compare-outputs.ts";
export type { OutputKey } from "./crash-test/compare-outputs.ts";
export type { CommittedOutput, CommittedReader, OutputGuarantee, ReadBackContext } from "../sinks/sink.ts";
