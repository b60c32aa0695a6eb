/** Helpers for testing jobs and the engine against failures: `import { ... } from "weir/testing"`. */
export { armFaults, claimMarker, disarmFaults, injectFault, faultsEnvironment, FaultPlanHooks, InjectedFault, FAULTS_VARIABLE } from "./fault-injection.ts";
export type { FaultPoint, FaultSpec } from "./fault-injection.ts";
