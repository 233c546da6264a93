/** /proc/vmstat-style event counters the mm model maintains. */
export interface VmStat {
  pgfault: number;
  numa_pte_updates: number;
  numa_hint_faults: number;
  numa_hint_faults_local: number;
  numa_pages_migrated: number;
  pgmigrate_success: number;
  pgmigrate_fail: number;
  forks: number;
  execs: number;
  exits: number;
  rmap_walks: number;
  rmap_vmas_visited: number;
  /** direct compaction stalls (compaction.ts) */
  compact_stall: number;
  /** pages the migrate scanner looked at */
  compact_migrate_scanned: number;
  /** pages isolated for migration by compaction */
  compact_isolated: number;
  /** of those, page-cache pages of the model's files (model-only: what takes i_mmap) */
  compact_isolated_file: number;
  /** ns tasks slept in wait_on_page_locked() (migration-entry waits: __migration_entry_wait) */
  page_locked_wait_ns: number;
}

export function newVmStat(): VmStat {
  return {
    pgfault: 0, numa_pte_updates: 0, numa_hint_faults: 0, numa_hint_faults_local: 0,
    numa_pages_migrated: 0, pgmigrate_success: 0, pgmigrate_fail: 0,
    forks: 0, execs: 0, exits: 0, rmap_walks: 0, rmap_vmas_visited: 0,
    compact_stall: 0, compact_migrate_scanned: 0, compact_isolated: 0, compact_isolated_file: 0, page_locked_wait_ns: 0,
  };
}
