/**
 * reaim's driver for one load point (driver.c runloop; docs/reference/aim7.md §1): the
 * driver process (an exec of the reaim binary) forks N children, which wait for the start
 * signal; after its 1 s sleep the driver signals them all; each child runs its tasks
 * (quota per test, seeded random order) and exits; the driver waits for the last one.
 * JPM = tasks per child × 60 × N / (start → last exit).

 * The measurement (full or window estimate) is measure.ts's.
 */
import type { Task } from '../../sched';
import { ElfFiles, dsoLayout, exec, fork, pageFault, vmMmap, VM_READ, VM_WRITE, withCleanDataPages, type MmContext, type MmStruct } from '../../mm';
import { computeQuotas, diskIterationCount, childOrder, MMTESTS_FILESIZE_KIB, MMTESTS_POOLSIZE_KIB, type Workfile } from '../reaim';
import { Rng, type Proc } from '../../engine';
import { FileSystem, FS_COST_NAMES, type FsCosts } from '../../fs';
import { exitProc, runOps, type OpWorld, type UserProcess } from './ops';
import { LoadPointMeasure, type LoadPointHooks, type LoadPointResult } from './measure';
import type { Aim7Costs, CostName, Dir, TestDefs } from './spec';

/**
 * Anonymous pages of a reaim child, measured (docs/reference/reaim-measured.md §2, smaps_rollup
 * of disk children): Anonymous 324–340 KB, of which 212 KB Shared_Dirty with the driver (53
 * pages the driver wrote before forking) and the rest, 112–128 KB (28–32 pages [U: range]),
 * the child's own. The model's page tables hold fewer (exec's COW'd data pages, stack): with
 * anonymous NUMA balancing on, the driver and each child write heap pages up to these.
 */
export const CHILD_SHARED_ANON_PAGES = 53;

export const CHILD_PRIVATE_ANON_PAGES = 30;

/**
 * The directories of the aim7 tests, as the inodes their i_mutex is named after: every child
 * creates, opens and unlinks its temporary files in ONE directory (DISKDIR), disk_src works in
 * the shared `fakeh` tree, and ls (dir_rtns_1) reads /bin (docs/reference/aim7.md §2).
 */
const AIM7_DIRS: Readonly<Record<Dir, string>> = { diskdir: 'DISKDIR', fakeh: 'fakeh', '/bin': '/bin' };

/** the file system's costs of costs.yaml, the I/O ones scaled by the calibrated ioScale */
function fsCosts(cost: (n: CostName) => number): FsCosts {
  const out = {} as Record<keyof FsCosts, number>;
  for (const n of FS_COST_NAMES) out[n] = cost(n);
  return out;
}

export interface LoadPointOptions {
  users: number;
  workfile: Workfile;
  tests: TestDefs;
  costs: Aim7Costs;
  seed: string;
  estimate: 'window' | 'full';
  /** window estimate: the warm-up ends once the children have finished this many tasks each, on average */
  warmupTasks: number;
  /** window estimate: the window ends once this many more tasks per child have finished, on average */
  windowTasks: number;
  userUnitMs: number;
  ioScale: number;
  shellForksLast: boolean;
  numa: boolean;
  /** NUMA balancing of the processes' anonymous pages too (src/mm/numa_anon.ts); absent = true */
  numaAnon?: boolean;
  touchIntervalUs: number;
  jobs: number;
  /** what-if: libc's clean data pages (mm/model/layouts.ts withCleanDataPages); absent = the layout's */
  libcCleanPages?: number;
  /** xfs log forces share log writes (src/fs/xfs_log.ts group commit); absent = true; false is a what-if */
  logGroupCommit?: boolean;
}

/**
 * Set up one load point on `ctx` and return `finish`, to call after the simulation ran.
 * `hooks.windowStart` is called when the measurement starts (the start signal for a full
 * run, the end of the warm-up for a window: reset lockstat there) and `hooks.stopAt` when a
 * window ends (stop the run there).
 */
export function setupLoadPoint(ctx: MmContext, o: LoadPointOptions, hooks: LoadPointHooks): () => LoadPointResult {
  const { sched, sim } = ctx;
  const N = o.users;
  const quotas = computeQuotas(o.workfile, o.jobs);
  for (const { test, quota } of quotas.perTest) {
    if (quota > 0 && !o.tests[test]) throw new Error(`aim7: the workfile's test ${test} has no definition in the tests file`);
  }
  const w = opWorld(ctx, o);
  const anonNuma = o.numa && (o.numaAnon ?? true);
  if (anonNuma) ctx.numa.anon.touchIntervalNs = o.touchIntervalUs * 1e3;
  const measure = new LoadPointMeasure(ctx, o, quotas, hooks);
  const { exits } = measure;
  let driver!: Task;
  const children: Task[] = [];
  let started = false;

  sched.spawn('reaim', function* (t) {
    driver = t;
    const mm = yield* exec(ctx, t, null, w.elf.spec('reaim'), 'reaim');
    for (let p = mm.startBrk - 4; p < mm.startBrk; p++) yield* pageFault(ctx, t, mm, p, true); // its bss, dirtied before forking
    // anonymous NUMA balancing: the driver's anonymous pages a child inherits (COW-shared)
    if (anonNuma) yield* dirtyHeap(ctx, t, mm, CHILD_SHARED_ANON_PAGES - mm.pt.anon);
    for (let i = 0; i < N; i++) yield* forkChild(t, mm, i);
    // sleep(1), then kill(0, SIGUSR1)
    yield* sched.sleep(t, 1e9);
    started = true;
    measure.start(sim.now);
    for (const c of children) if (sched.wake(c)) yield* sched.compute(t, sched.params.wakeupCost);
    while (exits.length < N) yield* sched.block(t); // wait()
  });

  function* forkChild(t: Task, mm: MmStruct, i: number): Proc {
    const childMm = yield* fork(ctx, t, mm, `child${i}`);
    const order = childOrder(quotas, new Rng(`${o.seed}\u0000reaim/child/${i}/order`));
    children.push(sched.spawn(`child${i}`, function* (c) {
      const p: UserProcess = { task: c, mm: childMm, files: new Map() };
      if (o.numa) ctx.numa.attach(c, childMm);
      while (!started) yield* sched.block(c); // pause() until SIGUSR1
      if (anonNuma) yield* dirtyHeap(ctx, c, childMm, CHILD_PRIVATE_ANON_PAGES); // the child's own, first touched where it runs
      for (const test of order) {
        const s = sim.now;
        measure.testStarted(i, test, s);
        yield* runOps(w, p, o.tests[test]!);
        measure.testEnded(i, test, s, sim.now);
      }
      yield* exitProc(w, p);
      exits.push(sim.now);
      if (exits.length === N && sched.wake(driver)) yield* sched.compute(c, sched.params.wakeupCost);
    }));
  }

  return () => measure.result({
    syncs: w.fs.stats.syncs, writeback_items: w.fs.writeback.stats.items, log_forces: w.fs.log.stats.forces, log_writes: w.fs.log.stats.writes,
    forks: ctx.vmstat.forks, execs: ctx.vmstat.execs, disk_kib: w.diskKiB,
    compact_stall: ctx.vmstat.compact_stall, compact_isolated: ctx.vmstat.compact_isolated,
    compact_isolated_file: ctx.vmstat.compact_isolated_file,
    sleep_page_locked_s: ctx.vmstat.page_locked_wait_ns / 1e9,
    ...ctx.paths.counters(),
  });
}

/** what the operations of the load point run on: the file system, the ELF files, the load point's constants */
function opWorld(ctx: MmContext, o: LoadPointOptions): OpWorld {
  const cost = (n: CostName) => o.costs[n].value * (o.costs[n].io ? o.ioScale : 1);
  const fs = new FileSystem<Dir>(ctx, AIM7_DIRS, fsCosts(cost), o.logGroupCommit ?? true);
  const libcWhatIf = o.libcCleanPages === undefined ? null : withCleanDataPages(dsoLayout('libc.so.6'), o.libcCleanPages);
  const elf = new ElfFiles(ctx, 0, libcWhatIf ? (n) => (n === 'libc.so.6' ? libcWhatIf : dsoLayout(n)) : dsoLayout);
  let names = 0;
  return {
    ctx, elf, fs,
    shmSetupUs: cost('shmSetupUs'),
    userUnitNs: o.userUnitMs * 1e6,
    diskKiB: diskIterationCount(MMTESTS_FILESIZE_KIB, MMTESTS_POOLSIZE_KIB, o.users),
    shellForksLast: o.shellForksLast,
    numa: o.numa,
    touchIntervalNs: o.touchIntervalUs * 1e3,
    newName: (prefix) => `${prefix}.${++names}`,
  };
}

/**
 * map `n` anonymous pages and write them (anonymous faults). An anonymous mmap, not brk:
 * in the model's layout ld.so is mapped right after the brk of reaim, so its heap cannot grow.
 */
function* dirtyHeap(ctx: MmContext, t: Task, mm: MmStruct, n: number): Proc {
  if (n <= 0) return;
  const vma = yield* vmMmap(ctx, t, mm, { file: null, pgoff: 0, pages: n, flags: VM_READ | VM_WRITE });
  for (let p = vma.start; p < vma.end; p++) yield* pageFault(ctx, t, mm, p, true);
}
