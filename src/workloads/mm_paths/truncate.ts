import type { Task } from '../../sched';
import { Mutex } from '../../locking';
import {
  doExit, mmapRegion, pageFault, truncateSetsize, FaultError, LOCKDEP_CLASSES, VM_READ, VM_SHARED, VM_WRITE,
} from '../../mm';
import { runScenario, vmstatFigures, type OwnOptions, type ScenarioDef, type ScenarioOptions, type ScenarioReport } from './common';

export interface TruncateOptions extends ScenarioOptions {
  /** processes mapping the whole file MAP_SHARED and faulting on it (default 32) */
  mappers?: number;
  /** accesses per mapper (default 48) */
  accesses?: number;
  /** truncate_setsize calls by the truncating task, alternately shrinking and regrowing (default 24) */
  truncates?: number;
  /** full file size in pages (default 128) */
  filePages?: number;
  /** mean user time between a mapper's accesses, ns (default 10000) */
  thinkNs?: number;
  /** mean time between two truncates, ns (default 20000) */
  truncateGapNs?: number;
}

/**
 * A file mapped MAP_SHARED by `mappers` processes (e.g. a shared log or a database file
 * that one process keeps truncating and regrowing, as ftruncate(2) does) while the mappers
 * read pages at random. Each truncate_setsize (mm/truncate.c) under the inode's i_mutex:
 * i_size_write, then truncate_pagecache — unmap_mapping_range, truncate_inode_pages,
 * unmap_mapping_range: i_mmap at site unmap_mapping_range TWICE per call, shrink or
 * regrow (3.18 locks even when nothing is mapped beyond the size), zapping the pages
 * past the new size in every mapper under their pte locks. A page still mapped when
 * truncate_inode_pages reaches it (refaulted in between) takes one more
 * unmap_mapping_range. Mappers check the size before an access (as a reader of a file
 * that shrinks does); an access racing a shrink gets SIGBUS (counted). Mappers exit at
 * the end (unlink_file_vma).
 */
export const truncateScenario: ScenarioDef<OwnOptions<TruncateOptions>> = {
  name: 'truncate',
  setup(ctx, o) {
    const { sched, env } = ctx;
    const nMap = o.mappers ?? 32, accesses = o.accesses ?? 48, truncates = o.truncates ?? 24;
    const pages = o.filePages ?? 128, think = o.thinkNs ?? 10_000, gap = o.truncateGapNs ?? 20_000;
    if (pages < 4) throw new Error(`truncate scenario: filePages must be >= 4, got ${pages}`);
    const file = ctx.newFile('shared.db', { nrPages: pages });
    const iMutex = new Mutex(env, LOCKDEP_CLASSES.i_mutex, `${file.name}.i_mutex`);
    let sigbus = 0, beyondEof = 0, shrinks = 0, regrows = 0, dropped = 0;

    function* mapper(t: Task, i: number) {
      const rng = ctx.sim.rng(`truncate.mapper.${i}`);
      const mm = ctx.newMm(`m${i}`);
      yield* mm.mmapSem.acquire(t, 'write', 'mmap');
      const v = yield* mmapRegion(ctx, t, mm, { file, pgoff: 0, pages, flags: VM_READ | VM_WRITE | VM_SHARED });
      yield* mm.mmapSem.release(t, 'write');
      for (let a = 0; a < accesses; a++) {
        yield* sched.compute(t, rng.exponential(think), true);
        const idx = rng.int(pages);
        if (idx >= file.isize) { beyondEof++; continue; }
        try {
          yield* pageFault(ctx, t, mm, v.addressOf(idx), false);
        } catch (e) {
          if (!(e instanceof FaultError)) throw e;
          sigbus++;
        }
      }
      yield* doExit(ctx, t, mm);
    }

    function* truncater(t: Task) {
      const rng = ctx.sim.rng('truncate.truncater');
      for (let r = 0; r < truncates; r++) {
        yield* sched.compute(t, rng.exponential(gap), true);
        const shrink = file.isize === pages;
        const size = shrink ? Math.floor(pages / 4) + rng.int(Math.floor(pages / 2)) : pages;
        const before = file.cachedPages;
        yield* iMutex.lock(t, 'do_truncate');
        yield* truncateSetsize(ctx, t, file, size);
        yield* iMutex.unlock(t);
        dropped += Math.max(0, before - file.cachedPages);
        if (shrink) shrinks++;
        else regrows++;
      }
    }

    for (let i = 0; i < nMap; i++) sched.spawn(`m${i}`, (t) => mapper(t, i));
    sched.spawn('truncater', truncater);
    return () => ({
      mappers: nMap,
      truncates,
      shrinks,
      regrows,
      pagesDropped: dropped,
      accessesBeyondEof: beyondEof,
      sigbus,
      ptlContentions: env.stat.classTotal('ptl').contentions.write,
      ...vmstatFigures(ctx, ['pgfault', 'exits']),
    });
  },
};

export function runTruncate(o: TruncateOptions): ScenarioReport {
  return runScenario(truncateScenario, o);
}
