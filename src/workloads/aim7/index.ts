/**
 * The aim7 workload (`aim7`): a reaim workfile (alltests, disk — the calibrated two — or any
 * other of data/workloads/reaim/, or a workfile's path) at one load point, each
 * test a sequence of kernel operations (data/workloads/aim7/tests.yaml) run on the mm
 * model, so i_mmap contention comes from the real fork/exec/exit paths on shared libraries.
 * See driver.ts for the load point and its two estimates, spec.ts for the format, src/fs/
 * for the file-system locks and queues, calibration.ts for the two fitted parameters.
 */
import { MmContext, dsoLayout, defaultNumaParams, defaultCompactionParams, defaultMmCosts, type MmCosts } from '../../mm';
import { computeQuotas, loadWorkfile, WORKFILE_ALLOWED } from '../reaim';
import type { ParamSpec, WorkloadDef } from '../registry';
import { CALIBRATED_BOUNDS, loadCalibration } from './calibration';
import { setupLoadPoint } from './driver';
import { loadCosts, loadTestDefs, type Aim7Costs, type TestDefs } from './spec';
import { loadMeasuredCpuMs, withMeasuredCompute } from './measured_compute';

export { setupLoadPoint, type LoadPointOptions } from './driver';
export { estimateMakespan, type LoadPointResult } from './measure';
export { parseTestDefs, loadTestDefs, parseCosts, loadCosts, parseOps, TestDefError, DIRS, COST_NAMES, type Op, type Cmd, type TestDefs, type Aim7Costs } from './spec';
export { loadCalibration, CALIBRATED_BOUNDS, CALIBRATION_FILE, type Aim7Calibrated } from './calibration';

let cache: { tests: TestDefs; costs: Aim7Costs } | null = null;
const defs = () => (cache ??= { tests: loadTestDefs(), costs: loadCosts() });

const cal = loadCalibration();

const params: Record<string, ParamSpec> = {
  workfile: { type: 'string', default: 'alltests', allowed: WORKFILE_ALLOWED, help: 'reaim workfile: a name of data/workloads/reaim/ (alltests and disk are the calibrated ones) or a workfile\'s path' },
  users: { type: 'int', default: 100, min: 1, max: 4000, help: 'reaim children (the load point)' },
  estimate: { type: 'enum', default: 'auto', values: ['auto', 'window', 'full'], help: 'full: every child runs to its end (reaim\'s JPM); window: steady-state estimate from a measured window (driver.ts); auto: full below 100 users, else window' },
  warmupTasks: { type: 'number', default: 3, min: 0, max: 50, help: 'window estimate: the warm-up ends when the children have finished this many tasks each on average (the synchronised start is behind)' },
  windowTasks: { type: 'number', default: 5, min: 0.05, max: 50, help: 'window estimate: the window lasts until this many more tasks per child have finished on average' },
  userUnitMs: { type: 'number', default: cal.userUnitMs, min: CALIBRATED_BOUNDS.userUnitMs[0], max: CALIBRATED_BOUNDS.userUnitMs[1], unit: 'ms', help: 'calibrated: user time of one cpu unit (data/calibration/aim7.json)' },
  ioScale: { type: 'number', default: cal.ioScale, min: CALIBRATED_BOUNDS.ioScale[0], max: CALIBRATED_BOUNDS.ioScale[1], help: 'calibrated: scale of the serialised journal and writeback costs (data/calibration/aim7.json)' },
  shellForksLast: { type: 'boolean', default: true, help: '/bin/sh forks before its last command (dash 0.5.7, Ubuntu 14.04 [U]); false: execs it (bash)' },
  numa: { type: 'boolean', default: true, help: 'automatic NUMA balancing (on, as on the paper\'s machine)' },
  numaAnon: { type: 'boolean', default: true, help: 'NUMA balancing scans and migrates the processes\' anonymous pages too (src/mm/numa_anon.ts; needs numa); false: file pages only (model version 4 behaviour)' },
  touchIntervalUs: { type: 'number', default: 5000, min: 10, max: 1e7, unit: 'us', help: '[U] mean user time between two touches of one page of a process\'s working set (libc\'s clean data page; each anonymous page)' },
  jobs: { type: 'int', default: 100, min: 1, max: 10000, help: 'reaim\'s jobs (tasks per child = sum of quotas)' },
};

/**
 * What-if parameters of `aim7-whatif` (not facts: for asking how much a mechanism could
 * give). Defaults are the facts aim7 uses, so a default aim7-whatif run is an aim7 run.
 */
const whatIfParams: Record<string, ParamSpec> = {
  libcCleanPages: { type: 'int', default: dsoLayout('libc.so.6').cleanDataPages, min: 0, max: 512, help: 'what-if: clean (never written) pages of libc\'s rw- data, shared by every process and touched by its user time: what NUMA balancing can migrate (default: the layout value, 0: docs/fidelity/candidates.md candidate 1)' },
  logGroupCommit: { type: 'boolean', default: true, help: 'what-if when false: every xfs log force writes the log itself under a mutex; true (xfs, aim7\'s model): forces that arrive during a CIL push share the next one (src/fs/xfs_log.ts)' },
  compactionStallProbability: { type: 'number', default: defaultCompactionParams.stallProbability, min: 0, max: 1, help: 'what-if: chance that a fork\'s order-2 kernel-stack allocation stalls in direct compaction, which migrates a batch of 32 pages, page-cache pages of libc, ld.so and the binaries among them (compaction.ts; not knowable from 2014 sources: run a range)' },
  cpuCosts: { type: 'enum', default: 'calibrated', values: ['calibrated', 'measured'], help: 'what-if: calibrated: every compute test costs userUnitMs of user time (fitted); measured: its CPU time measured on the project\'s VM (data/measured/reaim/per-test.json) × cpuSpeedFactor, nothing fitted (measured_compute.ts)' },
  cpuSpeedFactor: { type: 'number', default: 1.5, min: 0.1, max: 100, help: 'what-if with cpuCosts=measured: the 2014 machine\'s CPU time for a compute test over the time measured here [U: plausible range 1–3]' },
  kernelCostScale: { type: 'number', default: 1, min: 0.1, max: 100, help: 'what-if: multiplies every mm kernel cost of src/mm/costs.ts (fork, exec, exit, faults, walks; not lock or cache-line costs) [U: the real fork/exec paths measured here cost 2.5–7× the model\'s, an upper bound for 2014]' },
  numaScanPeriodMaxMs: { type: 'number', default: defaultNumaParams.scanPeriodMaxMs, min: defaultNumaParams.scanPeriodMinMs, max: 600000, unit: 'ms', help: 'what-if: sysctl numa_balancing_scan_period_max_ms (3.18: 60000); lower = each task rescans its address space sooner' },
};

export const aim7Workload: WorkloadDef = aim7Def('aim7',
  'reaim (aim7) at one load point, a workfile of data/workloads/reaim/ (alltests, disk calibrated) or a path: N children running tests as kernel operations (fork, exec, exit, system("sync"), file I/O); metric jpm',
  params);

/** aim7 with what-if knobs (whatIfParams): more NUMA-migratable shared file pages, faster rescans */
export const aim7WhatIfWorkload: WorkloadDef = aim7Def('aim7-whatif',
  'aim7 with what-if parameters (not facts): libc\'s clean shared data pages, the NUMA scan period, xfs log forces without group commit, measured compute costs, scaled kernel costs; defaults give aim7',
  { ...params, ...whatIfParams });

/** the aim7 workload definition under `name`, with parameter table `ps` */
function aim7Def(name: string, description: string, ps: Record<string, ParamSpec>): WorkloadDef {
  return {
    name,
    description,
    params: ps,
    timing: 'completion',
    run(w) {
      const p = w.params;
      const numa = { enabled: p.numa as boolean, ...(p.numaScanPeriodMaxMs !== undefined ? { scanPeriodMaxMs: p.numaScanPeriodMaxMs as number } : {}) };
      const compaction = p.compactionStallProbability !== undefined ? { stallProbability: p.compactionStallProbability as number } : {};
      const scale = (p.kernelCostScale as number | undefined) ?? 1;
      const mmCosts = scale === 1 ? {} : { costs: scaledMmCosts(scale) };
      const ctx = new MmContext(w.sim, w.sched, w.env, w.kernel, { numa, compaction, ...mmCosts });
      const measured = p.cpuCosts === 'measured';
      const { costs } = defs();
      const tests = measured ? withMeasuredCompute(defs().tests, loadMeasuredCpuMs(), p.cpuSpeedFactor as number) : defs().tests;
      const finish = setupLoadPoint(ctx, {
        users: p.users as number,
        workfile: loadWorkfile(p.workfile as string),
        tests, costs,
        seed: w.seed,
        estimate: p.estimate === 'auto' ? ((p.users as number) < 100 ? 'full' : 'window') : (p.estimate as 'window' | 'full'),
        warmupTasks: p.warmupTasks as number,
        windowTasks: p.windowTasks as number,
        userUnitMs: measured ? 1 : (p.userUnitMs as number),
        ioScale: p.ioScale as number,
        shellForksLast: p.shellForksLast as boolean,
        numa: p.numa as boolean,
        numaAnon: p.numaAnon as boolean,
        touchIntervalUs: p.touchIntervalUs as number,
        jobs: p.jobs as number,
        ...(p.libcCleanPages !== undefined ? { libcCleanPages: p.libcCleanPages as number } : {}),
        ...(p.logGroupCommit !== undefined ? { logGroupCommit: p.logGroupCommit as boolean } : {}),
      }, {
        windowStart: () => { w.restartMeasuring(); ctx.paths.restart(); },
        stopAt: () => w.sim.stop(),
      });
      w.run();
      const r = finish();
      return {
        metrics: { jpm: r.jpm, makespan_s: r.makespanS, mean_child_s: r.meanChildS, tasks_per_child: r.tasksPerChild },
        counters: r.counters,
      };
    },
    checkParams: (p) => checkWorkfile(p.workfile as string),
    cost: (p) => (p.users as number) * (p.estimate === 'full' || (p.estimate === 'auto' && (p.users as number) < 100) ? 10 : 1),
  };
}

/** every mm cost of src/mm/costs.ts × `scale` (what-if kernelCostScale) */
function scaledMmCosts(scale: number): MmCosts {
  const out = { ...defaultMmCosts } as Record<keyof MmCosts, number>;
  for (const k of Object.keys(out) as (keyof MmCosts)[]) out[k] *= scale;
  return out;
}

/**
 * The workfile parameter's check: the file must parse with reaim's rules and every test it
 * runs needs a definition in the tests file (data/workloads/aim7/tests.yaml).
 */
function checkWorkfile(ref: string): { field: string; problem: string; allowed?: string } | undefined {
  let quotas;
  try {
    quotas = computeQuotas(loadWorkfile(ref));
  } catch (e) {
    return { field: 'workfile', problem: (e as Error).message.replace(/; allowed: .*$/, ''), allowed: WORKFILE_ALLOWED };
  }
  const { tests } = defs();
  const missing = quotas.perTest.filter((q) => q.quota > 0 && !tests[q.test]).map((q) => q.test);
  if (missing.length) {
    return { field: 'workfile', problem: `${ref}: test(s) ${missing.join(', ')} have no definition in data/workloads/aim7/tests.yaml`, allowed: `workfiles whose tests are defined there: ${Object.keys(tests).join(', ')}` };
  }
  return undefined;
}
