import type { Task } from '../../sched';
import {
  HPAGE_PAGES, PUD_PAGES, hstate, hugetlbAccess, hugetlbfsMmap, hugetlbFreePgdRange, newHugetlbfsFile, unlinkFileVma,
  unmapHugepageRangeFinal, type HugetlbFaultResult,
} from '../../mm';
import { runScenario, type OwnOptions, type ScenarioDef, type ScenarioOptions, type ScenarioReport } from './common';

export interface PostgresHugetlbOptions extends ScenarioOptions {
  /** concurrent connections; each runs `sessions` backends one after another (default 16) */
  slots?: number;
  /** backends per connection slot (default 3) */
  sessions?: number;
  /** shared-memory segment size in GiB (default 2) */
  segmentGiB?: number;
  /** huge pages each backend touches, uniformly at random (default 64) */
  touches?: number;
  /** user time between touches, ns (default 5000) */
  thinkNs?: number;
}

/**
 * A PostgreSQL-like database on hugetlb (the series was tested with PostgreSQL 9.4 on
 * hugetlb; Mel Gorman: PMD sharing helps databases with very large shared memory): a
 * shared segment of `segmentGiB` GiB on hugetlbfs, attached MAP_SHARED by every backend
 * (each its own mm, at the same PUD-aligned address, as shmat of one SysV segment gives);
 * backends of `slots` connections come and go. Each backend touches random huge pages
 * (writes): the first touch of each 1 GiB region takes huge_pmd_share (i_mmap), a page
 * never touched before is allocated and cleared; a backend's exit unmaps (unmap_single_vma:
 * i_mmap, unsharing its page tables). Backends attach rather than fork from a postmaster:
 * with fork, copy_hugetlb_page_range would do the huge_pmd_share at fork instead [I].
 */
export const postgresHugetlbScenario: ScenarioDef<OwnOptions<PostgresHugetlbOptions>> = {
  name: 'postgres-hugetlb',
  setup(ctx, o) {
    const { sched } = ctx;
    const slots = o.slots ?? 16;
    const sessions = o.sessions ?? 3;
    const segHuge = Math.round((o.segmentGiB ?? 2) * (PUD_PAGES / HPAGE_PAGES));
    const touches = o.touches ?? 64;
    const thinkNs = o.thinkNs ?? 5000;
    const shm = newHugetlbfsFile(ctx, 'pg_shmem', segHuge);
    const results: Record<string, number> = {};

    function* backend(t: Task, name: string, rngName: string) {
      const mm = ctx.newMm(name);
      yield* mm.mmapSem.acquire(t, 'write', 'shmat');
      const vma = yield* hugetlbfsMmap(ctx, t, mm, shm, { pgoff: 0, pages: segHuge * HPAGE_PAGES, shared: true, align: PUD_PAGES });
      yield* mm.mmapSem.release(t, 'write');
      const rng = ctx.sim.rng(rngName);
      for (let i = 0; i < touches; i++) {
        const r: HugetlbFaultResult = yield* hugetlbAccess(ctx, t, mm, vma.start + rng.int(segHuge) * HPAGE_PAGES, true);
        results[r] = (results[r] ?? 0) + 1;
        yield* sched.compute(t, thinkNs, true);
      }
      // exit_mmap: unmap_vmas (hugetlb branch), then free_pgtables (unlink_file_vma, page tables)
      yield* unmapHugepageRangeFinal(ctx, t, vma);
      yield* unlinkFileVma(ctx, t, vma);
      hugetlbFreePgdRange(ctx, vma);
      mm.removeVma(vma);
    }

    for (let s = 0; s < slots; s++) {
      sched.spawn(`conn${s}`, function* (t) {
        for (let k = 0; k < sessions; k++) yield* backend(t, `pg${s}.${k}`, `pg.backend.${s}.${k}`);
      });
    }
    const st = hstate(ctx);
    return () => ({
      backends: slots * sessions,
      segmentHugePages: segHuge,
      touches: slots * sessions * touches,
      hits: results.hit ?? 0,
      faultsMajor: results.major ?? 0,
      faultsCache: results.cache ?? 0,
      faultsMinor: results.minor ?? 0,
      faultsOther: (results.backout ?? 0) + (results.sigbus ?? 0),
      hugePagesAllocated: st.stats.hugePagesAllocated,
      pmdPagesAllocated: st.stats.pmdPagesAllocated,
      pmdShares: st.stats.pmdShares,
      pmdShareLostRace: st.stats.pmdShareLostRace,
      pmdUnshares: st.stats.pmdUnshares,
      unshareShareRaces: st.stats.unshareShareRaces,
      teardownShareRaces: st.stats.teardownShareRaces,
      faultMutexContentions: ctx.env.stat.classTotal('hugetlb_fault_mutex').contentions.write,
    });
  },
};

export function runPostgresHugetlb(o: PostgresHugetlbOptions): ScenarioReport {
  return runScenario(postgresHugetlbScenario, o);
}
