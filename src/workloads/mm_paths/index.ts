/** Scenarios, one per i_mmap path of issue #3, and their registry. */
import { DSO_LAYOUTS } from '../../mm';
import type { ScenarioOptions, ScenarioReport } from './common';
import { runForkStorm } from './fork_storm';
import { runTruncate } from './truncate';
import { runNumaMigration } from './numa_migration';
import { runPostgresHugetlb } from './postgres_hugetlb';
import { runMemoryFailure } from './memory_failure';
import { runUprobe } from './uprobe';
import { runXip } from './xip';
import { runNommu } from './nommu';

export { scenarioSim, immapSites, finish, vmstatFigures, type ScenarioOptions, type ScenarioReport, type SiteRow } from './common';
export { runForkStorm, type ForkStormOptions, type ForkStormWorld } from './fork_storm';
export { runTruncate, type TruncateOptions } from './truncate';
export { runNumaMigration, NUMA_SCENARIO_PARAMS, type NumaMigrationOptions } from './numa_migration';
export { runPostgresHugetlb, type PostgresHugetlbOptions } from './postgres_hugetlb';
export { runMemoryFailure, churn, hwpoisonTryToUnmap, type MemoryFailureOptions } from './memory_failure';
export { runUprobe, type UprobeOptions } from './uprobe';
export { runXip, type XipOptions } from './xip';
export { runNommu, type NommuOptions } from './nommu';

/** A scenario-specific option: numeric unless `choices` lists the allowed strings. */
export interface ScenarioParam {
  help: string;
  choices?: readonly string[];
}

export interface ScenarioEntry {
  /** one line: what runs and which i_mmap sites it loads */
  description: string;
  /** options beyond ScenarioOptions (kernel, machine, seed, checks), with their defaults in the help */
  params: Readonly<Record<string, ScenarioParam>>;
  run(o: ScenarioOptions & Record<string, unknown>): ScenarioReport;
}

const n = (help: string): ScenarioParam => ({ help });
const EXECUTABLES = Object.values(DSO_LAYOUTS).filter((l) => l.needed).map((l) => l.name);

/** Every scenario by name (the name is also `ScenarioReport.scenario`). */
export const SCENARIOS: Readonly<Record<string, ScenarioEntry>> = Object.freeze({
  'fork-storm': {
    description: 'exec of a dynamically linked program, then workers forking children that exit: dup_mmap / unlink_file_vma W on the libc, ld.so and binary trees',
    params: {
      program: { help: 'the executable the parent runs (default reaim)', choices: EXECUTABLES },
      workers: n('worker processes (default 48)'), rounds: n('children per worker (default 4)'),
      childNs: n('user time of a child, ns (default 20000)'), thinkNs: n('worker time between forks, ns (default 10000)'),
    },
    run: (o) => runForkStorm(o),
  },
  truncate: {
    description: 'a MAP_SHARED file faulted on by many processes, shrunk and regrown by one task: unmap_mapping_range twice per truncate_setsize',
    params: {
      mappers: n('processes mapping the file (default 32)'), accesses: n('reads per mapper (default 48)'),
      truncates: n('truncate_setsize calls (default 24)'), filePages: n('file size, pages (default 128)'),
      thinkNs: n('mapper time between reads, ns (default 10000)'), truncateGapNs: n('time between truncates, ns (default 20000)'),
    },
    run: (o) => runTruncate(o),
  },
  'numa-migration': {
    description: "NUMA balancing migrating a library's rw-p data pages read from 4 nodes, with fork/exit churn on the file: two rmap_walk_file per migration",
    params: {
      processes: n('reading processes (default 32)'), forkers: n('forking processes (default 8)'), pages: n('data pages (default 32)'),
      durationMs: n('simulated run time, ms (default 10)'), touchIntervalNs: n('mean time between reads, ns (default 20000)'),
      childFaults: n('read faults per forked child (default 2)'), childNs: n('user time of a child, ns (default 50000)'),
    },
    run: (o) => runNumaMigration(o),
  },
  'postgres-hugetlb': {
    description: 'PostgreSQL-like backends on a shared hugetlbfs segment: huge_pmd_share at first touch, unmap_single_vma at exit',
    params: {
      slots: n('connections (default 16)'), sessions: n('backends per connection (default 3)'), segmentGiB: n('segment size, GiB (default 2)'),
      touches: n('huge pages touched per backend (default 64)'), thinkNs: n('time between touches, ns (default 5000)'),
    },
    run: (o) => runPostgresHugetlb(o),
  },
  'memory-failure': {
    description: 'simultaneous memory failures on a widely mapped file: collect_procs_file and try_to_unmap (rmap_walk_file), with map/unmap churn',
    params: {
      mappers: n('processes mapping the file (default 128)'), others: n('other processes (default 128)'), failures: n('poisoned pages (default 4)'),
      churners: n('map/unmap tasks (default 4)'), rounds: n('rounds per churner (default 20)'), filePages: n('file size, pages (default 64)'),
    },
    run: (o) => runMemoryFailure(o),
  },
  uprobe: {
    description: 'uprobe register/unregister on a binary run by many processes: build_map_info, with map/unmap churn',
    params: {
      processes: n('processes running the binary (default 128)'), probes: n('tracers (default 4)'), churners: n('map/unmap tasks (default 4)'),
      rounds: n('rounds per churner (default 20)'), textPages: n('text size, pages (default 512)'),
    },
    run: (o) => runUprobe(o),
  },
  xip: {
    description: 'an execute-in-place file with holes read by many processes while writers fill the holes: __xip_unmap',
    params: {
      readers: n('reading processes (default 32)'), writers: n('writing tasks (default 4)'), filePages: n('file size, pages (default 128)'),
      holes: n('holes (default filePages / 2)'), thinkNs: n('mean time between operations, ns (default 20000)'),
    },
    run: (o) => runXip(o),
  },
  nommu: {
    description: 'a !MMU system mapping and shrinking a ramfs file: add_vma_to_mm / delete_vma_from_mm, nommu_shrink_inode_mappings',
    params: {
      processes: n('mapping processes (default 16)'), rounds: n('map/unmap rounds (default 10)'), truncaters: n('shrinking tasks (default 4)'),
      truncates: n('shrinks per task (default 10)'), filePages: n('file size, pages (default 64)'),
    },
    run: (o) => runNommu(o),
  },
});

export const SCENARIO_NAMES: readonly string[] = Object.freeze(Object.keys(SCENARIOS));
