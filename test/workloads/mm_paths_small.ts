/** Small sizes of every mm_paths scenario, shared by the scenario and workload tests. */
export const SMALL: Record<string, Record<string, number>> = {
  'fork-storm': { workers: 6, rounds: 2 },
  truncate: { mappers: 6, accesses: 10, truncates: 4 },
  'numa-migration': { processes: 6, forkers: 2, durationMs: 3 },
  'postgres-hugetlb': { slots: 3, sessions: 1, touches: 4 },
  'memory-failure': { mappers: 8, others: 8, failures: 2, churners: 1, rounds: 3 },
  uprobe: { processes: 8, probes: 2, churners: 1, rounds: 3 },
  xip: { readers: 4, writers: 2, filePages: 16 },
  nommu: { processes: 4, rounds: 3, truncaters: 2, truncates: 3 },
};
