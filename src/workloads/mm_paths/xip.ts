import type { Task } from '../../sched';
import { mmapRegion, newXipFile, xipFileFault, xipFileWriteHole, xipState, VM_READ } from '../../mm';
import { runScenario, type OwnOptions, type ScenarioDef, type ScenarioOptions, type ScenarioReport } from './common';

export interface XipOptions extends ScenarioOptions {
  /** processes reading the file through private mappings (default 32) */
  readers?: number;
  /** tasks writing into holes with write(2), each its own share of the holes (default 4) */
  writers?: number;
  /** file size in pages (default 128) */
  filePages?: number;
  /** holes (pages without a block): every other page (default filePages / 2) */
  holes?: number;
  /** user time between a reader's faults / a writer's writes, ns (mean; default 20000) */
  thinkNs?: number;
}

/**
 * An execute-in-place file (e.g. on a DCSS or pmem device in 3.18, ext2 -o xip) with holes,
 * read by `readers` processes through private mappings — their faults on holes map the
 * shared zero "sparse" page — while `writers` fill the holes with write(2): each fill
 * runs __xip_unmap (i_mmap, site __xip_unmap) to take the sparse page out of every reader.
 */
export const xipScenario: ScenarioDef<OwnOptions<XipOptions>> = {
  name: 'xip',
  setup(ctx, o) {
    const { sched } = ctx;
    const nRead = o.readers ?? 32, nWrite = o.writers ?? 4, pages = o.filePages ?? 128;
    const nHoles = Math.min(o.holes ?? Math.floor(pages / 2), Math.floor(pages / 2));
    const think = o.thinkNs ?? 20000;
    const holes = Array.from({ length: nHoles }, (_, i) => 2 * i + 1);
    const file = newXipFile(ctx, 'xipfs/data', pages, holes);
    const faults: Record<string, number> = {};

    function* reader(t: Task, i: number) {
      const mm = ctx.newMm(`r${i}`);
      yield* mm.mmapSem.acquire(t, 'write', 'mmap');
      const v = yield* mmapRegion(ctx, t, mm, { file, pgoff: 0, pages, flags: VM_READ });
      yield* mm.mmapSem.release(t, 'write');
      const rng = ctx.sim.rng(`xip.reader.${i}`);
      for (const h of holes) {
        yield* mm.mmapSem.acquire(t, 'read', 'do_page_fault');
        const r = yield* xipFileFault(ctx, t, v, v.start + h);
        yield* mm.mmapSem.release(t, 'read');
        faults[r] = (faults[r] ?? 0) + 1;
        yield* sched.compute(t, rng.exponential(think), true);
      }
    }
    function* writer(t: Task, w: number) {
      const rng = ctx.sim.rng(`xip.writer.${w}`);
      for (let j = w; j < holes.length; j += nWrite) {
        yield* sched.compute(t, rng.exponential(think), true);
        yield* xipFileWriteHole(ctx, t, file, holes[j]);
      }
    }
    for (let i = 0; i < nRead; i++) sched.spawn(`reader${i}`, (t) => reader(t, i));
    for (let w = 0; w < nWrite; w++) sched.spawn(`writer${w}`, (t) => writer(t, w));
    const st = xipState(ctx);
    return () => ({
      readers: nRead,
      holes: nHoles,
      faultsSparse: faults.sparse ?? 0,
      faultsMapped: faults.mapped ?? 0,
      sparseMaps: st.stats.sparseMaps,
      xipUnmaps: st.stats.unmaps,
      ptesCleared: st.stats.ptesCleared,
      seqRetries: st.stats.retries,
      sparseMutexContentions: ctx.env.stat.classTotal('xip_sparse_mutex').contentions.write,
    });
  },
};

export function runXip(o: XipOptions): ScenarioReport {
  return runScenario(xipScenario, o);
}
