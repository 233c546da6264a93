/**
 * Workloads: a registry (name → parameters + runner) and the built-in workloads, which are
 * registered when this module loads: lock-hammer, the mm_paths scenarios (fork-storm,
 * truncate, numa-migration, postgres-hugetlb, memory-failure, uprobe, xip, nommu; they run
 * to completion, see mm_paths/workloads.ts), iozone-mmap, memcached and microbench (will-it-scale
 * style loops as data, data/workloads/microbench/).
 */
import { getWorkload, registerWorkload } from './registry';
import { lockHammer } from './lock_hammer';
import { SCENARIO_WORKLOADS } from './mm_paths/workloads';
import { aim7Workload, aim7WhatIfWorkload } from './aim7';
import { iozoneMmap } from './iozone_mmap';
import { memcached } from './memcached';
import { microbench } from './microbench';

export {
  registerWorkload, getWorkload, workloadNames, listWorkloads, paramDefaults, describeParam, kernelLock,
  type ParamSpec, type ParamValue, type ParamValues, type WorkloadContext, type WorkloadDef, type WorkloadOutput, type KernelLock,
} from './registry';
export { lockHammer } from './lock_hammer';
export * as aim7 from './aim7';
export { iozoneMmap } from './iozone_mmap';
export { memcached } from './memcached';
export * as microbench from './microbench';

if (!getWorkload(lockHammer.name)) registerWorkload(lockHammer);
for (const w of SCENARIO_WORKLOADS) if (!getWorkload(w.name)) registerWorkload(w);
for (const w of [aim7Workload, aim7WhatIfWorkload, iozoneMmap, memcached, microbench]) if (!getWorkload(w.name)) registerWorkload(w);
