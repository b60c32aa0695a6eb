/**
 * Imported for its effect: installs the fault plan in WEIR_FAULTS (read once, here) as this
 * thread's fault hooks. Worker threads import it when their coordinating thread armed a plan;
 * a child process gets it with `node --import tsx --import <this module>`.
 */
import { installFaultHooks } from "../runtime/fault-hooks.ts";
import { FAULTS_VARIABLE, FaultPlanHooks, parseFaults } from "./fault-injection.ts";

const faults = parseFaults(process.env[FAULTS_VARIABLE]);
if (faults.length > 0) installFaultHooks(new FaultPlanHooks(faults));
