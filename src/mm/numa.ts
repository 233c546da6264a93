import type { Task } from '../sched';
import type { MmContext } from './model/context';
import { PTRS_PER_PTE, type MmStruct } from './mm_struct';
import type { Page } from './page';
import { VM_EXEC, VM_HUGETLB, VM_READ, VM_SHARED, VM_WRITE, type Vma } from './vma';
import { migrateMisplacedPage } from './migrate';
import { resolveNumaParams, type NumaParams } from './model/numa_params';
import { AnonNuma } from './numa_anon';
import type { Proc } from '../engine';

/**
 * Automatic NUMA balancing of Linux 3.18 (_PAGE_NUMA era; reference docs/reference/kernel-locking.md §7):
 *
 * 1. `taskTickNuma` (task_tick_numa, a scheduler tick hook): once the running task has
 *    used `numa_scan_period` of CPU time since its node_stamp and the mm's numa_next_scan
 *    has passed, queue the task's numa_work (task_work_add).
 * 2. The work runs when the task next returns to user mode: `taskWorkRun(task)`, which
 *    `touch` and `runUser` call first (workloads may call it at their own syscall exits).
 *    `taskNumaWork` (task_numa_work): rate-limited by mm.numaNextScan, scans up to
 *    scan_size MB of VMAs from mm.numaScanOffset under mmap_sem for read, skipping
 *    hugetlb, non-migratable, inaccessible and read-only file VMAs; `changeProtNuma` marks
 *    present ptes (page.numaPtes) under the pte locks only — no i_mmap lock.
 * 3. The task's next access to a marked page is a hinting fault, `doNumaPage`.
 *
 * ## Access model
 * The model follows only the pages workloads declare (file pages as `Page` objects). A
 * workload says what a task touches in one of two ways:
 * - `yield* ctx.numa.touch(task, mm, vma, index)`: one user access by `task` to file page
 *   `index` through `vma`. Effects, as the kernel's fault paths: not mapped → a read fault
 *   maps it (mmap_sem read, page lock, pte lock, `fileFault`); a migration entry → wait
 *   for the migration (migration_entry_wait: a reference + wait_on_page_locked), then
 *   retry; marked _PAGE_NUMA → hinting fault (`doNumaPage`); else a hit (sets the young
 *   bit, costs nothing: user time is the caller's).
 * - `ctx.numa.setHotSet(mm, { vma, pages, touchIntervalNs })` then
 *   `yield* ctx.numa.runUser(task, ns)`: `ns` of user-mode CPU work during which the task
 *   touches a page drawn uniformly from the mm's hot set at Poisson times with mean gap
 *   `touchIntervalNs` (rng `numa.access.t<task id>`). The hot set of a forked child can
 *   be the parent's (same file pages, the child's VMA).
 * Accesses are reads: a write to a MAP_PRIVATE page would copy it (COW) and leave the file
 * page; that is the workload's business (it stops touching the file page). `populate`
 * maps pages without simulated cost (MAP_POPULATE at set-up).
 *
 * ## Simplifications (documented)
 * - Task placement is not modelled (no numa_preferred_nid moves, no numa groups): the
 *   migration target is the faulting task's node, and should_numa_migrate_memory is its
 *   two-stage cpupid filter only (a fault from another node than the last one refuses;
 *   otherwise "private or no numa_group" → migrate).
 * - File pages are those the workload follows. Anonymous pages are followed in aggregate
 *   (numa_anon.ts) when the workload turns it on (`anon.touchIntervalNs`): a scan marks
 *   the anonymous ptes of its window too, and `runUser` takes their hinting faults.
 * - pte_write is taken as VM_SHARED && VM_WRITE (a MAP_PRIVATE file page is mapped
 *   read-only until COW).
 */

// include/linux/sched.h TNF_* flags
export const TNF_MIGRATED = 0x01;
export const TNF_NO_GROUP = 0x02;
export const TNF_SHARED = 0x04;
export const TNF_FAULT_LOCAL = 0x08;
export const TNF_MIGRATE_FAIL = 0x10;

// include/linux/page-flags-layout.h: LAST__PID_SHIFT 8 (pid bits), cpu above
const LAST_PID_MASK = 0xff;
const PAGES_PER_MB = 256;
const NUMA_PERIOD_SLOTS = 10;
const NUMA_PERIOD_THRESHOLD = 7;

/** NUMA state of one task (task_struct numa_* fields). */
export interface TaskNuma {
  readonly mm: MmStruct;
  exiting: boolean;
  /** numa_work queued (work->next != work) */
  workPending: boolean;
  /** p->node_stamp: runtime (ns) up to which scan periods were counted */
  nodeStamp: number;
  /** p->numa_scan_period (ms) */
  scanPeriod: number;
  scanPeriodMax: number;
  /** p->numa_scan_seq */
  scanSeq: number;
  /** p->numa_faults_locality: [remote, local] */
  readonly faultsLocality: [number, number];
  /** faults since the last placement by type (numa_faults_buffer_memory summed): [shared, private] */
  readonly faultsBuffer: [number, number];
  pagesMigrated: number;
}

/** A mm's declared hot file pages (the access model's rate form). */
export interface HotSet {
  vma: Vma;
  pages: readonly number[];
  /** mean user time between two touches by one task (ns) */
  touchIntervalNs: number;
}

export type TouchResult = 'hit' | 'fault' | 'hinting';

export class NumaBalancing {
  readonly params: NumaParams;
  readonly stats = { scanPasses: 0, migrationEntryWaits: 0 };
  /** anonymous pages, in aggregate (numa_anon.ts); off until `anon.touchIntervalNs` is set */
  readonly anon: AnonNuma;
  private readonly tasks = new WeakMap<Task, TaskNuma>();
  private readonly hot = new WeakMap<MmStruct, HotSet>();
  private readonly tickNs: number;

  constructor(readonly ctx: MmContext, params?: Partial<NumaParams>) {
    this.params = resolveNumaParams(params);
    this.anon = new AnonNuma(ctx);
    this.tickNs = 1e9 / ctx.sched.params.hz;
    if (this.params.enabled) ctx.sched.onTick((_cpu, t) => this.taskTickNuma(t));
  }

  // ------------------------------------------------------------ tasks and mms

  /** the task now runs in `mm` (sched_fork's numa part; call again after exec) */
  attach(task: Task, mm: MmStruct): TaskNuma {
    if (!mm.numaNextScan) {
      mm.numaNextScan = this.ctx.sim.now + this.params.scanDelayMs * 1e6;
      mm.numaScanSeq = 0;
    }
    const tn: TaskNuma = {
      mm, exiting: false, workPending: false, nodeStamp: 0,
      scanPeriod: this.params.scanDelayMs, scanPeriodMax: 0, scanSeq: mm.numaScanSeq,
      faultsLocality: [0, 0], faultsBuffer: [0, 0], pagesMigrated: 0,
    };
    this.tasks.set(task, tn);
    return tn;
  }

  /** PF_EXITING: no more NUMA work for the task */
  detach(task: Task): void {
    this.tasks.delete(task);
  }

  taskState(task: Task): TaskNuma | undefined {
    return this.tasks.get(task);
  }

  setHotSet(mm: MmStruct, hot: HotSet | null): void {
    if (hot === null) { this.hot.delete(mm); return; }
    if (hot.vma.mm !== mm || !hot.vma.file) throw new Error(`setHotSet(${mm.name}): the VMA must be a file VMA of this mm`);
    for (const i of hot.pages) if (!hot.vma.covers(i)) throw new Error(`setHotSet(${mm.name}): page ${i} is outside the VMA's file range`);
    if (!(hot.touchIntervalNs > 0)) throw new Error(`setHotSet(${mm.name}): touchIntervalNs must be > 0`);
    this.hot.set(mm, hot);
  }

  /** map file pages into the VMA's mm at once, without simulated cost (set-up) */
  populate(vma: Vma, indices: Iterable<number>): void {
    if (!vma.file) throw new Error('populate: not a file VMA');
    for (const i of indices) {
      if (!vma.covers(i)) throw new Error(`populate: page ${i} outside the VMA`);
      const p = vma.file.page(i);
      if (!p.mappers.has(vma.mm)) vma.mm.pt.set(vma.addressOf(i), p);
    }
  }

  // ------------------------------------------------------------ scanning

  /** task_nr_scan_windows() */
  private nrScanWindows(mm: MmStruct): number {
    const nrScanPages = this.params.scanSizeMb * PAGES_PER_MB;
    const rss = mm.rss || nrScanPages;
    return Math.ceil(rss / nrScanPages);
  }

  /** task_scan_min() (ms) */
  taskScanMin(mm: MmStruct): number {
    const p = this.params;
    const windows = p.scanSizeMb < p.maxScanWindowMb ? Math.floor(p.maxScanWindowMb / p.scanSizeMb) : 1;
    const floor = Math.floor(1000 / windows);
    return Math.max(floor, Math.floor(p.scanPeriodMinMs / this.nrScanWindows(mm)));
  }

  /** task_scan_max() (ms) */
  taskScanMax(mm: MmStruct): number {
    return Math.max(this.taskScanMin(mm), Math.floor(this.params.scanPeriodMaxMs / this.nrScanWindows(mm)));
  }

  /** task_tick_numa(): runtime-driven; queues numa_work once numa_next_scan has passed */
  taskTickNuma(task: Task): void {
    const tn = this.tasks.get(task);
    if (!tn || tn.exiting || tn.workPending) return;
    const runtime = task.stats.cpu + (task.onCpu ? this.ctx.sim.now - task.execStart : 0);
    const period = tn.scanPeriod * 1e6;
    if (runtime - tn.nodeStamp > period) {
      if (!tn.nodeStamp) tn.scanPeriod = this.taskScanMin(tn.mm);
      tn.nodeStamp += period;
      if (!(this.ctx.sim.now < tn.mm.numaNextScan)) tn.workPending = true;
    }
  }

  /** task_work_run() on return to user mode: runs a queued task_numa_work */
  *taskWorkRun(task: Task): Proc {
    const tn = this.tasks.get(task);
    if (tn && tn.workPending) yield* this.taskNumaWork(task, tn);
  }

  /** task_numa_work() (kernel/sched/fair.c) */
  *taskNumaWork(task: Task, tn: TaskNuma): Proc {
    const { ctx, params: p } = this;
    tn.workPending = false;
    if (tn.exiting) return;
    const mm = tn.mm;
    const now = ctx.sim.now;
    if (!mm.numaNextScan) mm.numaNextScan = now + p.scanDelayMs * 1e6;
    if (now < mm.numaNextScan) return; // enforce maximal scan/migration frequency
    if (tn.scanPeriod === 0) {
      tn.scanPeriodMax = this.taskScanMax(mm);
      tn.scanPeriod = this.taskScanMin(mm);
    }
    mm.numaNextScan = now + tn.scanPeriod * 1e6; // the cmpxchg: nothing ran in between
    // (3.18 no longer skips a pass when this node is migrate_ratelimited, nor VMAs < 2 MB:
    // both went in the 3.13 sched/numa series)
    tn.nodeStamp += 2 * this.tickNs; // let another task of this mm win next time
    let start = mm.numaScanOffset;
    let pages = p.scanSizeMb * PAGES_PER_MB;
    this.stats.scanPasses++;
    yield* mm.mmapSem.acquire(task, 'read', 'task_numa_work');
    const vmas = mm.vmas;
    let i = vmas.findIndex((v) => v.end > start); // find_vma
    if (i < 0) {
      this.resetPtenumaScan(mm);
      start = 0;
      i = 0;
    }
    let nrPteUpdates = 0;
    let out = false;
    for (; i < vmas.length && !out; i++) {
      const vma = vmas[i];
      yield* ctx.compute(task, ctx.costs.treeVisit);
      if (vma.has(VM_HUGETLB)) continue; // !vma_migratable / hugetlb
      // shared library text and rodata are expected to be cache replicated
      if (vma.file && (vma.flags & (VM_READ | VM_WRITE)) === VM_READ) continue;
      if (!(vma.flags & (VM_READ | VM_EXEC | VM_WRITE))) continue; // PROT_NONE
      let end: number;
      do {
        start = Math.max(start, vma.start);
        end = Math.min(Math.ceil((start + pages) / PTRS_PER_PTE) * PTRS_PER_PTE, vma.end);
        nrPteUpdates += yield* this.changeProtNuma(task, vma, start, end);
        if (this.anon.touchIntervalNs !== null) nrPteUpdates += yield* this.anon.changeProtNumaAnon(task, vma, start, end);
        // scan scan_size but make sure at least one pte is updated (unused space is skipped fast)
        if (nrPteUpdates) pages -= end - start;
        start = end;
        if (pages <= 0) { out = true; break; }
        yield* ctx.sched.condResched(task);
      } while (end !== vma.end);
    }
    if (out) mm.numaScanOffset = start;
    else this.resetPtenumaScan(mm);
    yield* mm.mmapSem.release(task, 'read');
  }

  private resetPtenumaScan(mm: MmStruct): void {
    mm.numaScanSeq++;
    mm.numaScanOffset = 0;
  }

  /**
   * change_prot_numa() → change_protection(prot_numa): mark the present, not yet marked
   * ptes of [start, end) _PAGE_NUMA, one pte lock per page-table page; counts
   * numa_pte_updates. No i_mmap lock. Returns the ptes marked.
   */
  *changeProtNuma(task: Task, vma: Vma, start: number, end: number): Proc<number> {
    const { ctx } = this;
    if (!vma.file || end <= start) return 0;
    const mm = vma.mm;
    const first = vma.pgoff + (start - vma.start);
    const pages = vma.file.findGetPages(first, first + (end - start) - 1);
    let total = 0;
    for (let i = 0; i < pages.length;) {
      const table = Math.floor(vma.addressOf(pages[i].index) / PTRS_PER_PTE);
      let j = i;
      let present = false;
      while (j < pages.length && Math.floor(vma.addressOf(pages[j].index) / PTRS_PER_PTE) === table) {
        if (pages[j].mappers.has(mm)) present = true;
        j++;
      }
      if (present) {
        const ptl = mm.ptl(table * PTRS_PER_PTE);
        yield* ptl.lock(task, 'change_pte_range');
        let n = 0;
        for (let k = i; k < j; k++) {
          const pg = pages[k];
          if (pg.mappers.has(mm) && !pg.numaPtes.has(mm)) { pg.numaPtes.add(mm); n++; }
        }
        yield* ctx.compute(task, ctx.costs.changeProtPtePage + n * ctx.costs.numaPteUpdate);
        yield* ptl.unlock(task);
        total += n;
      }
      i = j;
    }
    ctx.vmstat.numa_pte_updates += total;
    return total;
  }

  // ------------------------------------------------------------ accesses and faults

  private own(task: Task, mm: MmStruct): TaskNuma {
    const tn = this.tasks.get(task);
    if (tn && tn.mm === mm) return tn;
    if (tn) throw new Error(`numa: task ${task.name} runs in ${tn.mm.name}, not ${mm.name} (attach it after exec)`);
    return this.attach(task, mm);
  }

  /** One user access by `task` to file page `index` through `vma` (see the module comment). */
  *touch(task: Task, mm: MmStruct, vma: Vma, index: number): Proc<TouchResult> {
    this.own(task, mm);
    if (vma.mm !== mm || !vma.file) throw new Error(`touch: the VMA must be a file VMA of ${mm.name}`);
    if (!vma.covers(index)) throw new Error(`touch: page ${index} is outside the VMA's file range`);
    yield* this.taskWorkRun(task);
    const page = vma.file.page(index);
    for (;;) {
      if (page.migrationPtes.has(mm)) { yield* this.migrationEntryWait(task, mm, vma, page); continue; }
      if (!page.mappers.has(mm)) { yield* this.readFault(task, mm, vma, page); return 'fault'; }
      if (page.numaPtes.has(mm)) { yield* this.doNumaPage(task, mm, vma, page); return 'hinting'; }
      page.young.add(mm);
      return 'hit';
    }
  }

  /** `ns` of user work touching the mm's hot set at its rate (the access model's rate form) */
  *runUser(task: Task, ns: number): Proc<number> {
    const tn = this.tasks.get(task);
    if (!tn) throw new Error(`runUser: task ${task.name} is not attached to an mm (numa.attach)`);
    yield* this.taskWorkRun(task);
    if (this.anon.touchIntervalNs !== null) {
      const u = this.ctx.sim.rng(`numa.anon.t${task.id}`).random();
      const own = (task.cpu.id * (LAST_PID_MASK + 1)) + (task.id & LAST_PID_MASK);
      yield* this.anon.faultBatch(task, tn.mm, ns, u, (unset, nid, pages, flags) =>
        this.taskNumaFault(task, unset ? -1 : own, nid, pages, flags));
    }
    const hot = this.hot.get(tn.mm);
    if (!hot || hot.pages.length === 0) { yield* this.ctx.sched.compute(task, ns, true); return 0; }
    const rng = this.ctx.sim.rng(`numa.access.t${task.id}`);
    let left = ns, touches = 0;
    for (;;) {
      const gap = rng.exponential(hot.touchIntervalNs);
      if (gap >= left) { yield* this.ctx.sched.compute(task, left, true); return touches; }
      yield* this.ctx.sched.compute(task, gap, true);
      left -= gap;
      yield* this.touch(task, tn.mm, hot.vma, hot.pages[rng.int(hot.pages.length)]);
      touches++;
    }
  }

  /** do_read_fault() stand-in: filemap_fault (page lock), set the pte under the pte lock */
  private *readFault(task: Task, mm: MmStruct, vma: Vma, page: Page): Proc {
    const { ctx } = this;
    yield* mm.mmapSem.acquire(task, 'read', 'do_read_fault');
    ctx.vmstat.pgfault++;
    page.refs++; // find_get_page
    yield* page.lockPage(task); // lock_page_or_retry
    yield* ctx.compute(task, ctx.costs.fileFault);
    const ptl = mm.ptl(vma.addressOf(page.index));
    yield* ptl.lock(task, 'do_set_pte');
    if (!page.mappers.has(mm) && !page.migrationPtes.has(mm)) {
      mm.pt.set(vma.addressOf(page.index), page);
      page.numaPtes.delete(mm);
      page.young.add(mm);
    }
    yield* ptl.unlock(task);
    yield* page.unlockPage(task);
    page.refs--;
    yield* mm.mmapSem.release(task, 'read');
  }

  /** migration_entry_wait(): reference the page and wait until its migration unlocks it */
  private *migrationEntryWait(task: Task, mm: MmStruct, vma: Vma, page: Page): Proc {
    const { ctx } = this;
    yield* mm.mmapSem.acquire(task, 'read', 'migration_entry_wait');
    ctx.vmstat.pgfault++;
    const ptl = mm.ptl(vma.addressOf(page.index));
    yield* ptl.lock(task, 'migration_entry_wait');
    yield* ctx.compute(task, ctx.costs.numaHintFault);
    const still = page.migrationPtes.has(mm);
    if (still) page.refs++; // get_page_unless_zero
    yield* ptl.unlock(task);
    if (still) {
      this.stats.migrationEntryWaits++;
      yield* page.waitOnPageLocked(task);
      page.refs--; // put_page
    }
    yield* mm.mmapSem.release(task, 'read');
  }

  /**
   * do_numa_page() (mm/memory.c, 3.18) under mmap_sem read: pte_mknonnuma under the pte
   * lock, numa_migrate_prep (get_page, numa_hint_faults[_local], mpol_misplaced), unlock;
   * migrate_misplaced_page to the target; task_numa_fault.
   */
  *doNumaPage(task: Task, mm: MmStruct, vma: Vma, page: Page): Proc {
    const { ctx } = this;
    yield* mm.mmapSem.acquire(task, 'read', 'do_numa_page');
    ctx.vmstat.pgfault++;
    const ptl = mm.ptl(vma.addressOf(page.index));
    yield* ptl.lock(task, 'do_numa_page');
    if (!page.numaPtes.has(mm) || !page.mappers.has(mm)) { // !pte_same: someone else handled it
      yield* ptl.unlock(task);
      yield* mm.mmapSem.release(task, 'read');
      return;
    }
    yield* ctx.compute(task, ctx.costs.numaHintFault);
    page.numaPtes.delete(mm);
    page.young.add(mm);
    let flags = 0;
    if (!(vma.has(VM_SHARED) && vma.has(VM_WRITE))) flags |= TNF_NO_GROUP; // !pte_write
    if (page.mapcount > 1 && vma.has(VM_SHARED)) flags |= TNF_SHARED;
    const lastCpupid = page.lastCpupid;
    let pageNid = page.node;
    // numa_migrate_prep()
    page.refs++;
    ctx.vmstat.numa_hint_faults++;
    const thisCpu = task.cpu.id;
    const thisNid = ctx.sched.machine.nodeOf(thisCpu);
    if (pageNid === thisNid) {
      ctx.vmstat.numa_hint_faults_local++;
      flags |= TNF_FAULT_LOCAL;
    }
    const target = this.mpolMisplaced(task, page, thisCpu);
    yield* ptl.unlock(task);
    if (target === -1) page.refs--; // put_page
    else if (yield* migrateMisplacedPage(ctx, task, page, target, vma)) {
      pageNid = target;
      flags |= TNF_MIGRATED;
    } else flags |= TNF_MIGRATE_FAIL;
    this.taskNumaFault(task, lastCpupid, pageNid, 1, flags);
    yield* mm.mmapSem.release(task, 'read');
  }

  /**
   * mpol_misplaced() with the default policy (MPOL_PREFERRED | MPOL_F_MOF | MPOL_F_MORON):
   * target = this CPU's node if should_numa_migrate_memory agrees and the page is elsewhere.
   */
  private mpolMisplaced(task: Task, page: Page, thisCpu: number): number {
    const machine = this.ctx.sched.machine;
    const dstNid = machine.nodeOf(thisCpu);
    // should_numa_migrate_memory(): two-stage filter on page_cpupid_xchg_last
    const thisCpupid = thisCpu * (LAST_PID_MASK + 1) + (task.id & LAST_PID_MASK);
    const last = page.lastCpupid;
    page.lastCpupid = thisCpupid;
    if (last !== -1 && machine.nodeOf(Math.floor(last / (LAST_PID_MASK + 1))) !== dstNid) return -1;
    // private fault, or no numa_group (groups are not modelled): allow
    return page.node !== dstNid ? dstNid : -1;
  }

  /** task_numa_fault(): fault statistics, and task_numa_placement once per mm scan pass */
  taskNumaFault(task: Task, lastCpupid: number, memNode: number, pages: number, flags: number): void {
    const tn = this.tasks.get(task);
    if (!tn) return;
    void memNode;
    const priv = lastCpupid === -1 || (lastCpupid & LAST_PID_MASK) === (task.id & LAST_PID_MASK) ? 1 : 0;
    const local = flags & TNF_FAULT_LOCAL ? 1 : 0;
    this.taskNumaPlacement(tn);
    if (flags & TNF_MIGRATED) tn.pagesMigrated += pages;
    tn.faultsBuffer[priv] += pages;
    tn.faultsLocality[local] += pages;
  }

  /** task_numa_placement(), reduced to its scan-period update */
  private taskNumaPlacement(tn: TaskNuma): void {
    const seq = tn.mm.numaScanSeq;
    if (tn.scanSeq === seq) return;
    tn.scanSeq = seq;
    tn.scanPeriodMax = this.taskScanMax(tn.mm);
    const [shared, priv] = tn.faultsBuffer;
    tn.faultsBuffer[0] = tn.faultsBuffer[1] = 0;
    if (this.params.adaptScanPeriod) this.updateTaskScanPeriod(tn, shared, priv);
  }

  /** update_task_scan_period() (3.16+: NUMA_PERIOD_THRESHOLD 7) */
  private updateTaskScanPeriod(tn: TaskNuma, shared: number, priv: number): void {
    const [remote, local] = tn.faultsLocality;
    if (local + shared === 0) {
      tn.scanPeriod = Math.min(tn.scanPeriodMax, tn.scanPeriod << 1);
      tn.mm.numaNextScan = this.ctx.sim.now + tn.scanPeriod * 1e6;
      return;
    }
    const periodSlot = Math.ceil(tn.scanPeriod / NUMA_PERIOD_SLOTS);
    let ratio = Math.floor((local * NUMA_PERIOD_SLOTS) / (local + remote));
    let diff: number;
    if (ratio >= NUMA_PERIOD_THRESHOLD) {
      diff = Math.max(1, ratio - NUMA_PERIOD_THRESHOLD) * periodSlot;
    } else {
      diff = -(NUMA_PERIOD_THRESHOLD - ratio) * periodSlot;
      ratio = Math.ceil((priv * NUMA_PERIOD_SLOTS) / (priv + shared));
      diff = Math.trunc((diff * ratio) / NUMA_PERIOD_SLOTS);
    }
    const lo = this.taskScanMin(tn.mm), hi = this.taskScanMax(tn.mm);
    tn.scanPeriod = Math.min(hi, Math.max(lo, tn.scanPeriod + diff));
    tn.faultsLocality[0] = tn.faultsLocality[1] = 0;
  }
}
