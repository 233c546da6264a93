import type { Simulation, Proc } from '../engine';
import type { Task } from '../sched';
import { setLockWatchHook, type Lock, type SpinLock } from '../locking';
import type { CacheLine } from '../hw';
import type { MmContext } from './model/context';
import type { IntervalTree } from './interval_tree';
import type { MmStruct } from './mm_struct';
import { setPageChangeHook, type Page, type PteSetKind } from './page';
import type { RmapPlanner, RmapWalker, SwapResult } from './rmap';
import { rmapOneTail, walkerMapped } from './rmap';
import type { Vma } from './vma';

/**
 * Lazy rmap walks: the walk of `walkTree` (rmap.ts) in O(1) events instead of one or two
 * per VMA, with the same simulated times and the same effects at the same instants.
 *
 * The eager walk is a chain of CPU work: per VMA the tree steps and page_check_address
 * (`pre`), then the pte test and, where mapped, a folded pte-lock section whose stalls
 * and work are owed (`post`). Its effects happen at the "decision points" between `pre`
 * and `post`. The lazy walk:
 * - takes the VMAs from the tree at the start (the tree cannot change: the walker holds
 *   the i_mmap lock or the anon_vma lock; unlinking a VMA needs it);
 * - plans the rest of the walk from the state now: per step, `mapped`, the pte-lock
 *   stall (CacheLine.writeCost), rmap_one's result and done(), with the walker's
 *   forecast (`RmapWalker.planner`), which follows the walk's own effects;
 * - runs ONE compute of the planned work (`Scheduler.compute`), so the walker holds the
 *   CPU and the i_mmap lock exactly as long;
 * - applies each step at its instant: before the simulation processes any event at or
 *   after a step's time (`Simulation.hook`), the step runs with the clock set back to
 *   its time (`Scheduler.computeTimeAt`, exact under SMT re-timing), against the state
 *   at that instant: the effect, the pte lock's acquisition, cache-line access and
 *   lockstat hold are those of the eager walk;
 * - re-plans whenever another task changes what the plan read: the page's pte sets
 *   (`PteSet`), the pte locks of the steps to come (any access to their lock word,
 *   `Lock.watched`); and when a step turns out otherwise than planned. The compute is
 *   lengthened or shortened accordingly (`Scheduler.adjustCompute`): a re-plan after a
 *   change by another task happens at the instant of that change (a zero-delay timer),
 *   before any step it can affect.
 * - stops the lazy compute at a step whose pte lock is held (not foldable): the walker
 *   resumes there and runs that step as the eager walk does (spinning on the lock),
 *   then plans the rest.
 * Events per walk: 1 (+1 per re-plan after another task's change, +1 or more per busy
 * pte lock). Nothing is observed between events, so applying a step before the first
 * event at or after its time is as good as applying it at that time.
 *
 * Not exact: ties (an event of another task at exactly a step's time sees the step
 * applied; the eager order went by insertion order), and floating-point rounding of
 * times (one compute of a+b against two of a and b). A step that turns out otherwise
 * than planned although nothing reported a change (e.g. vm_flags changed by mprotect or
 * mlock meanwhile, or a pte-lock stall that depends on a miss in flight when planned)
 * re-times the walk from that step on; if that would end the walk before the current
 * event, it ends now (`lateEnds` counts these).
 */

// include/linux/rmap.h (values, not imported: rmap.ts imports this module)
const SWAP_AGAIN = 1;

/**
 * A plan covers at most this many steps; applying the last of them plans the next ones
 * (no event: the compute is lengthened). Re-plans after changes by others then cost
 * O(HORIZON) instead of O(N).
 */
let HORIZON = 64;

/** set the horizon (tests use small ones to exercise extensions); returns the old one */
export function setLazyRmapHorizon(n: number): number {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`lazy rmap horizon must be an integer >= 1, got ${n}`);
  const old = HORIZON;
  HORIZON = n;
  return old;
}

/** a VMA the walk visits (invalid_vma ones left out) and the tree steps counted up to it */
interface Step {
  vma: Vma;
  visits: number;
}

export interface LazyStats {
  /** walks run lazily */
  walks: number;
  /** steps applied by the hook (not as events) */
  steps: number;
  /** plans made after the first of a segment (changes by others, surprises) */
  replans: number;
  /** steps run eagerly because their pte lock was held */
  eagerSteps: number;
  /** walks whose end had already passed when a surprise re-timed them */
  lateEnds: number;
  /** steps forecast by all plans (the cost of planning) */
  planned: number;
  /** plans extended past their horizon */
  extensions: number;
  /** steps due at exactly the time of another task's event, applied before it (the eager order of such ties went by insertion order) */
  ties: number;
}

class LazyWalk {
  readonly steps: Step[] = [];
  finalVisits = 0;
  /** the next step not yet applied */
  next = 0;
  ret: SwapResult = SWAP_AGAIN;
  stopped = false;
  /** a segment (one compute) is in progress */
  active = false;
  /** total work of the segment's compute (ns), debt included */
  total = 0;
  /** work offset (in the segment) where step `next`'s tree steps and page-table walk begin */
  startOfNext = 0;
  // the plan, for steps planFrom .. planFrom + planX.length - 1
  planFrom = 0;
  planX: number[] = [];
  planMapped: boolean[] = [];
  planPost: number[] = [];
  planRet: SwapResult[] = [];
  planStop: boolean[] = [];
  /** the step before which the segment ends to run it eagerly (its pte lock is held), or -1 */
  eagerAt = -1;
  /** work offset where the planned segment ends */
  planEnd = 0;
  /** the plan stops at HORIZON steps with more to come (extended when its last step is applied) */
  horizon = false;
  /** what the plan read: reported changes make it dirty */
  planner: RmapPlanner | null = null;
  locks: SpinLock[] = [];
  /** watched pte locks → the last planned step that takes it */
  readonly lockSet = new Map<Lock, number>();
  pages: readonly Page[] = [];
  /** mms of the planned steps → the last such step */
  readonly mms = new Map<MmStruct, number>();
  dirty = false;

  constructor(
    readonly ctx: MmContext,
    readonly task: Task,
    readonly page: Page,
    readonly walker: RmapWalker,
  ) {}

  /** pre-work of step i: tree steps since the previous step, then page_check_address */
  pre(i: number): number {
    const c = this.ctx.costs;
    return (this.steps[i].visits - (i > 0 ? this.steps[i - 1].visits : 0)) * c.treeVisit + c.rmapOne;
  }

  /** the tree steps after the last VMA (the loop's final vma_interval_tree_iter_next) */
  tail(): number {
    const n = this.steps.length;
    return (this.finalVisits - (n > 0 ? this.steps[n - 1].visits : 0)) * this.ctx.costs.treeVisit;
  }
}

class LazyWalks {
  readonly walks: LazyWalk[] = [];
  readonly stats: LazyStats = { walks: 0, steps: 0, replans: 0, eagerSteps: 0, lateEnds: 0, planned: 0, extensions: 0, ties: 0 };

  /** the walk whose step is being applied (its own changes are not reports) */
  private current: LazyWalk | null = null;
  private timerArmed = false;

  constructor(readonly sim: Simulation) {}

  // ------------------------------------------------------------ segments

  /** plan from step `w.next` and register the segment; returns the work to compute */
  begin(w: LazyWalk, debt: number): void {
    w.startOfNext = debt;
    w.total = 0;
    this.plan(w, this.sim.now, false);
    w.total = w.planEnd;
    w.active = true;
    this.walks.push(w);
    // the compute starts now (progress 0), so the first step is due no earlier than now + its offset
    if (w.planX.length > 0) {
      const at = this.sim.now + w.planX[0];
      if (at < this.sim.hookAt) {
        this.sim.hook = this.settle;
        this.sim.hookAt = at;
      }
    }
  }

  /** the segment's compute is over: apply what is left of it, stop watching */
  finish(w: LazyWalk): void {
    // steps due at the end (rounding may put one a hair after it)
    const now = this.sim.now;
    while (!w.stopped && w.next < w.planFrom + w.planX.length) this.apply(w, now, true);
    w.active = false;
    this.unwatch(w);
    this.walks.splice(this.walks.indexOf(w), 1);
    this.install();
  }

  // ------------------------------------------------------------ planning

  /**
   * Plan from step `w.next`, whose pre-work starts at work offset `w.startOfNext`, with
   * the state at `now`. Sets the plan, `eagerAt`, `planEnd`, and the watches.
   */
  private plan(w: LazyWalk, now: number, computing: boolean): void {
    this.unwatch(w);
    const { ctx, task, page, walker } = w;
    const planner = walker.planner!(page);
    w.planner = planner;
    w.pages = planner.pages;
    for (const p of planner.pages) p.watched++;
    w.planFrom = w.next;
    w.planX = []; w.planMapped = []; w.planPost = []; w.planRet = []; w.planStop = [];
    w.eagerAt = -1;
    w.horizon = false;
    w.dirty = false;
    const hit = ctx.sched.machine.spec.latency.hit;
    const cpu = task.cpu.id;
    const owned = new Set<CacheLine>();
    let x = w.startOfNext;
    let end = -1;
    for (let i = w.next; i < w.steps.length; i++) {
      const vma = w.steps[i].vma;
      w.mms.set(vma.mm, i);
      const X = x + w.pre(i);
      const mapped = planner.mapped(vma);
      let post = 0;
      if (mapped) {
        const ptl = vma.mm.ptl(vma.addressOf(page.index)) as SpinLock; // lazy walks: spinlock ptls only (MmContext)
        if (!w.lockSet.has(ptl)) {
          w.locks.push(ptl);
          ptl.watched++;
        }
        w.lockSet.set(ptl, i);
        if (!ptl.foldable()) {
          w.eagerAt = i;
          end = X;
          break;
        }
        const line = ptl.line;
        const T = computing ? ctx.sched.computeTimeAt(task, w.total, X) : now + (X - w.startOfNext);
        const d1 = owned.has(line) ? hit : line.writeCost(cpu, T);
        owned.add(line);
        post = d1 + ctx.costs.rmapOneMapped + hit;
      }
      const r = planner.step(vma, mapped);
      bump(this.stats, 'planned');
      const stop = r !== SWAP_AGAIN || planner.done();
      w.planX.push(X);
      w.planMapped.push(mapped);
      w.planPost.push(post);
      w.planRet.push(r);
      w.planStop.push(stop);
      x = X + post;
      if (stop) {
        end = x;
        break;
      }
      if (w.planX.length === HORIZON && i + 1 < w.steps.length) {
        // plan no further: the hook extends the plan when it applies this step
        w.horizon = true;
        end = x;
        break;
      }
    }
    if (end < 0) end = x + w.tail();
    w.planEnd = end;
  }

  private unwatch(w: LazyWalk): void {
    for (const l of w.locks) l.watched--;
    w.locks = [];
    w.lockSet.clear();
    for (const p of w.pages) p.watched--;
    w.pages = [];
    w.mms.clear();
    w.planner = null;
  }

  /** plan again from the next step at the current time and re-time the compute */
  private replan(w: LazyWalk, extension = false): void {
    bump(this.stats, extension ? 'extensions' : 'replans');
    this.plan(w, this.sim.now, true);
    this.retime(w, w.planEnd);
  }

  private retime(w: LazyWalk, end: number): void {
    if (end === w.total) return;
    const delta = end - w.total;
    w.total = end;
    if (!w.ctx.sched.adjustCompute(w.task, delta)) bump(this.stats, 'lateEnds');
  }

  // ------------------------------------------------------------ applying steps

  /** apply step `w.next` at time `t` (the clock is set there by the caller) */
  private apply(w: LazyWalk, t: number, final = false): void {
    const { ctx, task, page, walker } = w;
    const i = w.next;
    const k = i - w.planFrom;
    const vma = w.steps[i].vma;
    const saved = this.sim.now;
    this.sim.now = t;
    this.current = w;
    ctx.vmstat.rmap_vmas_visited++;
    const mapped = walkerMapped(walker, page, vma);
    let r: SwapResult = SWAP_AGAIN;
    let post = 0;
    if (!mapped) r = walker.rmapOne(page, vma, false);
    else {
      const ptl = vma.mm.ptl(vma.addressOf(page.index)) as SpinLock;
      if (!ptl.foldable()) throw new Error(`lazy rmap walk of page ${page.index}: ${ptl.name} is held at a step planned as uncontended (a change went unreported)`);
      const debt = ctx.sched.owed(task);
      ptl.criticalFolded(task, 'rmap_one', () => {
        r = walker.rmapOne(page, vma, walkerMapped(walker, page, vma));
        return ctx.costs.rmapOneMapped;
      });
      post = ctx.sched.unstallTo(task, debt);
    }
    const stop = r !== SWAP_AGAIN || (walker.done?.(page) ?? false);
    bump(this.stats, 'steps');
    w.next = i + 1;
    w.ret = r;
    w.startOfNext = w.planX[k] + post;
    if (stop) w.stopped = true;
    const asPlanned = mapped === w.planMapped[k] && post === w.planPost[k] && r === w.planRet[k] && stop === w.planStop[k];
    if (final) {
      // the compute is over (a step due a rounding error after its end): nothing to re-time
      if (!asPlanned) bump(this.stats, 'lateEnds');
    } else if (stop) {
      if (!asPlanned) this.retime(w, w.startOfNext);
    } else if (!asPlanned || (w.horizon && k === w.planX.length - 1)) {
      // a surprise, or the last step of a plan that stopped at its horizon: plan on
      this.replan(w, asPlanned);
    }
    this.current = null;
    // others' plans that this step touched (a shared pte lock)
    for (const o of this.walks) if (o.dirty && o.active && !o.stopped) this.replan(o);
    this.sim.now = saved;
  }

  /** Simulation.hook: apply every step due by now, in time order */
  readonly settle = (next: unknown = null): void => {
    const now = this.sim.now;
    for (;;) {
      let best: LazyWalk | null = null;
      let bestT = Infinity;
      for (const w of this.walks) {
        const k = w.next - w.planFrom;
        if (w.stopped || k >= w.planX.length) continue;
        const T = w.ctx.sched.computeTimeAt(w.task, w.total, w.planX[k]);
        if (T <= now && T < bestT) {
          best = w;
          bestT = T;
        }
      }
      if (!best) break;
      if (bestT === now && next !== best.task.proc) bump(this.stats, 'ties');
      this.apply(best, bestT);
    }
    this.install();
  };

  /** set the simulation's hook time: the earliest a walk's next step can be due */
  private install(): void {
    const sim = this.sim;
    let at = Infinity;
    for (const w of this.walks) {
      const k = w.next - w.planFrom;
      if (w.stopped || k >= w.planX.length) continue;
      const t = w.task;
      // lower bound: speed is at most 1
      const lb = sim.now + (w.planX[k] - (w.total - t.workLeft) - (sim.now > t.segStart ? (sim.now - t.segStart) * t.rate : 0));
      if (lb < at) at = lb;
    }
    if (at === Infinity) {
      if (sim.hook === this.settle) {
        sim.hook = null;
        sim.hookAt = Infinity;
      }
      return;
    }
    sim.hook = this.settle;
    sim.hookAt = at;
  }

  // ------------------------------------------------------------ reports of changes

  lockTouched(lock: Lock): void {
    for (const w of this.walks) {
      if (w === this.current || w.dirty || w.stopped) continue;
      const last = w.lockSet.get(lock);
      if (last !== undefined && last >= w.next) this.markDirty(w);
    }
  }

  pageChanged(page: Page, kind: PteSetKind, mm: MmStruct | null): void {
    for (const w of this.walks) {
      if (w === this.current || w.dirty || w.stopped || !w.planner || !w.pages.includes(page) || !w.planner.kinds.includes(kind)) continue;
      if (w.planner.anyMm || mm === null || (w.mms.get(mm) ?? -1) >= w.next) this.markDirty(w);
    }
  }

  private markDirty(w: LazyWalk): void {
    w.dirty = true;
    if (this.current) return; // apply() re-plans it after the step
    if (this.timerArmed) return;
    this.timerArmed = true;
    // re-plan at this instant, once the event that made the change is over
    this.sim.at(0, () => {
      this.timerArmed = false;
      for (const o of this.walks) if (o.dirty && o.active && !o.stopped) this.replan(o);
      this.install();
    });
  }
}

const managers = new WeakMap<Simulation, LazyWalks>();
/** the counters of every simulation of this process, summed (benchmarks) */
const totals: LazyStats = { walks: 0, steps: 0, replans: 0, eagerSteps: 0, lateEnds: 0, planned: 0, extensions: 0, ties: 0 };

export function lazyRmapTotals(): LazyStats {
  return { ...totals };
}

function bump(s: LazyStats, k: keyof LazyStats): void {
  s[k]++;
  totals[k]++;
}

let hooked = false;

function manager(sim: Simulation): LazyWalks {
  if (!hooked) {
    // installed on first use, not at load: page.ts and rmap.ts import each other through model/context.ts
    hooked = true;
    setLockWatchHook((lock) => managers.get(lock.env.sim)?.lockTouched(lock));
    setPageChangeHook((page, kind, mm) => managers.get(page.ctx.sim)?.pageChanged(page, kind, mm));
  }
  let m = managers.get(sim);
  if (!m) managers.set(sim, (m = new LazyWalks(sim)));
  return m;
}

/** counters of the lazy walks of a simulation */
export function lazyRmapStats(sim: Simulation): LazyStats {
  return { ...manager(sim).stats };
}


/** walkTree (rmap.ts) as a lazy walk; the caller counted rmap_walks */
export function* lazyWalkTree(ctx: MmContext, task: Task, page: Page, tree: IntervalTree<Vma>, walker: RmapWalker): Proc<SwapResult> {
  const m = manager(ctx.sim);
  bump(m.stats, 'walks');
  const w = new LazyWalk(ctx, task, page, walker);
  const cur = tree.cursor();
  for (let node = cur.first(page.index, page.index); node !== null; node = cur.next()) {
    if (!walker.invalidVma?.(node.value)) w.steps.push({ vma: node.value, visits: cur.visits });
  }
  w.finalVisits = cur.visits;
  const gen = tree.generation;
  for (;;) {
    const debt = ctx.sched.owed(task);
    m.begin(w, debt);
    yield* ctx.sched.compute(task, w.total - debt);
    m.finish(w);
    if (tree.generation !== gen) throw new Error(`lazy rmap walk of page ${page.index}: the tree changed during the walk (the walker holds its lock)`);
    if (w.stopped || w.next >= w.steps.length) return w.ret;
    // the compute ended before the last step: at a held pte lock, or (rounding) at a horizon
    if (w.eagerAt !== w.next) continue;
    // a held pte lock: this step as the eager walk runs it (pre-work done in the segment)
    bump(m.stats, 'eagerSteps');
    const vma = w.steps[w.next].vma;
    ctx.vmstat.rmap_vmas_visited++;
    const r = yield* rmapOneTail(ctx, task, page, vma, walker);
    w.next++;
    w.ret = r;
    if (r !== SWAP_AGAIN || walker.done?.(page)) return r;
  }
}
