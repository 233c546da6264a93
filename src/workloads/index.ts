/**
 * Workloads: a registry (name → parameters + runner) and the built-in workloads, which are
 * registered when this module loads.
 */
import { getWorkload, registerWorkload } from './registry';
import { lockHammer } from './lock_hammer';

export {
  registerWorkload, getWorkload, workloadNames, listWorkloads, paramDefaults, describeParam, kernelLock,
  type ParamSpec, type ParamValue, type ParamValues, type WorkloadContext, type WorkloadDef, type WorkloadOutput, type KernelLock,
} from './registry';
export { lockHammer } from './lock_hammer';

if (!getWorkload(lockHammer.name)) registerWorkload(lockHammer);
