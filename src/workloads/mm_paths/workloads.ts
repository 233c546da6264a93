/**
 * The mm_paths scenarios as workloads of the experiment layer (`mmlock run --workload
 * numa-migration`, sweeps): each scenario's core (`ScenarioDef.setup`) runs on the run's
 * simulation, scheduler, lock environment and kernel, with an MmContext built on them —
 * the same code `mmlock scenario` runs on a simulation of its own (`runScenario`).
 *
 * Timing: the scenarios do a fixed amount of work and end when every task has exited, so
 * they are `timing: 'completion'` workloads (registry.ts): the run goes on until no event
 * is left, `duration.ms` is not used (numa-migration's own `durationMs` says how long its
 * readers run), `duration.warmupMs` must be 0, and lockstat and the CPU / scheduler
 * counters cover the whole run.
 *
 * Metrics, in this order: the scenario's figures (as `mmlock scenario` prints them), then
 * `elapsed_ns` (simulated time until the last task exited), then per i_mmap call site, by
 * site name: `immap_<site>_acq` (acquisitions), `immap_<site>_wait_mean_ns` (request to
 * ownership), `immap_<site>_hold_mean_ns` and `immap_<site>_max_holders` (most holders at
 * once, the overlap probe). A site the run never took is absent.
 */
import { DSO_LAYOUTS, MmContext } from '../../mm';
import type { ParamSpec, ParamValues, WorkloadDef } from '../registry';
import { immapSites, type ScenarioDef, type SiteRow } from './common';
import { forkStormScenario } from './fork_storm';
import { truncateScenario } from './truncate';
import { numaMigrationScenario } from './numa_migration';
import { postgresHugetlbScenario } from './postgres_hugetlb';
import { memoryFailureScenario } from './memory_failure';
import { uprobeScenario } from './uprobe';
import { xipScenario } from './xip';
import { nommuScenario } from './nommu';

type Problem = { field: string; problem: string; allowed?: string } | undefined;

/** A scenario's entry: its core, one-line description, typed options and cross-option checks. */
export interface ScenarioTable {
  def: ScenarioDef<any>;
  description: string;
  params: Readonly<Record<string, ParamSpec>>;
  checkParams?(p: Readonly<ParamValues>): Problem;
}

const int = (d: number, min: number, max: number, help: string, unit?: string): ParamSpec => ({ type: 'int', default: d, min, max, help, ...(unit ? { unit } : {}) });
const ns = (d: number, min: number, max: number, help: string): ParamSpec => ({ type: 'number', default: d, min, max, help, unit: 'ns' });
const EXECUTABLES = Object.values(DSO_LAYOUTS).filter((l) => l.needed).map((l) => l.name);
/** largest file of the scenarios, pages (xip: its holes default is half of it, clamped to filePages / 2) */
const MAX_PAGES = 65536;

/** Every scenario's table, by name (the name is also the workload's and the report's). */
export const SCENARIO_TABLES: Readonly<Record<string, ScenarioTable>> = Object.freeze({
  'fork-storm': {
    def: forkStormScenario,
    description: 'exec of a dynamically linked program, then workers forking children that exit: dup_mmap / unlink_file_vma W on the libc, ld.so and binary trees',
    params: {
      program: { type: 'enum', default: 'reaim', values: EXECUTABLES, help: 'the executable the parent runs' },
      workers: int(48, 1, 1024, 'worker processes'),
      rounds: int(4, 1, 10_000, 'children per worker, one after another'),
      childNs: ns(20_000, 0, 1e8, 'user time of a child before it exits'),
      thinkNs: ns(10_000, 0, 1e8, 'mean worker time between a child\'s exit and the next fork'),
    },
  },
  truncate: {
    def: truncateScenario,
    description: 'a MAP_SHARED file faulted on by many processes, shrunk and regrown by one task: unmap_mapping_range twice per truncate_setsize',
    params: {
      mappers: int(32, 1, 1024, 'processes mapping the file'),
      accesses: int(48, 0, 100_000, 'reads per mapper'),
      truncates: int(24, 0, 10_000, 'truncate_setsize calls, alternately shrinking and regrowing'),
      filePages: int(128, 4, MAX_PAGES, 'file size, pages'),
      thinkNs: ns(10_000, 0, 1e8, 'mean mapper time between reads'),
      truncateGapNs: ns(20_000, 0, 1e8, 'mean time between truncates'),
    },
  },
  'numa-migration': {
    def: numaMigrationScenario,
    description: "NUMA balancing migrating a library's rw-p data pages read from 4 nodes, with fork/exit churn on the file: two rmap_walk_file per migration",
    params: {
      processes: int(32, 1, 1024, 'reading processes, spread over the nodes'),
      forkers: int(8, 0, 256, 'forking processes, spread over the nodes'),
      pages: int(32, 1, MAX_PAGES, 'data pages of the file'),
      durationMs: { type: 'number', default: 10, min: 0, max: 10_000, unit: 'ms', help: 'simulated time the readers and forkers run (then every process exits; the run ends when they have)' },
      touchIntervalNs: ns(20_000, 100, 1e8, 'mean time between two reads by one process'),
      childFaults: int(2, 0, 1000, 'read faults per forked child'),
      childNs: ns(50_000, 0, 1e8, 'user time of a forked child'),
    },
  },
  'postgres-hugetlb': {
    def: postgresHugetlbScenario,
    description: 'PostgreSQL-like backends on a shared hugetlbfs segment: huge_pmd_share at first touch, unmap_single_vma at exit',
    params: {
      slots: int(16, 1, 1024, 'connections, each running its backends one after another'),
      sessions: int(3, 1, 1000, 'backends per connection'),
      segmentGiB: { type: 'number', default: 2, min: 0.25, max: 64, unit: 'GiB', help: 'shared segment size (rounded to whole 2 MiB huge pages); PMD sharing (huge_pmd_share) needs >= 1, a whole PUD-aligned 1 GiB region' },
      touches: int(64, 0, 100_000, 'huge pages touched per backend'),
      thinkNs: ns(5000, 0, 1e8, 'time between touches'),
    },
  },
  'memory-failure': {
    def: memoryFailureScenario,
    description: 'simultaneous memory failures on a widely mapped file: collect_procs_file and try_to_unmap (rmap_walk_file), with map/unmap churn',
    params: {
      mappers: int(128, 1, 4096, 'processes mapping the file'),
      others: int(128, 0, 4096, 'other processes (scanned, not mapping it)'),
      failures: int(4, 1, 1024, 'pages poisoned at once, one handler each (at most filePages)'),
      churners: int(4, 0, 256, 'map/unmap tasks'),
      rounds: int(20, 0, 10_000, 'map/unmap rounds per churner'),
      filePages: int(64, 1, MAX_PAGES, 'file size, pages'),
    },
    checkParams: (p) => (Number(p.failures) > Number(p.filePages)
      ? { field: 'failures', problem: `must be at most filePages (${p.filePages}), got ${p.failures}`, allowed: `an integer from 1 to ${p.filePages}` }
      : undefined),
  },
  uprobe: {
    def: uprobeScenario,
    description: 'uprobe register/unregister on a binary run by many processes: build_map_info, with map/unmap churn',
    params: {
      processes: int(128, 1, 4096, 'processes running the binary'),
      probes: int(4, 1, 256, 'tracers registering a probe each at once'),
      churners: int(4, 0, 256, 'map/unmap tasks'),
      rounds: int(20, 0, 10_000, 'map/unmap rounds per churner'),
      textPages: int(512, 1, MAX_PAGES, 'text size, pages'),
    },
  },
  xip: {
    def: xipScenario,
    description: 'an execute-in-place file with holes read by many processes while writers fill the holes: __xip_unmap',
    params: {
      readers: int(32, 1, 1024, 'reading processes'),
      writers: int(4, 1, 256, 'hole-filling tasks'),
      filePages: int(128, 2, MAX_PAGES, 'file size, pages'),
      holes: int(MAX_PAGES / 2, 0, MAX_PAGES / 2, `holes, every other page; clamped to filePages / 2 (the default, ${MAX_PAGES / 2}, means filePages / 2)`),
      thinkNs: ns(20_000, 0, 1e8, 'mean time between operations'),
    },
  },
  nommu: {
    def: nommuScenario,
    description: 'a !MMU system mapping and shrinking a ramfs file: add_vma_to_mm / delete_vma_from_mm, nommu_shrink_inode_mappings',
    params: {
      processes: int(16, 1, 1024, 'mapping processes (every fourth MAP_SHARED)'),
      rounds: int(10, 0, 10_000, 'map/unmap rounds per process'),
      truncaters: int(4, 0, 256, 'shrinking tasks'),
      truncates: int(10, 0, 10_000, 'shrinks per task'),
      filePages: int(64, 4, MAX_PAGES, 'file size, pages (a multiple of 4)'),
    },
    checkParams: (p) => (Number(p.filePages) % 4 !== 0
      ? { field: 'filePages', problem: `must be a multiple of 4, got ${p.filePages}`, allowed: 'a multiple of 4 from 4 to 65536' }
      : undefined),
  },
});

/** i_mmap sites as metric name → value (see the module comment), sites sorted by name. */
export function siteMetrics(sites: Readonly<Record<string, SiteRow>>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const site of Object.keys(sites).sort()) {
    const s = sites[site]!;
    const k = `immap_${site.replace(/[^A-Za-z0-9_]/g, '_')}`;
    out[`${k}_acq`] = s.acquisitions;
    out[`${k}_wait_mean_ns`] = s.acquisitions ? s.waitMeanNs : null;
    out[`${k}_hold_mean_ns`] = s.acquisitions ? s.holdMeanNs : null;
    out[`${k}_max_holders`] = s.overlap.maxHolders;
  }
  return out;
}

/** The workload of scenario `name` (its table in SCENARIO_TABLES). */
export function scenarioWorkload(name: string): WorkloadDef {
  const t = SCENARIO_TABLES[name];
  if (!t) throw new Error(`scenarioWorkload: unknown scenario ${JSON.stringify(name)}`);
  return {
    name,
    description: `${t.description} (runs to completion)`,
    params: t.params,
    timing: 'completion',
    ...(t.checkParams ? { checkParams: t.checkParams } : {}),
    run(w) {
      const mm = new MmContext(w.sim, w.sched, w.env, w.kernel, t.def.mm ?? {});
      const figures = t.def.setup(mm, { ...w.params });
      w.run();
      return { metrics: { ...figures(), elapsed_ns: w.sim.now, ...siteMetrics(immapSites(mm)) } };
    },
  };
}

/** The scenario workloads, in SCENARIO_TABLES order. */
export const SCENARIO_WORKLOADS: readonly WorkloadDef[] = Object.freeze(Object.keys(SCENARIO_TABLES).map(scenarioWorkload));
