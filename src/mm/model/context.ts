import { KernelPathClock } from './kernel_paths';
import type { Simulation, Proc } from '../../engine';
import type { Scheduler, Task } from '../../sched';
import { ExclusiveOnly, LockEnv, Mutex, RwSem, SleepingPtl, SpinLock, type LockdepClass, type LockMode, type PageTableLock, type SleepLock } from '../../locking';
import { resolveMmCosts, type MmCosts } from './costs';
import { newVmStat, type VmStat } from './vmstat';
import { AddressSpace, type AddressSpaceOptions } from '../address_space';
import { MmStruct } from '../mm_struct';
import { AnonVma } from '../anon_vma';
import { NumaBalancing } from '../numa';
import { resolveNumaParams, type NumaParams } from './numa_params';
import { SiteOverlap } from './site_overlap';
import { resolveCompactionParams, type CompactionParams } from '../compaction';
import type { Page } from '../page';
import type { KernelConfig, LockClass, LockClassConfig, SiteId } from '../../kernel';
import { HUGETLB_OPS, type HugetlbOps } from './hugetlb_hooks';

/**
 * What the mm model needs from a kernel (src/kernel's KernelConfig, which sits below mm):
 * the mode of every i_mmap call site and the lock-class configurations.
 */
export type MmKernel = Pick<KernelConfig, 'name' | 'sites' | 'locks'>;

/**
 * Lockdep classes in the order of the header comment of mm/rmap.c (3.10–3.18): each nests
 * inside those with a smaller rank. Checked in checking mode like a small lockdep. (Not
 * src/kernel's LOCK_CLASSES, the classes a kernel configures the primitive of.)
 */
export const LOCKDEP_CLASSES: Readonly<Record<string, LockdepClass>> = Object.freeze({
  i_mutex: { name: 'i_mutex', rank: 10 },
  mmap_sem: { name: 'mmap_sem', rank: 20 },
  hugetlb_fault_mutex: { name: 'hugetlb_fault_mutex', rank: 25 },
  page_lock: { name: 'page_lock', rank: 30 },
  i_mmap: { name: 'i_mmap', rank: 40 },
  anon_vma: { name: 'anon_vma', rank: 50 },
  tasklist_lock: { name: 'tasklist_lock', rank: 55 },
  ptl: { name: 'ptl', rank: 60 },
  lru_lock: { name: 'lru_lock', rank: 70 },
  // global locks of the less common i_mmap users (hugetlb.ts, uprobes.ts, nommu.ts,
  // filemap_xip.ts); ranks place them where those files take them relative to the above
  /** kernel/events/uprobes.c dup_mmap_sem (percpu rwsem): fork reads it before the parent's mmap_sem */
  dup_mmap_sem: { name: 'dup_mmap_sem', rank: 15 },
  /** mm/nommu.c nommu_region_sem: under mmap_sem (do_mmap_pgoff), outside i_mmap */
  nommu_region_sem: { name: 'nommu_region_sem', rank: 27 },
  /** mm/filemap_xip.c xip_sparse_mutex: under mmap_sem (fault), outside i_mmap (__xip_unmap retry) */
  xip_sparse_mutex: { name: 'xip_sparse_mutex', rank: 35 },
  /** mm/hugetlb.c hugetlb_lock (huge page pool): under i_mmap when truncate frees pages */
  hugetlb_lock: { name: 'hugetlb_lock', rank: 65 },
});

/**
 * The one factory of kernel-configured locks: a lock of `cfg`'s primitive with its options,
 * in lockdep class `cls`. MmContext.newLock/newPtl wrap it for the mm code (ExclusiveOnly,
 * SleepingPtl); the workloads' `kernelLock` (src/workloads/registry.ts) for theirs.
 */
export function newConfiguredLock(env: LockEnv, cfg: LockClassConfig, cls: LockdepClass, name: string): Mutex | RwSem | SpinLock {
  switch (cfg.primitive) {
    case 'mutex': return new Mutex(env, cls, name, cfg.options as { optimisticSpin?: boolean });
    case 'rwsem': return new RwSem(env, cls, name, cfg.options as { optimisticSpin?: boolean; writerSteal?: boolean });
    case 'spinlock': return new SpinLock(env, cls, name);
  }
}

/**
 * One simulated kernel's memory-management state: the lock environment, the kernel's
 * choices (call-site modes, lock primitives), costs and vmstat counters. Objects
 * (files, mms, anon_vmas) are created through it so they get the right locks.
 */
export class MmContext {
  readonly vmstat: VmStat = newVmStat();
  readonly costs: MmCosts;
  /** how i_mmap holders overlapped in time, per call site (site_overlap.ts) */
  readonly immapOverlap = new SiteOverlap();
  private nextMmId = 1;
  private numaState: NumaBalancing | null = null;
  private readonly numaParams: NumaParams;
  private tasklist: SleepLock | null = null;
  /** direct compaction inputs (compaction.ts) */
  readonly compactionParams: CompactionParams;
  /** present anonymous ptes of all live mms (pgtable.ts keeps it): compaction's anonymous share */
  anonPtes = 0;
  /** page-cache files compaction can pick pages from (the ELF files of exec.ts) and their pages */
  private readonly cachedFiles: AddressSpace[] = [];
  private cachedPages = 0;
  /**
   * Rmap walks run lazily (rmap_lazy.ts): O(1) events per walk, the same simulated times
   * and effects. Off when folding is off or `exactRmapWalks` is asked for (the option
   * here, else the lock environment's).
   */
  readonly lazyRmapWalks: boolean;
  /**
   * The hugetlb branches of the generic fault, unmap, fork, free_pgtables and mprotect paths
   * (hugetlb_hooks.ts): this context's own copy, so a test may wrap one for this run only.
   */
  readonly hugetlb: HugetlbOps = { ...HUGETLB_OPS };
  /** kernel time and sleep by path (kernel_paths.ts) */
  readonly paths: KernelPathClock;

  constructor(
    readonly sim: Simulation,
    readonly sched: Scheduler,
    readonly env: LockEnv,
    readonly kernel: MmKernel,
    opts: { costs?: Partial<MmCosts>; numa?: Partial<NumaParams>; compaction?: Partial<CompactionParams>; exactRmapWalks?: boolean } = {},
  ) {
    this.costs = resolveMmCosts(opts.costs);
    this.paths = new KernelPathClock(sched);
    // lazy walks plan with the pte locks' spinlock state (rmap_lazy.ts): spinlock ptls only
    const ptl = kernel.locks.ptl?.primitive ?? 'spinlock';
    this.lazyRmapWalks = !env.exactLockTiming && !(opts.exactRmapWalks ?? env.exactRmapWalks) && ptl === 'spinlock';
    this.numaParams = resolveNumaParams(opts.numa);
    this.compactionParams = resolveCompactionParams(opts.compaction);
  }

  /** register a file whose page cache stays resident (binaries, libraries): compaction may pick its pages */
  addCachedFile(f: AddressSpace): void {
    this.cachedFiles.push(f);
    this.cachedPages += f.isize;
  }

  /** page-cache pages of the registered files */
  get filePagesCached(): number {
    return this.cachedPages;
  }

  /** the page at fraction `u` ∈ [0, 1) of the registered files' page cache, or null if none */
  pickCachedFilePage(u: number): Page | null {
    let k = Math.floor(u * this.cachedPages);
    for (const f of this.cachedFiles) {
      if (k < f.isize) return f.page(k);
      k -= f.isize;
    }
    return null;
  }

  /** NUMA balancing (numa.ts), created on first use (then it registers its tick hook) */
  get numa(): NumaBalancing {
    return (this.numaState ??= new NumaBalancing(this, this.numaParams));
  }

  /** NUMA balancing if something has used it already, else null (hooks that must not create it) */
  get numaIfActive(): NumaBalancing | null {
    return this.numaState;
  }

  /**
   * A lock of one of the kernel-configured classes (i_mmap, anon_vma, mmap_sem), of the
   * kernel's primitive. A mutex or spinlock has no shared mode: read-mode call sites take
   * it exclusively (ExclusiveOnly), as the kernel did before these locks were rwsems.
   */
  newLock(cls: Exclude<LockClass, 'ptl'>, name: string): SleepLock {
    const lock = newConfiguredLock(this.env, this.kernel.locks[cls], LOCKDEP_CLASSES[cls], name);
    return lock instanceof RwSem ? lock : new ExclusiveOnly(lock);
  }

  /**
   * A page-table lock (split pte lock, mm->page_table_lock, a hugetlb pmd lock): the 3.18
   * ticket spinlock unless the kernel overrides `locks.ptl` (then SleepingPtl over a mutex
   * or rwsem, taken exclusively).
   */
  newPtl(name: string): PageTableLock {
    const cfg = this.kernel.locks.ptl;
    const lc = LOCKDEP_CLASSES.ptl;
    if (!cfg || cfg.primitive === 'spinlock') return new SpinLock(this.env, lc, name);
    return new SleepingPtl(this.env, newConfiguredLock(this.env, cfg, lc, name));
  }

  /** A spinlock of one of LOCKDEP_CLASSES (e.g. a node's lru_lock). */
  newSpinLock(cls: string, name: string): SpinLock {
    const lc = LOCKDEP_CLASSES[cls];
    if (!lc) throw new Error(`lock class ${JSON.stringify(cls)} is not in LOCKDEP_CLASSES; allowed: ${Object.keys(LOCKDEP_CLASSES).join(', ')}`);
    return new SpinLock(this.env, lc, name);
  }

  /** The mode the kernel takes i_mmap in at `site` (a call-site id of src/kernel/callsites.ts). */
  siteMode(site: SiteId): LockMode {
    const s = this.kernel.sites[site];
    if (!s) throw new Error(`i_mmap call site ${JSON.stringify(site)} is not in kernel ${this.kernel.name}; allowed: ${Object.keys(this.kernel.sites).join(', ')}`);
    return s.mode;
  }

  /** i_mmap_lock_write/read() at `site`, in the kernel's mode for that site. */
  *immapLock(task: Task, mapping: AddressSpace, site: SiteId, nested = false): Proc<LockMode> {
    const mode = this.siteMode(site);
    yield* mapping.lock.acquire(task, mode, site, nested);
    this.immapOverlap.enter(mapping.lock, site, this.sim.now);
    return mode;
  }

  *immapUnlock(task: Task, mapping: AddressSpace, mode: LockMode): Proc {
    if (this.sched.owes(task)) yield* this.compute(task, 0); // the hold ends after the work owed in it
    const held = this.env.held(task);
    const lock = mapping.lock instanceof ExclusiveOnly ? mapping.lock.inner : mapping.lock; // what the env tracks
    for (let i = held.length - 1; i >= 0; i--) {
      if ((held[i].lock as object) === lock) {
        this.immapOverlap.exit(mapping.lock, held[i].site, this.sim.now);
        break;
      }
    }
    yield* mapping.lock.release(task, mode);
  }

  /**
   * `tasklist_lock` (kernel/fork.c), a rwlock_t (queued rwlock on x86 since 3.16 [U]),
   * modelled as an RwSem of class tasklist_lock: readers share, writers exclude; a blocked
   * acquirer sleeps where the kernel's spins [I]. Taken by collect_procs_file (read).
   */
  get tasklistLock(): SleepLock {
    return (this.tasklist ??= new RwSem(this.env, LOCKDEP_CLASSES.tasklist_lock, 'tasklist_lock'));
  }

  /** CPU work in kernel mode */
  compute(task: Task, ns: number): Proc {
    return this.sched.compute(task, ns);
  }

  newFile(name: string, opts: AddressSpaceOptions): AddressSpace {
    return new AddressSpace(this, name, opts);
  }

  newMm(name = `mm${this.nextMmId}`): MmStruct {
    return new MmStruct(this, this.nextMmId++, name);
  }

  newAnonVma(parent: AnonVma | null, name: string): AnonVma {
    return new AnonVma(this, parent, name);
  }
}
