/**
 * The measurement of one aim7 load point (reaim's driver.c; docs/reference/aim7.md §1).
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
import type { MmContext } from '../../mm';
import { jpm as reaimJpm, type Quotas } from '../reaim';

export interface TestStat {
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

/** when the measurement starts (reset lockstat there) and when a window ends (stop the run there) */
export interface LoadPointHooks { windowStart(ns: number): void; stopAt(ns: number): void }

/** what the measurement needs of the load point's options */
export interface MeasureOptions { users: number; estimate: 'window' | 'full'; warmupTasks: number; windowTasks: number }

/**
 * The measurement of one load point: the driver reports the start signal, each child's
 * test starts and ends and its exit; `result` gives the load point's JPM and counters.
 */
export class LoadPointMeasure {
  /** per test, what the window saw of it */
  private readonly stats = new Map<string, TestStat>();
  /** per child, the test it is running and since when */
  private readonly current: ({ test: string; start: number } | null)[];
  /** the children's exit times */
  readonly exits: number[] = [];
  private startNs = NaN;
  /** the window: [ws, we) */
  private ws = Infinity;
  private we = Infinity;
  // window estimate: completions counted toward the warm-up, then toward the window
  private warmupGoal = Infinity;
  private windowGoal = Infinity;
  private completed = 0;
  // every test's completions since the start: the warm-up and the window each last at
  // least twice the longest mean test duration seen, so the long tests (shell_rtns_2's
  // sleep 5, fork_test) reach their steady-state share and are measured
  private readonly sinceStart = new Map<string, { n: number; sum: number }>();
  private readonly testsInMix: string[];
  private migratedAtWs = 0;
  private migratedAtWe = 0;

  constructor(private readonly ctx: MmContext, private readonly o: MeasureOptions, private readonly quotas: Quotas, private readonly hooks: LoadPointHooks) {
    this.current = new Array(o.users).fill(null);
    this.testsInMix = quotas.perTest.filter((q) => q.quota > 0).map((q) => q.test as string);
  }

  private stat(t: string): TestStat {
    let s = this.stats.get(t);
    if (!s) this.stats.set(t, (s = { timeNs: 0, starts: 0, ends: 0, n: 0, sum: 0, sumSq: 0 }));
    return s;
  }

  /** whether `elapsed` is at least twice the longest mean duration of the tests in the mix, each seen once */
  private settled(elapsed: number): boolean {
    let longest = 0;
    for (const t of this.testsInMix) {
      const x = this.sinceStart.get(t);
      if (!x) return false;
      longest = Math.max(longest, x.sum / x.n);
    }
    return elapsed >= 2 * longest;
  }

  /** every test of the mix seen starting or ending 6 times in the window */
  private windowCovers(): boolean {
    for (const t of this.testsInMix) { const st = this.stats.get(t); if (!st || st.starts + st.ends < 6) return false; }
    return true;
  }

  /** the driver's start signal, at `now` */
  start(now: number): void {
    this.startNs = now;
    if (this.o.estimate === 'window') {
      this.warmupGoal = Math.max(1, Math.round(this.o.warmupTasks * this.o.users));
      if (this.o.warmupTasks === 0) this.openWindow();
    } else {
      this.hooks.windowStart(this.startNs);
    }
  }

  /** child `i` starts `test` at `s` */
  testStarted(i: number, test: string, s: number): void {
    this.current[i] = { test, start: s };
    if (s >= this.ws && s < this.we) this.stat(test).starts++;
  }

  /** child `i` ended `test`, started at `s`, at `e` */
  testEnded(i: number, test: string, s: number, e: number): void {
    this.current[i] = null;
    this.completed++;
    const seen = this.sinceStart.get(test) ?? { n: 0, sum: 0 };
    seen.n++; seen.sum += e - s;
    this.sinceStart.set(test, seen);
    if (this.ws === Infinity && this.completed >= this.warmupGoal && this.settled(e - this.startNs)) this.openWindow();
    else if (this.we === Infinity && this.completed >= this.windowGoal && this.settled(e - this.ws) && this.windowCovers()) this.closeWindowAt(e);
    const { ws, we } = this;
    if (e > ws && s < we) {
      const st = this.stat(test);
      st.timeNs += Math.min(e, we) - Math.max(s, ws);
      if (e < we) st.ends++;
      if (s >= ws && e < we) { const d = e - s; st.n++; st.sum += d; st.sumSq += d * d; }
    }
  }

  private openWindow(): void {
    this.ws = this.ctx.sim.now;
    this.completed = 0;
    this.warmupGoal = Infinity;
    this.windowGoal = Math.max(1, Math.round(this.o.windowTasks * this.o.users));
    this.migratedAtWs = this.ctx.vmstat.numa_pages_migrated;
    this.hooks.windowStart(this.ws);
  }

  /** the window ends at `e`; set at the next zero-delay event, after the task that just ended was counted in it */
  private closeWindowAt(e: number): void {
    this.ctx.sim.at(0, () => {
      this.we = e;
      this.migratedAtWe = this.ctx.vmstat.numa_pages_migrated;
      for (const c of this.current) if (c && c.start < this.we) this.stat(c.test).timeNs += this.we - Math.max(c.start, this.ws);
      this.hooks.stopAt(this.we);
    });
  }

  /** the load point's result, after the simulation ran; `counters`: the run's own, added to the measurement's */
  result(counters: Record<string, number>): LoadPointResult {
    // a window estimate whose window never closed ran every child to its end: report that
    const fellBack = this.o.estimate === 'window' && this.we === Infinity && this.exits.length === this.o.users;
    return this.o.estimate === 'full' || fellBack ? this.fullResult(counters, fellBack) : this.windowResult(counters);
  }

  private fullResult(counters: Record<string, number>, fellBack: boolean): LoadPointResult {
    const { ctx, exits, startNs } = this;
    const N = this.o.users, Q = this.quotas.tasksPerChild;
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

  private windowResult(counters: Record<string, number>): LoadPointResult {
    const { ws, we, stats, startNs } = this;
    const N = this.o.users, Q = this.quotas.tasksPerChild;
    if (!(we < Infinity) || this.ctx.sim.now < we) throw new Error('aim7: the window did not end (the run stopped before it)');
    // Little's law with the random order's mix: every test starts at rate λ·q_t/Q, so the
    // child makespan is N·Q/λ with λ the pooled task rate ((starts + ends) / 2 per ns)
    let events = 0;
    for (const st of stats.values()) events += (st.starts + st.ends) / 2;
    if (events === 0) throw new Error('aim7 window: no task started or ended in the window; raise windowTasks');
    const pooledNs = (N * Q * (we - ws)) / events;
    const meanNs = estimateMakespan(this.quotas.perTest, stats);
    const sdNs = estimateMakespanSd(this.quotas.perTest, stats);
    // reaim's JPM uses the LAST child: the expected maximum of N child makespans, each the
    // mean plus independent task-duration noise (Blom's approximation of E[max of N normals])
    const makespanNs = meanNs + sdNs * expectedMaxNormal(N);
    const windowNs = we - ws;
    const migrated = this.migratedAtWe - this.migratedAtWs;
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
  }
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
