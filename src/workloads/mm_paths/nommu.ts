import type { Task } from '../../sched';
import { nommuMmap, nommuMunmap, nommuShrinkInodeMappings, ETXTBSY } from '../../mm';
import { runScenario, type OwnOptions, type ScenarioDef, type ScenarioOptions, type ScenarioReport } from './common';

export interface NommuOptions extends ScenarioOptions {
  /** processes mapping and unmapping a ramfs file (default 16; every fourth maps it MAP_SHARED) */
  processes?: number;
  /** map/unmap rounds per process (default 10) */
  rounds?: number;
  /** tasks truncating the file meanwhile, i.e. shrinking and regrowing it (default 4) */
  truncaters?: number;
  /** truncates per truncater (default 10) */
  truncates?: number;
  /** file size in pages (default 64) */
  filePages?: number;
}

/**
 * A !MMU system (mm/nommu.c): processes map a ramfs file (add_vma_to_mm / delete_vma_from_mm:
 * i_mmap W) while truncaters shrink it (nommu_shrink_inode_mappings: i_mmap at its site,
 * R since patch 09, inside nommu_region_sem W) — refused with -ETXTBSY while a MAP_SHARED
 * mapping overlaps the cut. Runs on the simulated machine like the MMU scenarios.
 */
export const nommuScenario: ScenarioDef<OwnOptions<NommuOptions>> = {
  name: 'nommu',
  setup(ctx, o) {
    const { sched } = ctx;
    const nProc = o.processes ?? 16, rounds = o.rounds ?? 10, nTrunc = o.truncaters ?? 4;
    const truncates = o.truncates ?? 10, pages = o.filePages ?? 64;
    const file = ctx.newFile('ramfs/blob', { nrPages: pages });
    let ok = 0, busy = 0;
    function* proc(t: Task, i: number) {
      const rng = ctx.sim.rng(`nommu.proc.${i}`);
      const mm = ctx.newMm(`p${i}`);
      for (let r = 0; r < rounds; r++) {
        yield* mm.mmapSem.acquire(t, 'write', 'mmap');
        const v = yield* nommuMmap(ctx, t, mm, file, 0, pages / 2, i % 4 === 0);
        yield* mm.mmapSem.release(t, 'write');
        yield* sched.compute(t, rng.exponential(20000), true);
        yield* mm.mmapSem.acquire(t, 'write', 'munmap');
        yield* nommuMunmap(ctx, t, v);
        yield* mm.mmapSem.release(t, 'write');
        yield* sched.compute(t, rng.exponential(20000), true);
      }
    }
    function* truncater(t: Task, j: number) {
      const rng = ctx.sim.rng(`nommu.trunc.${j}`);
      for (let r = 0; r < truncates; r++) {
        yield* sched.compute(t, rng.exponential(20000), true);
        const cut = pages / 4 + rng.int(pages / 2);
        if ((yield* nommuShrinkInodeMappings(ctx, t, file, pages, cut)) === ETXTBSY) busy++;
        else ok++;
      }
    }
    for (let i = 0; i < nProc; i++) sched.spawn(`p${i}`, (t) => proc(t, i));
    for (let j = 0; j < nTrunc; j++) sched.spawn(`trunc${j}`, (t) => truncater(t, j));
    return () => ({
      processes: nProc,
      shrinksOk: ok,
      shrinksEtxtbsy: busy,
      regionSemContentions: ctx.env.stat.classTotal('nommu_region_sem').contentions.write,
    });
  },
};

export function runNommu(o: NommuOptions): ScenarioReport {
  return runScenario(nommuScenario, o);
}
