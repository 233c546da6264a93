import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { MmStruct } from './mm_struct';
import type { Vma } from './vma';
import { migrateState, numamigrateUpdateRatelimit } from './migrate';
import type { Proc } from '../engine';

/**
 * Automatic NUMA balancing of anonymous memory (Linux 3.18), in aggregate.
 *
 * The model keeps no `Page` per anonymous page: an anonymous page is a null entry of the
 * mm's page table (pgtable.ts, `mm.pt.anon` of them). This file keeps, per mm, how many of
 * those pages sit on each node and from which node their last hinting fault came
 * (`page_cpupid_last`'s node), split into marked (_PAGE_NUMA, i.e. PROT_NONE) and not:
 * `cells[m][p][l]`, m = marked, p = the page's node, l = the node of its last fault or
 * `nnodes` for "unset" (page_cpupid_reset_last at free, mm/page_alloc.c
 * free_pages_prepare: a new page has no last cpupid). The same scanning, filter and
 * migration rules as the file pages of numa.ts apply, to counts instead of pages:
 *
 * - task_numa_work → change_prot_numa on an anonymous (or private file) VMA: the anon
 *   ptes of the window, per page-table page under its pte lock, are marked; counts
 *   numa_pte_updates (change_pte_range counts only ptes not already pte_numa).
 * - the task's next user time touches its pages: a marked page is touched within `ns` of
 *   user time with probability 1 − exp(−ns/τ), τ = the mean user time between two touches
 *   of one page (`touchIntervalNs`, a workload parameter [U]); those touches are hinting
 *   faults (do_numa_page), handled as one batch: numa_hint_faults, _local; per page
 *   should_numa_migrate_memory's two-stage filter (kernel/sched/fair.c): a last
 *   cpupid that is set and of another node refuses (the page now remembers this node);
 *   unset or this node passes; migrate_misplaced_page: rate limit of the target node
 *   (numamigrate_update_ratelimit, per page), isolate_lru_page under the source node's
 *   lru_lock, then migrate_pages: try_to_unmap and remove_migration_ptes walk the page's
 *   anon_vma with rmap_walk_anon under anon_vma_lock_read (the root's rwsem) — never
 *   i_mmap — and copy the page. numa_pages_migrated, pgmigrate_success.
 * - task_numa_fault per group of pages with the same flags (so the scan period adapts to
 *   anonymous faults too: update_task_scan_period).
 *
 * Simplifications (documented; O(1) events per scan window and per fault batch):
 * - Which pages a window or a batch takes is proportional to the counts (largest
 *   remainder), not page by page. A batch's faults happen at the start of the user time
 *   they fall in; its locks are taken once per batch (mmap_sem read, each source node's
 *   lru_lock, the anon_vma root rwsem read held for all its migrations), so the hold
 *   time is the sum of the per-page holds but the hand-offs are fewer.
 * - New anonymous pages are put on the node of the task that next scans, faults a batch
 *   or forks (the counts are brought level with `mm.pt.anon` then); freed pages are taken
 *   from the counts proportionally. A forked child starts with a copy of its parent's
 *   counts (copy_pte_range copies the ptes, _PAGE_NUMA bit included; the pages are the
 *   parent's, COW-shared). A COW-shared page migrated by one mm is not moved in the
 *   other mms' counts.
 * - The rmap walks of one migration visit the VMAs of the mm's anon_vma tree (its own
 *   anon_vma's rb_root: the mm and its forked children); pages inherited from a parent
 *   are walked in the parent's anon_vma, with more VMAs [U: an under-estimate for them].
 * - Heap faults that aim7 folds (ops.ts anonFaults beyond the first 64) make no ptes and
 *   are not counted: those heap pages live milliseconds (brk_test/page_test shrink the
 *   heap at once), far less than a scan period (≥ 1 s).
 */

/** per-mm anonymous NUMA state */
export interface AnonNumaState {
  /** cells[marked 0|1][page node][last fault node, nnodes = unset] */
  readonly cells: [number[][], number[][]];
  /** sum of the cells */
  total: number;
}

/** How many pages of `cells` (non-negative integers) to take for `k` in all, proportionally (largest remainder; ties to the lower index). */
export function takeProportional(cells: readonly number[], k: number): number[] {
  const total = cells.reduce((a, b) => a + b, 0);
  const out = cells.map(() => 0);
  if (k <= 0 || total === 0) return out;
  if (k >= total) return cells.slice();
  let given = 0;
  const rem: [number, number][] = [];
  for (let i = 0; i < cells.length; i++) {
    const exact = (cells[i]! * k) / total;
    out[i] = Math.floor(exact);
    given += out[i]!;
    rem.push([exact - out[i]!, i]);
  }
  rem.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let j = 0; given < k; j++) {
    const i = rem[j % rem.length]![1];
    if (out[i]! < cells[i]!) { out[i]!++; given++; }
  }
  return out;
}

export class AnonNuma {
  private readonly state = new WeakMap<MmStruct, AnonNumaState>();
  /** mean user time between two touches of one anonymous page (ns); null = anonymous balancing off */
  touchIntervalNs: number | null = null;
  readonly stats = { batches: 0, filterRefused: 0, rmapVisits: 0 };

  constructor(readonly ctx: MmContext) {}

  get nnodes(): number {
    return this.ctx.sched.machine.nnodes;
  }

  private empty(): AnonNumaState {
    const n = this.nnodes;
    const grid = () => Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
    return { cells: [grid(), grid()], total: 0 };
  }

  /** the mm's counts, brought level with its anonymous ptes (new ones on `node`) */
  stateOf(mm: MmStruct, node: number): AnonNumaState {
    let s = this.state.get(mm);
    if (!s) { s = this.empty(); this.state.set(mm, s); }
    const want = mm.pt.anon;
    if (want > s.total) {
      s.cells[0][node]![this.nnodes]! += want - s.total; // page_cpupid_reset_last: unset
      s.total = want;
    } else if (want < s.total) {
      const flat = [...s.cells[0].flat(), ...s.cells[1].flat()];
      const take = takeProportional(flat, s.total - want);
      this.subtractFlat(s, take);
      s.total = want;
    }
    return s;
  }

  /** peek at the counts without levelling (tests) */
  peek(mm: MmStruct): AnonNumaState | undefined {
    return this.state.get(mm);
  }

  private subtractFlat(s: AnonNumaState, take: number[]): void {
    const w = this.nnodes + 1;
    let k = 0;
    for (const m of [0, 1] as const) {
      for (let p = 0; p < this.nnodes; p++) for (let l = 0; l < w; l++) s.cells[m][p]![l]! -= take[k++]!;
    }
  }

  /** marked pages of the mm */
  marked(s: AnonNumaState): number {
    let n = 0;
    for (const row of s.cells[1]) for (const c of row) n += c;
    return n;
  }

  /** dup_mmap → copy_pte_range: the child's anonymous ptes map the parent's pages (same nodes, same marks) */
  fork(task: Task, parent: MmStruct, child: MmStruct): void {
    if (this.touchIntervalNs === null) return;
    const node = this.ctx.sched.machine.nodeOf(task.cpu.id);
    const ps = this.stateOf(parent, node);
    const cs: AnonNumaState = { cells: [ps.cells[0].map((r) => r.slice()), ps.cells[1].map((r) => r.slice())], total: ps.total };
    this.state.set(child, cs);
    this.stateOf(child, node); // the child's ptes are the parent's copied ones: level (e.g. VM_DONTCOPY)
  }

  /**
   * change_prot_numa() on the anonymous ptes of [start, end) of `vma` (change_pte_range,
   * prot_numa: pte_mknuma on present ptes not yet pte_numa, one pte lock per page-table
   * page). Returns the ptes marked (numa_pte_updates).
   */
  *changeProtNumaAnon(task: Task, vma: Vma, start: number, end: number): Proc<number> {
    const { ctx } = this;
    const mm = vma.mm;
    if (mm.pt.anon === 0) return 0;
    const tables = mm.pt.anonTables(start, end);
    if (tables.length === 0) return 0;
    const s = this.stateOf(mm, ctx.sched.machine.nodeOf(task.cpu.id));
    let inWindow = 0;
    for (const [, n] of tables) inWindow += n;
    // which of the window's ptes are unmarked, and on which nodes: proportional to the mm's counts
    const unmarked = s.cells[0].flat();
    const unmarkedTotal = unmarked.reduce((a, b) => a + b, 0);
    const k = s.total === 0 ? 0 : Math.round((inWindow * unmarkedTotal) / s.total);
    const take = takeProportional(unmarked, k);
    const w = this.nnodes + 1;
    for (let i = 0; i < take.length; i++) {
      const p = Math.floor(i / w), l = i % w;
      s.cells[0][p]![l]! -= take[i]!;
      s.cells[1][p]![l]! += take[i]!;
    }
    // the pte locks, one per page-table page; the marked ptes spread over them in proportion
    const perTable = takeProportional(tables.map(([, n]) => n), k);
    for (let i = 0; i < tables.length; i++) {
      const ptl = mm.ptl(tables[i]![0] * 512);
      yield* ptl.lock(task, 'change_pte_range');
      yield* ctx.compute(task, ctx.costs.changeProtPtePage + perTable[i]! * ctx.costs.numaPteUpdate);
      yield* ptl.unlock(task);
    }
    ctx.vmstat.numa_pte_updates += k;
    return k;
  }

  /**
   * The hinting faults of `ns` of user time of `task` in `mm` on its marked anonymous pages,
   * as one batch (see the module comment). `u` ∈ [0, 1) rounds the expected count.
   * `fault(lastCpupidUnset, pages, flags)` is task_numa_fault.
   */
  *faultBatch(task: Task, mm: MmStruct, ns: number, u: number,
    taskNumaFault: (unset: boolean, pageNid: number, pages: number, flags: number) => void): Proc<number> {
    const { ctx } = this;
    if (this.touchIntervalNs === null) return 0;
    const machine = ctx.sched.machine;
    const d = machine.nodeOf(task.cpu.id);
    const s = this.stateOf(mm, d);
    const marked = this.marked(s);
    if (marked === 0) return 0;
    const expect = marked * (1 - Math.exp(-ns / this.touchIntervalNs));
    const f = Math.min(marked, Math.floor(expect) + (u < expect - Math.floor(expect) ? 1 : 0));
    if (f === 0) return 0;
    this.stats.batches++;
    const n = this.nnodes, unset = n, w = n + 1;
    const take = takeProportional(s.cells[1].flat(), f);
    // do_numa_page under mmap_sem read, its pte lock per fault: the fault costs of the batch
    yield* mm.mmapSem.acquire(task, 'read', 'do_numa_page');
    ctx.vmstat.pgfault += f;
    ctx.vmstat.numa_hint_faults += f;
    yield* ctx.compute(task, f * ctx.costs.numaHintFault);
    let local = 0;
    const toMigrate = new Array<number>(n).fill(0); // per source node
    for (let i = 0; i < take.length; i++) {
      const c = take[i]!;
      if (!c) continue;
      const p = Math.floor(i / w), l = i % w;
      s.cells[1][p]![l]! -= c; // pte_mknonnuma
      if (p === d) {
        local += c;
        s.cells[0][d]![d]! += c;
        taskNumaFault(l === unset, p, c, TNF_FAULT_LOCAL);
      } else if (l === unset || l === d) {
        toMigrate[p]! += c; // should_numa_migrate_memory passes
      } else {
        this.stats.filterRefused += c; // two-stage filter: last fault from another node
        s.cells[0][p]![d]! += c;
        taskNumaFault(false, p, c, 0);
      }
    }
    ctx.vmstat.numa_hint_faults_local += local;
    let migrated = 0;
    const st = migrateState(ctx);
    for (let p = 0; p < n; p++) {
      const want = toMigrate[p]!;
      if (!want) continue;
      // migrate_misplaced_page: numamigrate_update_ratelimit per page, then isolate_lru_page
      let ok = 0;
      for (let j = 0; j < want; j++) {
        if (numamigrateUpdateRatelimit(ctx, d, 1)) { st.refused.ratelimit++; continue; }
        ok++;
      }
      const pFail = ctx.numa.params.isolateFailProbability;
      if (ok && pFail > 0) {
        const rng = ctx.sim.rng('migrate.isolate');
        let iso = 0;
        for (let j = 0; j < ok; j++) if (!rng.chance(pFail)) iso++;
        st.refused.isolate += ok - iso;
        ok = iso;
      }
      if (ok) {
        const lru = st.lruLocks[p]!;
        yield* lru.lock(task, 'isolate_lru_page');
        yield* lru.unlock(task);
        migrated += yield* this.migrateAnon(task, mm, ok);
      }
      // refused by the rate limit or isolation: the page stays, its cpupid now this node's
      s.cells[0][p]![d]! += want - ok;
      s.cells[0][d]![d]! += ok;
      if (want - ok) taskNumaFault(false, p, want - ok, TNF_MIGRATE_FAIL);
      if (ok) taskNumaFault(false, d, ok, TNF_MIGRATED);
    }
    yield* mm.mmapSem.release(task, 'read');
    return migrated;
  }

  /**
   * migrate_pages(MIGRATE_ASYNC) of `pages` isolated anonymous pages of `mm`: per page
   * __unmap_and_move → try_to_unmap (rmap_walk_anon), migrate_page_move_mapping, copy,
   * remove_migration_ptes (rmap_walk_anon again), both walks under anon_vma_lock_read of
   * the page's anon_vma root — held here once for the batch. No i_mmap.
   */
  private *migrateAnon(task: Task, mm: MmStruct, pages: number): Proc<number> {
    const { ctx } = this;
    const vma = mm.vmas.find((v) => v.anonVma !== null);
    const c = ctx.costs;
    let visits = 1;
    if (vma) {
      const av = vma.anonVma!;
      visits = Math.max(1, av.rb_root.size);
      yield* av.rwsem.acquire(task, 'read', 'rmap_walk_anon');
      yield* ctx.compute(task, pages * (2 * visits * c.rmapOne + c.migrateMoveMapping + c.copyPage));
      yield* av.rwsem.release(task, 'read');
    } else {
      yield* ctx.compute(task, pages * (2 * c.rmapOne + c.migrateMoveMapping + c.copyPage));
    }
    this.stats.rmapVisits += 2 * visits * pages;
    ctx.vmstat.rmap_walks += 2 * pages;
    ctx.vmstat.rmap_vmas_visited += 2 * visits * pages;
    ctx.vmstat.pgmigrate_success += pages;
    ctx.vmstat.numa_pages_migrated += pages;
    return pages;
  }
}

// include/linux/sched.h TNF_* (same values as numa.ts)
const TNF_MIGRATED = 0x01;
const TNF_FAULT_LOCAL = 0x08;
const TNF_MIGRATE_FAIL = 0x10;
