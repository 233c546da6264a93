import type { Task } from '../../sched';
import {
  memoryFailure, mmapRegion, tryToUnmap, unlinkFileVma, TTU_IGNORE_ACCESS, TTU_IGNORE_MLOCK, TTU_UNMAP, VM_READ, VM_WRITE,
  type McProcess, type MmContext, type AddressSpace, type TryToUnmap,
} from '../../mm';
import { runScenario, type OwnOptions, type ScenarioDef, type ScenarioOptions, type ScenarioReport } from './common';
import type { Proc } from '../../engine';

export interface MemoryFailureOptions extends ScenarioOptions {
  /** processes mapping the file (default 128) */
  mappers?: number;
  /** other processes, scanned by for_each_process but not mapping it (default 128) */
  others?: number;
  /** pages hit by memory failures at the same time, one handler task each (default 4) */
  failures?: number;
  /** tasks mapping and unmapping the file meanwhile (exec/exit-like churn, default 4) */
  churners?: number;
  /** map/unmap rounds per churner (default 20) */
  rounds?: number;
  /** file size in pages (default 64) */
  filePages?: number;
}

/**
 * Memory failures (MF_ACTION_REQUIRED: every process is early-killed) on `failures` pages
 * of a file mapped by `mappers` processes, all raised at once — e.g. a failing DIMM rank
 * found by patrol scrub — while `churners` processes keep mapping and unmapping the same
 * file. Each handler: collect_procs_file (i_mmap + tasklist_lock, a tree walk per
 * process), then try_to_unmap (rmap.ts: rmap_walk_file, i_mmap at site rmap_walk_file,
 * pte locks of the mappers).
 */
export const memoryFailureScenario: ScenarioDef<OwnOptions<MemoryFailureOptions>> = {
  name: 'memory-failure',
  setup(ctx, o) {
    const { sched } = ctx;
    const nMap = o.mappers ?? 128, nOther = o.others ?? 128, nFail = o.failures ?? 4;
    const nChurn = o.churners ?? 4, rounds = o.rounds ?? 20, pages = o.filePages ?? 64;
    if (nFail > pages) throw new Error(`memory-failure scenario: failures (${nFail}) > filePages (${pages})`);
    const file = ctx.newFile('libdata.so', { nrPages: pages });
    const procs: McProcess[] = [];
    for (let i = 0; i < nMap + nOther; i++) procs.push({ name: `p${i}`, mm: ctx.newMm(`p${i}`) });
    const killed: number[] = [];

    sched.spawn('setup', function* (t) {
      for (let i = 0; i < nMap; i++) {
        const mm = procs[i].mm!;
        yield* mm.mmapSem.acquire(t, 'write', 'mmap');
        yield* mmapRegion(ctx, t, mm, { file, pgoff: 0, pages, flags: VM_READ | VM_WRITE });
        yield* mm.mmapSem.release(t, 'write');
        for (let p = 0; p < nFail; p++) file.page(p).mappers.add(mm);
      }
      for (let f = 0; f < nFail; f++) {
        sched.spawn(`mce${f}`, function* (u) {
          const r = yield* memoryFailure(ctx, u, file.page(f), procs, { forceEarly: true, tryToUnmap: hwpoisonTryToUnmap });
          killed.push(r.killed.length);
        });
      }
      for (let c = 0; c < nChurn; c++) sched.spawn(`churn${c}`, (u) => churn(ctx, u, file, rounds, `mf.churn.${c}`));
    });
    return () => ({
      mappers: nMap,
      processes: nMap + nOther,
      failures: nFail,
      killedTotal: killed.reduce((a, b) => a + b, 0),
      pagesStillMapped: Array.from({ length: nFail }, (_, p) => file.page(p).mapcount).reduce((a, b) => a + b, 0),
      tasklistContentions: ctx.env.stat.classTotal('tasklist_lock').contentions.read,
      rmap_walks: ctx.vmstat.rmap_walks,
      rmap_vmas_visited: ctx.vmstat.rmap_vmas_visited,
    });
  },
};

export function runMemoryFailure(o: MemoryFailureOptions): ScenarioReport {
  return runScenario(memoryFailureScenario, o);
}

/** mmap + munmap of the whole file, `rounds` times, with user time between */
export function* churn(ctx: MmContext, t: Task, file: AddressSpace, rounds: number, rngName: string): Proc {
  const rng = ctx.sim.rng(rngName);
  const mm = ctx.newMm(`${t.name}.mm`);
  for (let r = 0; r < rounds; r++) {
    yield* mm.mmapSem.acquire(t, 'write', 'mmap');
    const v = yield* mmapRegion(ctx, t, mm, { file, pgoff: 0, pages: file.nrPages, flags: VM_READ });
    yield* mm.mmapSem.release(t, 'write');
    yield* ctx.sched.compute(t, rng.exponential(20000), true);
    yield* mm.mmapSem.acquire(t, 'write', 'munmap');
    yield* unlinkFileVma(ctx, t, v);
    mm.removeVma(v);
    yield* mm.mmapSem.release(t, 'write');
    yield* ctx.sched.compute(t, rng.exponential(20000), true);
  }
}

/**
 * hwpoison_user_mappings' try_to_unmap(p, TTU_UNMAP | TTU_IGNORE_MLOCK | TTU_IGNORE_ACCESS)
 * (mm/memory-failure.c): rmap.ts's walker under i_mmap at site rmap_walk_file, clearing
 * each mapping pte under its pte lock (try_to_unmap_one leaves a hwpoison entry in place
 * of the pte; the model clears it — the locking is the same).
 */
export const hwpoisonTryToUnmap: TryToUnmap = (ctx, task, page) => tryToUnmap(ctx, task, page, TTU_UNMAP | TTU_IGNORE_MLOCK | TTU_IGNORE_ACCESS);
