/**
 * reaim's driver for one load point (driver.c runloop; docs/reference/aim7.md §1): the
 * driver process (an exec of the reaim binary) forks N children, which wait for the start
 * signal; after its 1 s sleep the driver signals them all; each child runs its tasks
 * (quota per test, seeded random order) and exits; the driver waits for the last one.
 * JPM = tasks per child × 60 × N / (start → last exit).
 *
 * Two estimates:
 * - `full`: every child runs to its end; JPM is reaim's, from the last exit.
 * - `window`: a steady-state estimate. After a warm-up (until the children have finished
 *   `warmupTasks` tasks each on average AND twice the longest mean test duration has
 *   passed, so the synchronised start is behind), a window is measured until `windowTasks`
 *   more per child have finished, twice the longest mean test duration has passed and
 *   every test was seen starting or ending at least 6 times: per test t, the child-time spent in it within the window (T_t) and its
 *   starts and ends there; its mean duration d_t = T_t / ((starts + ends) / 2) (a renewal
 *   ratio: in a stationary mix starts and ends balance). A child's expected makespan is
 *   Σ_t quota_t × d_t (tests seen fewer than 3 times share a pooled d). JPM follows with
 *   that makespan. reaim's JPM uses the LAST child: the estimate adds sd × E[max of N
 *   standard normals], the sd from the variance of each test's duration in the window.
 *   Counters seen in the window (NUMA migrations) are scaled to the whole run. If the
 *   children all finish before the window closes (few users), the run was a full one and
 *   is reported as such (counter window_fell_back = 1). The
 *   shortcut's error against full runs is measured by `mmlock reproduce --validate`.
 */
import type { Task } from '../../sched';
import { ElfFiles, dsoLayout, exec, fork, pageFault, vmMmap, VM_READ, VM_WRITE, withCleanDataPages, type MmContext, type MmStruct } from '../../mm';
import { computeQuotas, diskIterationCount, childOrder, MMTESTS_FILESIZE_KIB, MMTESTS_POOLSIZE_KIB, jpm as reaimJpm, type Workfile } from '../reaim';
import { Rng, type Proc } from '../../engine';
import { FileSystem, FS_COST_NAMES, type FsCosts } from '../../fs';
import { exitProc, runOps, type OpWorld, type UserProcess } from './ops';
import type { Aim7Costs, CostName, Dir, TestDefs } from './spec';

/**
 * Anonymous pages of a reaim child, measured (docs/reference/reaim-measured.md §2, smaps_rollup
 * of disk children): Anonymous 324–340 KB, of which 212 KB Shared_Dirty with the driver (53
 * pages the driver wrote before forking) and the rest, 112–128 KB (28–32 pages [U: range]),
 * the child's own. The model's page tables hold fewer (exec's COW'd data pages, stack): with
 * anonymous NUMA balancing on, the driver and each child write heap pages up to these.
 */
export const CHILD_SHARED_ANON_PAGES = 53;

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
export const CHILD_PRIVATE_ANON_PAGES = 30;

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

interface TestStat {
  timeNs: number; starts: number; ends: number;
  /** tasks that started and ended in the window: count, Σ duration, Σ duration² (ns) */
  n: number; sum: number; sumSq: number;
}

export interface LoadPointResult {
  tasksPerChild: number;
  /** start signal → last exit (full), or the estimated mean child makespan (window), s */
  makespanS: number;
  jpm: number;
  /** full runs: mean child makespan, s */
  meanChildS: number | null;
  counters: Record<string, number>;
}

/**
 * Set up one load point on `ctx` and return `finish`, to call after the simulation ran.
 * `hooks.windowStart` is called when the measurement starts (the start signal for a full
 * run, the end of the warm-up for a window: reset lockstat there) and `hooks.stopAt` when a
 * window ends (stop the run there).
 */
export function setupLoadPoint(ctx: MmContext, o: LoadPointOptions, hooks: { windowStart(ns: number): void; stopAt(ns: number): void }): () => LoadPointResult {
  const { sched, sim } = ctx;
  const N = o.users;
  const quotas = computeQuotas(o.workfile, o.jobs);
  const Q = quotas.tasksPerChild;
  for (const { test, quota } of quotas.perTest) {
    if (quota > 0 && !o.tests[test]) throw new Error(`aim7: the workfile's test ${test} has no definition in the tests file`);
  }
  const cost = (n: CostName) => o.costs[n].value * (o.costs[n].io ? o.ioScale : 1);
  const fs = new FileSystem<Dir>(ctx, AIM7_DIRS, fsCosts(cost), o.logGroupCommit ?? true);
  const libcWhatIf = o.libcCleanPages === undefined ? null : withCleanDataPages(dsoLayout('libc.so.6'), o.libcCleanPages);
  const elf = new ElfFiles(ctx, 0, libcWhatIf ? (n) => (n === 'libc.so.6' ? libcWhatIf : dsoLayout(n)) : dsoLayout);
  const anonNuma = o.numa && (o.numaAnon ?? true);
  if (anonNuma) ctx.numa.anon.touchIntervalNs = o.touchIntervalUs * 1e3;
  let names = 0;
  const w: OpWorld = {
    ctx, elf, fs,
    shmSetupUs: cost('shmSetupUs'),
    userUnitNs: o.userUnitMs * 1e6,
    diskKiB: diskIterationCount(MMTESTS_FILESIZE_KIB, MMTESTS_POOLSIZE_KIB, N),
    shellForksLast: o.shellForksLast,
    numa: o.numa,
    touchIntervalNs: o.touchIntervalUs * 1e3,
    newName: (prefix) => `${prefix}.${++names}`,
  };
  const stats = new Map<string, TestStat>();
  const stat = (t: string) => { let s = stats.get(t); if (!s) stats.set(t, (s = { timeNs: 0, starts: 0, ends: 0, n: 0, sum: 0, sumSq: 0 })); return s; };
  const current: ({ test: string; start: number } | null)[] = new Array(N).fill(null);
  const exits: number[] = [];
  let startNs = NaN, ws = Infinity, we = Infinity;
  // window estimate: completions counted toward the warm-up, then toward the window
  let warmupGoal = Infinity, windowGoal = Infinity, completed = 0;
  // every test's completions since the start: the warm-up and the window each last at
  // least twice the longest mean test duration seen, so the long tests (shell_rtns_2's
  // sleep 5, fork_test) reach their steady-state share and are measured
  const sinceStart = new Map<string, { n: number; sum: number }>();
  const testsInMix = quotas.perTest.filter((q) => q.quota > 0).map((q) => q.test as string);
  const settled = (elapsed: number) => {
    let longest = 0;
    for (const t of testsInMix) {
      const x = sinceStart.get(t);
      if (!x) return false;
      longest = Math.max(longest, x.sum / x.n);
    }
    return elapsed >= 2 * longest;
  };
  const windowCovers = () => {
    for (const t of testsInMix) { const st = stats.get(t); if (!st || st.starts + st.ends < 6) return false; }
    return true;
  };
  let migratedAtWs = 0, migratedAtWe = 0;
  let driver!: Task;
  const children: Task[] = [];
  let started = false;

  sched.spawn('reaim', function* (t) {
    driver = t;
    const mm = yield* exec(ctx, t, null, elf.spec('reaim'), 'reaim');
    for (let p = mm.startBrk - 4; p < mm.startBrk; p++) yield* pageFault(ctx, t, mm, p, true); // its bss, dirtied before forking
    // anonymous NUMA balancing: the driver's anonymous pages a child inherits (COW-shared)
    if (anonNuma) yield* dirtyHeap(t, mm, CHILD_SHARED_ANON_PAGES - mm.pt.anon);
    for (let i = 0; i < N; i++) yield* forkChild(t, mm, i);
    // sleep(1), then kill(0, SIGUSR1)
    yield* sched.sleep(t, 1e9);
    startNs = sim.now;
    started = true;
    if (o.estimate === 'window') {
      warmupGoal = Math.max(1, Math.round(o.warmupTasks * N));
      if (o.warmupTasks === 0) openWindow();
    } else {
      hooks.windowStart(startNs);
    }
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
      if (anonNuma) yield* dirtyHeap(c, childMm, CHILD_PRIVATE_ANON_PAGES); // the child's own, first touched where it runs
      for (const test of order) {
        const s = sim.now;
        current[i] = { test, start: s };
        if (s >= ws && s < we) stat(test).starts++;
        yield* runOps(w, p, o.tests[test]!);
        const e = sim.now;
        current[i] = null;
        completed++;
        const seen = sinceStart.get(test) ?? { n: 0, sum: 0 };
        seen.n++; seen.sum += e - s;
        sinceStart.set(test, seen);
        if (ws === Infinity && completed >= warmupGoal && settled(e - startNs)) openWindow();
        else if (we === Infinity && completed >= windowGoal && settled(e - ws) && windowCovers()) closeWindowAt(e);
        if (e > ws && s < we) {
          const st = stat(test);
          st.timeNs += Math.min(e, we) - Math.max(s, ws);
          if (e < we) st.ends++;
          if (s >= ws && e < we) { const d = e - s; st.n++; st.sum += d; st.sumSq += d * d; }
        }
      }
      yield* exitProc(w, p);
      exits.push(sim.now);
      if (exits.length === N && sched.wake(driver)) yield* sched.compute(c, sched.params.wakeupCost);
    }));
  }

  /**
   * map `n` anonymous pages and write them (anonymous faults). An anonymous mmap, not brk:
   * in the model's layout ld.so is mapped right after the brk of reaim, so its heap cannot grow.
   */
  function* dirtyHeap(t: Task, mm: MmStruct, n: number): Proc {
    if (n <= 0) return;
    const vma = yield* vmMmap(ctx, t, mm, { file: null, pgoff: 0, pages: n, flags: VM_READ | VM_WRITE });
    for (let p = vma.start; p < vma.end; p++) yield* pageFault(ctx, t, mm, p, true);
  }

  function openWindow() {
    ws = sim.now;
    completed = 0;
    warmupGoal = Infinity;
    windowGoal = Math.max(1, Math.round(o.windowTasks * N));
    migratedAtWs = ctx.vmstat.numa_pages_migrated;
    hooks.windowStart(ws);
  }

  /** the window ends at `e`; set at the next zero-delay event, after the task that just ended was counted in it */
  function closeWindowAt(e: number) {
    sim.at(0, () => {
      we = e;
      migratedAtWe = ctx.vmstat.numa_pages_migrated;
      closeWindow();
      hooks.stopAt(we);
    });
  }

  function closeWindow() {
    for (const c of current) if (c && c.start < we) stat(c.test).timeNs += we - Math.max(c.start, ws);
  }

  return () => {
    const counters: Record<string, number> = {
      syncs: fs.stats.syncs, writeback_items: fs.writeback.stats.items, log_forces: fs.log.stats.forces, log_writes: fs.log.stats.writes,
      forks: ctx.vmstat.forks, execs: ctx.vmstat.execs, disk_kib: w.diskKiB,
      compact_stall: ctx.vmstat.compact_stall, compact_isolated: ctx.vmstat.compact_isolated,
      compact_isolated_file: ctx.vmstat.compact_isolated_file,
      sleep_page_locked_s: ctx.vmstat.page_locked_wait_ns / 1e9,
    };
    // a window estimate whose window never closed ran every child to its end: report that
    const fellBack = o.estimate === 'window' && we === Infinity && exits.length === N;
    if (o.estimate === 'full' || fellBack) {
      if (exits.length < N) throw new Error(`aim7: only ${exits.length} of ${N} children exited`);
      const real = (Math.max(...exits) - startNs) / 1e9;
      const mean = exits.reduce((a, b) => a + b - startNs, 0) / N / 1e9;
      return {
        tasksPerChild: Q, makespanS: real, meanChildS: mean, jpm: reaimJpm(Q, N, real),
        counters: {
          ...counters,
          numa_pages_migrated: ctx.vmstat.numa_pages_migrated,
          // the rest of NUMA balancing and migration, whole run (/proc/vmstat names)
          numa_pte_updates: ctx.vmstat.numa_pte_updates,
          numa_hint_faults: ctx.vmstat.numa_hint_faults,
          numa_hint_faults_local: ctx.vmstat.numa_hint_faults_local,
          pgmigrate_success: ctx.vmstat.pgmigrate_success,
          pgmigrate_fail: ctx.vmstat.pgmigrate_fail,
          rmap_walks: ctx.vmstat.rmap_walks,
          rmap_vmas_visited: ctx.vmstat.rmap_vmas_visited,
          window_fell_back: fellBack ? 1 : 0,
        },
      };
    }
    if (!(we < Infinity) || sim.now < we) throw new Error('aim7: the window did not end (the run stopped before it)');
    // Little's law with the random order's mix: every test starts at rate λ·q_t/Q, so the
    // child makespan is N·Q/λ with λ the pooled task rate ((starts + ends) / 2 per ns)
    let events = 0;
    for (const st of stats.values()) events += (st.starts + st.ends) / 2;
    if (events === 0) throw new Error('aim7 window: no task started or ended in the window; raise windowTasks');
    const pooledNs = (N * Q * (we - ws)) / events;
    const meanNs = estimateMakespan(quotas.perTest, stats);
    const sdNs = estimateMakespanSd(quotas.perTest, stats);
    // reaim's JPM uses the LAST child: the expected maximum of N child makespans, each the
    // mean plus independent task-duration noise (Blom's approximation of E[max of N normals])
    const makespanNs = meanNs + sdNs * expectedMaxNormal(N);
    const windowNs = we - ws;
    const migrated = migratedAtWe - migratedAtWs;
    return {
      tasksPerChild: Q, makespanS: makespanNs / 1e9, meanChildS: null, jpm: (Q * 60 * N) / (makespanNs / 1e9),
      counters: {
        ...counters,
        numa_pages_migrated: Math.round((migrated / windowNs) * makespanNs),
        numa_pages_migrated_window: migrated,
        makespan_mean_s: meanNs / 1e9,
        makespan_pooled_s: pooledNs / 1e9,
        window_s: (we - ws) / 1e9,
        warmup_s: (ws - startNs) / 1e9,
        makespan_sd_s: sdNs / 1e9,
        window_task_starts: [...stats.values()].reduce((a, s) => a + s.starts, 0),
        window_fell_back: 0,
      },
    };
  };
}

/** Σ_t quota_t × d_t, d_t = T_t / ((starts + ends) / 2); tests seen < 3 times share a pooled d */
export function estimateMakespan(perTest: readonly { test: string; quota: number }[], stats: ReadonlyMap<string, TestStat>): number {
  let pooledT = 0, pooledN = 0, total = 0, pooledQ = 0;
  for (const { test, quota } of perTest) {
    if (quota === 0) continue;
    const s = stats.get(test);
    const n = s ? (s.starts + s.ends) / 2 : 0;
    if (s && n >= 3) total += quota * (s.timeNs / n);
    else { pooledQ += quota; pooledT += s?.timeNs ?? 0; pooledN += n; }
  }
  if (pooledQ > 0) {
    if (pooledN === 0) throw new Error('aim7 window: some tests were never seen in the window; raise windowTasks');
    total += pooledQ * (pooledT / pooledN);
  }
  return total;
}

/** sd of one child's makespan: sqrt(Σ_t quota_t × Var(d_t)), from tasks wholly inside the window (tests seen < 2 times: pooled) */
export function estimateMakespanSd(perTest: readonly { test: string; quota: number }[], stats: ReadonlyMap<string, TestStat>): number {
  let v = 0, pooledQ = 0, pn = 0, ps = 0, pss = 0;
  for (const { test, quota } of perTest) {
    if (quota === 0) continue;
    const s = stats.get(test);
    if (s && s.n >= 2) v += quota * Math.max(0, (s.sumSq - (s.sum * s.sum) / s.n) / (s.n - 1));
    else { pooledQ += quota; if (s) { pn += s.n; ps += s.sum; pss += s.sumSq; } }
  }
  if (pooledQ > 0 && pn >= 2) v += pooledQ * Math.max(0, (pss - (ps * ps) / pn) / (pn - 1));
  return Math.sqrt(v);
}

/** E[max of n standard normals] by Blom's formula Φ⁻¹((n − 0.375) / (n + 0.25)); 0 for n = 1 */
export function expectedMaxNormal(n: number): number {
  return n <= 1 ? 0 : normalQuantile((n - 0.375) / (n + 0.25));
}

/** Φ⁻¹(p), Acklam's rational approximation (relative error < 1.2e-9) */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5, r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
