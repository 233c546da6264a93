import type { Task } from '../../sched';
import {
  doExit, fork, migrateState, mmapRegion, pageFault, VM_READ, VM_WRITE, type AddressSpace, type MmContext, type MmStruct, type NumaParams, type Vma,
} from '../../mm';
import { runScenario, vmstatFigures, type OwnOptions, type ScenarioDef, type ScenarioOptions, type ScenarioReport } from './common';
import type { Proc } from '../../engine';

export interface NumaMigrationOptions extends ScenarioOptions {
  /** processes reading the data pages, spread over the nodes (default 32) */
  processes?: number;
  /** tasks forking children that map the same file and exit, spread over the nodes (default 8) */
  forkers?: number;
  /** data pages of the file (default 32) */
  pages?: number;
  /** simulated time the readers run, ms (default 10) */
  durationMs?: number;
  /** mean user time between two reads by one process, ns (default 20000) */
  touchIntervalNs?: number;
  /** read faults of each forked child before it exits (default 2) */
  childFaults?: number;
  /** user time of each forked child, ns (default 50000) */
  childNs?: number;
}

/**
 * NUMA balancing tunables scaled down ~500x in time (scan delay and minimum period 2 ms,
 * maximum 100 ms; scan window uncapped) so that a few ms of simulated time hold many
 * scan passes. The mechanism is unchanged; only its rate is.
 */
export const NUMA_SCENARIO_PARAMS: Partial<NumaParams> = { scanDelayMs: 2, scanPeriodMinMs: 2, scanPeriodMaxMs: 100, maxScanWindowMb: 256_000 };

/**
 * NUMA migration of shared file pages (reference docs/reference/kernel-locking.md §7): `processes`
 * processes on a 4-node machine map the writable data segment of a shared library
 * MAP_PRIVATE (rw-p, not yet copied-on-write: the file's own pages, on node 0) and keep
 * reading it, with NUMA balancing on (NUMA_SCENARIO_PARAMS). task_numa_work marks their
 * ptes (no i_mmap), hinting faults from other nodes migrate the pages: each migration
 * walks the file's i_mmap twice (try_to_unmap, remove_migration_ptes; site
 * rmap_walk_file, R with patch 04). Meanwhile `forkers` processes mapping the same file
 * fork children (dup_mmap: i_mmap W per file VMA) that fault a few data pages and exit
 * (unlink_file_vma: i_mmap W) — the writers the walks queue behind. Every process exits
 * at the end.
 */
export const numaMigrationScenario: ScenarioDef<OwnOptions<NumaMigrationOptions>> = {
  name: 'numa-migration',
  mm: { numa: NUMA_SCENARIO_PARAMS },
  setup(ctx, o) {
    const { sim, sched } = ctx;
    const N = o.processes ?? 32, F = o.forkers ?? 8, P = o.pages ?? 32;
    const end = (o.durationMs ?? 10) * 1e6;
    const childFaults = o.childFaults ?? 2, childNs = o.childNs ?? 50_000;
    const machine = sched.machine;
    const file = ctx.newFile('libc.so.data', { nrPages: P, node: 0 });
    const all = Array.from({ length: P }, (_, i) => i);
    let treePeak = 0;

    /** a process that maps the data rw-p and faults it all in (ld.so's relocation reads) */
    function* mapData(t: Task, mm: MmStruct): Proc<Vma> {
      yield* mm.mmapSem.acquire(t, 'write', 'mmap');
      const vma = yield* mmapRegion(ctx, t, mm, { file, pgoff: 0, pages: P, flags: VM_READ | VM_WRITE });
      yield* mm.mmapSem.release(t, 'write');
      for (const i of all) if (!mm.pt.has(vma.addressOf(i))) yield* pageFault(ctx, t, mm, vma.addressOf(i), false);
      treePeak = Math.max(treePeak, file.i_mmap.size);
      return vma;
    }

    for (let i = 0; i < N; i++) {
      const node = i % machine.nnodes;
      const cpus = machine.cpusOfSocket(node);
      sched.spawn(`proc${i}`, function* (t) {
        const mm = ctx.newMm(`proc${i}`);
        const vma = yield* mapData(t, mm);
        ctx.numa.setHotSet(mm, { vma, pages: all, touchIntervalNs: o.touchIntervalNs ?? 20_000 });
        ctx.numa.attach(t, mm);
        while (sim.now < end) yield* ctx.numa.runUser(t, 200_000);
        ctx.numa.detach(t);
        yield* doExit(ctx, t, mm);
      }, { cpu: cpus[Math.floor(i / machine.nnodes) % cpus.length] });
    }
    for (let j = 0; j < F; j++) {
      const node = j % machine.nnodes;
      const cpus = machine.cpusOfSocket(node);
      sched.spawn(`forker${j}`, function* (t) {
        const rng = ctx.sim.rng(`numa.forker.${j}`);
        const mm = ctx.newMm(`forker${j}`);
        const vma = yield* mapData(t, mm);
        for (let n = 0; sim.now < end; n++) {
          const child = yield* fork(ctx, t, mm, `forker${j}.c${n}`);
          treePeak = Math.max(treePeak, file.i_mmap.size);
          sched.spawn(`forker${j}.c${n}`, function* (c) {
            for (let k = 0; k < childFaults; k++) yield* pageFault(ctx, c, child, vma.addressOf(rng.int(P)), false);
            yield* sched.compute(c, childNs, true);
            yield* doExit(ctx, c, child);
            sched.wake(t);
            yield* sched.compute(c, sched.params.wakeupCost);
          });
          yield* sched.block(t); // wait4
          yield* sched.compute(t, rng.exponential(20_000), true);
        }
        yield* doExit(ctx, t, mm);
      }, { cpu: cpus[cpus.length - 1 - (Math.floor(j / machine.nnodes) % cpus.length)] });
    }
    return () => numaFigures(ctx, file, N, F, treePeak);
  },
};

export function runNumaMigration(o: NumaMigrationOptions): ScenarioReport {
  return runScenario(numaMigrationScenario, o);
}

function numaFigures(ctx: MmContext, file: AddressSpace, N: number, F: number, treePeak: number): Record<string, number> {
  const m = migrateState(ctx);
  return {
    processes: N,
    forkers: F,
    dataTreePeak: treePeak,
    dataTreeEnd: file.i_mmap.size,
    pagesOffNode0: file.findGetPages(0, file.nrPages - 1).filter((p) => p.node !== 0).length,
    scanPasses: ctx.numa.stats.scanPasses,
    migrationEntryWaits: ctx.numa.stats.migrationEntryWaits,
    refusedExec: m.refused.exec,
    refusedRatelimit: m.refused.ratelimit,
    refusedIsolate: m.refused.isolate,
    eagainDropped: m.eagainDropped,
    ...vmstatFigures(ctx),
  };
}
