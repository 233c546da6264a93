/**
 * Workloads the notebooks add. Nothing is registered on import: call
 * `registerNotebookWorkloads()` (idempotent), and pass NOTEBOOK_WORKLOADS_MODULE (a module
 * that calls it) as runSweep's `modules` so that sweep workers register them too.
 *
 * - `numa-migration-scan`: the numa-migration scenario with the NUMA balancing scan
 *   period as a parameter. The scenario fixes it (NUMA_SCENARIO_PARAMS: scan delay and
 *   minimum period 2 ms, scaled ~500x down from the kernel's 1000 ms); `scanPeriodMs`
 *   sets the delay and minimum period, and the maximum to 50× that (at least 100 ms).
 *   Nothing else differs from `numa-migration`.
 */
import { MmContext } from '../mm/model/context';
import { getWorkload, registerWorkload, type WorkloadDef } from '../workloads';
import { NUMA_SCENARIO_PARAMS, SCENARIO_TABLES, immapSites, numaMigrationScenario, siteMetrics } from '../workloads/mm_paths';

import { join } from 'node:path';

/** A module that registers the notebook workloads when loaded (for sweep workers). */
export const NOTEBOOK_WORKLOADS_MODULE: string = join(__dirname, 'register.js');

const numa = SCENARIO_TABLES['numa-migration']!;

export const numaMigrationScanWorkload: WorkloadDef = {
  name: 'numa-migration-scan',
  description: `${numa.description}; NUMA balancing scan period as a parameter (notebooks) (runs to completion)`,
  params: {
    ...numa.params,
    scanPeriodMs: {
      type: 'int', default: 2, min: 1, max: 1000, unit: 'ms',
      help: 'NUMA balancing scan delay and minimum scan period (maximum: 50x, at least 100 ms); the numa-migration scenario uses 2',
    },
  },
  timing: 'completion',
  run(w) {
    const { scanPeriodMs, ...params } = w.params as Record<string, number>;
    const p = scanPeriodMs ?? 2;
    const mm = new MmContext(w.sim, w.sched, w.env, w.kernel, {
      ...numaMigrationScenario.mm,
      numa: { ...NUMA_SCENARIO_PARAMS, scanDelayMs: p, scanPeriodMinMs: p, scanPeriodMaxMs: Math.max(100, 50 * p) },
    });
    const figures = numaMigrationScenario.setup(mm, params);
    w.run();
    return { metrics: { ...figures(), elapsed_ns: w.sim.now, ...siteMetrics(immapSites(mm)) } };
  },
};

/** Register the notebook workloads (once; later calls do nothing). Returns their names. */
export function registerNotebookWorkloads(): string[] {
  if (!getWorkload(numaMigrationScanWorkload.name)) registerWorkload(numaMigrationScanWorkload);
  return [numaMigrationScanWorkload.name];
}
