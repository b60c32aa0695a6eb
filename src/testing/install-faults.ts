/**
 * Imported for its effect: installs the fault plan in WEIR_FAULTS (read once, here) as this
 * thread's fault hooks. Worker threads import it when their coordinating thread armed a plan;
 * a child process gets it with `node --import tsx --import <this module>`.
 */
import { installFaultHooks } from "../runtime/fault-hooks.ts";
import { armsAnything, FAULTS_VARIABLE, FaultPlanHooks, parseFaults } from "./fault-injection.ts";

const { faults, options } = parseFaults(process.env[FAULTS_VARIABLE]);
if (armsAnything(faults, options)) installFaultHooks(new FaultPlanHooks(faults, options));
