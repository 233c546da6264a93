import { Simulation } from '../../src/engine';
import { loadMachine } from '../../src/hw';
import { Scheduler } from '../../src/sched';
import { LockEnv } from '../../src/locking';
import { resolveKernel } from '../../src/kernel';
import { MmContext, mmapRegion, unlinkFileVma, migrateState, VM_READ, VM_WRITE, type MmStruct, type AddressSpace, type NumaParams } from '../../src/mm';

/**
 * Scenario: N processes map the writable data segment of a shared library (MAP_PRIVATE
 * rw-p, not yet copied-on-write: the file's pages) on a 4-node machine and keep reading it,
 * with NUMA balancing on (time-scaled tunables, see PARAMS); F other tasks repeatedly
 * create a process that maps the same file and exits (vma_link / unlink_file_vma: the
 * i_mmap writers of fork and exit; fork.ts is not used here). Every NUMA migration of a
 * data page walks the file's i_mmap tree twice.
 */
export interface ScenarioOptions {
  kernel: string;
  processes?: number;
  forkers?: number;
  pages?: number;
  durationMs?: number;
  touchIntervalNs?: number;
  seed?: number;
  checks?: boolean;
}

/** NUMA tunables scaled down ~500x in time so a few tens of ms show many scan passes */
export const PARAMS: Partial<NumaParams> = { scanDelayMs: 2, scanPeriodMinMs: 2, scanPeriodMaxMs: 100, maxScanWindowMb: 256_000 };

export interface ScenarioResult {
  kernel: string;
  vmstat: MmContext['vmstat'];
  refused: { exec: number; ratelimit: number; isolate: number };
  /** unmap_and_move attempts left -EAGAIN after 10 passes; tasks that waited on a migration entry */
  eagainDropped: number;
  migrationEntryWaits: number;
  /** task_numa_work passes that scanned */
  scanPasses: number;
  /** per i_mmap site: acquisitions, contentions, mean and total wait (ns) */
  sites: Record<string, { acq: number; read: number; cont: number; waitMeanNs: number; waitTotalNs: number; holdMeanNs: number }>;
  /** most rmap_walk_file holders at one instant (ctx.immapOverlap) */
  maxConcurrentWalks: number;
  /** ns during which two or more rmap walks held the lock together */
  walkOverlapNs: number;
  /** ns during which some i_mmap holder shared the lock with another (any sites) */
  anyOverlapNs: number;
  forks: number;
}

/** exit's zap of the file pages (unmap_vmas: no i_mmap lock) */
function zap(file: AddressSpace, mm: MmStruct, pages: number): void {
  for (let i = 0; i < pages; i++) {
    const p = file.page(i);
    if (p.mappers.delete(mm)) mm.rss--;
    p.numaPtes.delete(mm);
    p.young.delete(mm);
    p.migrationPtes.delete(mm);
  }
}

export function runScenario(o: ScenarioOptions): ScenarioResult {
  const N = o.processes ?? 32, F = o.forkers ?? 8, P = o.pages ?? 32;
  const end = (o.durationMs ?? 30) * 1e6;
  const sim = new Simulation(o.seed ?? 1);
  const sched = new Scheduler(sim, loadMachine('ivybridge-ex-4s'));
  const env = new LockEnv(sim, sched, { checks: o.checks ?? true });
  const ctx = new MmContext(sim, sched, env, resolveKernel(o.kernel), { numa: PARAMS });
  const machine = sched.machine;
  const file = ctx.newFile('libc.so.data', { nrPages: P, node: 0 });
  let forks = 0;
  const all = Array.from({ length: P }, (_, i) => i);

  for (let i = 0; i < N; i++) {
    const node = i % machine.nnodes;
    const cpu = machine.cpusOfSocket(node)[Math.floor(i / machine.nnodes)];
    sched.spawn(`proc${i}`, function* (t) {
      const mm = ctx.newMm(`proc${i}`);
      yield* mm.mmapSem.acquire(t, 'write', 'mmap');
      const vma = yield* mmapRegion(ctx, t, mm, { file, pgoff: 0, pages: P, flags: VM_READ | VM_WRITE });
      yield* mm.mmapSem.release(t, 'write');
      ctx.numa.populate(vma, all);
      ctx.numa.setHotSet(mm, { vma, pages: all, touchIntervalNs: o.touchIntervalNs ?? 10_000 });
      ctx.numa.attach(t, mm);
      while (sim.now < end) yield* ctx.numa.runUser(t, 200_000);
      ctx.numa.detach(t);
    }, { cpu });
  }
  for (let j = 0; j < F; j++) {
    const node = j % machine.nnodes;
    const cpu = machine.cpusOfSocket(node)[machine.cpusOfSocket(node).length - 1 - Math.floor(j / machine.nnodes)];
    sched.spawn(`forker${j}`, function* (t) {
      while (sim.now < end) {
        const mm = ctx.newMm(`child${j}.${forks++}`);
        yield* mm.mmapSem.acquire(t, 'write', 'dup_mmap');
        const vma = yield* mmapRegion(ctx, t, mm, { file, pgoff: 0, pages: P, flags: VM_READ | VM_WRITE });
        yield* mm.mmapSem.release(t, 'write');
        ctx.numa.populate(vma, all);
        yield* ctx.compute(t, 50_000); // the child's short life
        zap(file, mm, P);
        yield* unlinkFileVma(ctx, t, vma);
        yield* ctx.compute(t, 20_000); // wait4 and the next fork
      }
    }, { cpu });
  }
  sim.run();
  env.finalCheck();

  const sites: ScenarioResult['sites'] = {};
  for (const [site, s] of env.stat.classes.get('i_mmap') ?? []) {
    sites[site] = {
      acq: s.acquisitions.read + s.acquisitions.write,
      read: s.acquisitions.read,
      cont: s.contentions.read + s.contentions.write,
      waitMeanNs: Math.round(s.wait.mean),
      waitTotalNs: Math.round(s.wait.sum),
      holdMeanNs: Math.round(s.hold.mean),
    };
  }
  return { kernel: o.kernel, vmstat: { ...ctx.vmstat }, refused: { ...migrateState(ctx).refused }, eagainDropped: migrateState(ctx).eagainDropped, migrationEntryWaits: ctx.numa.stats.migrationEntryWaits, scanPasses: ctx.numa.stats.scanPasses, sites, forks,
    maxConcurrentWalks: ctx.immapOverlap.site('rmap_walk_file').maxHolders,
    walkOverlapNs: ctx.immapOverlap.site('rmap_walk_file').sameSiteNs,
    anyOverlapNs: Object.values(ctx.immapOverlap.all()).reduce((a, x) => a + x.concurrentNs, 0),
  };
}
