/**
 * lockstat-style statistics (Documentation/locking/lockstat.txt), kept per lock class
 * and per call site: acquisitions by mode, contentions, wait and hold time
 * distributions, spin vs sleep time, and cache-line bounces across sockets.
 */

/** A distribution: count, sum, min, max and log2 buckets (bucket i: [2^i, 2^(i+1)) ns). */
export class Distribution {
  count = 0;
  sum = 0;
  min = Infinity;
  max = 0;
  readonly buckets = new Float64Array(48);

  add(ns: number): void {
    this.count++;
    this.sum += ns;
    if (ns < this.min) this.min = ns;
    if (ns > this.max) this.max = ns;
    const b = ns < 1 ? 0 : Math.min(47, Math.floor(Math.log2(ns)));
    this.buckets[b]++;
  }

  get mean(): number {
    return this.count ? this.sum / this.count : 0;
  }

  /**
   * approximate quantile from the log2 buckets: the upper bound of the bucket holding the
   * nearest-rank value, clamped to [min, max]
   */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = q * this.count;
    let acc = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      acc += this.buckets[i];
      // acc > 0: an empty leading bucket is no answer (quantile(0) was 2 whatever the values)
      if (acc > 0 && acc >= target) return Math.max(this.min, Math.min(this.max, 2 ** (i + 1)));
    }
    return this.max;
  }

  merge(o: Distribution): void {
    this.count += o.count;
    this.sum += o.sum;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
    for (let i = 0; i < this.buckets.length; i++) this.buckets[i] += o.buckets[i];
  }
}

export type LockMode = 'read' | 'write';

export class LockSiteStats {
  acquisitions = { read: 0, write: 0 };
  /** acquisitions that could not take the lock at once */
  contentions = { read: 0, write: 0 };
  readonly wait = new Distribution();
  readonly hold = new Distribution();
  /** ns spent spinning (optimistic spin, spinlock) while acquiring */
  spin = 0;
  /** ns spent asleep (wait list) while acquiring */
  sleep = 0;
  /** cache-line misses served from another socket, charged to this site's operations */
  crossSocket = 0;

  merge(o: LockSiteStats): void {
    this.acquisitions.read += o.acquisitions.read;
    this.acquisitions.write += o.acquisitions.write;
    this.contentions.read += o.contentions.read;
    this.contentions.write += o.contentions.write;
    this.wait.merge(o.wait);
    this.hold.merge(o.hold);
    this.spin += o.spin;
    this.sleep += o.sleep;
    this.crossSocket += o.crossSocket;
  }
}

/** A flat row for tables: one per (class, site). */
export interface LockStatRow {
  lockClass: string;
  site: string;
  acqRead: number;
  acqWrite: number;
  contRead: number;
  contWrite: number;
  waitTotalNs: number;
  waitMeanNs: number;
  waitMaxNs: number;
  holdTotalNs: number;
  holdMeanNs: number;
  holdMaxNs: number;
  spinNs: number;
  sleepNs: number;
  crossSocket: number;
  /**
   * acquisitions at this site that found the lock taken and were still waiting (spinning
   * or asleep) when the rows were taken — for a run, the end of its measured window; not
   * in contRead/contWrite, which count waits that ended in an acquisition
   */
  waitingRead: number;
  waitingWrite: number;
  /** how long those had waited so far, summed (ns) */
  waitingNs: number;
}

/** what LockStat.rows needs of an acquisition still waiting */
export interface WaitingOp {
  cls: string;
  site: string;
  mode: LockMode;
  t0: number;
}

/** All statistics of one simulation, by class then site. */
export class LockStat {
  readonly classes = new Map<string, Map<string, LockSiteStats>>();

  site(lockClass: string, site: string): LockSiteStats {
    let c = this.classes.get(lockClass);
    if (!c) this.classes.set(lockClass, (c = new Map()));
    let s = c.get(site);
    if (!s) c.set(site, (s = new LockSiteStats()));
    return s;
  }

  /** totals of one class over its sites */
  classTotal(lockClass: string): LockSiteStats {
    const t = new LockSiteStats();
    for (const s of this.classes.get(lockClass)?.values() ?? []) t.merge(s);
    return t;
  }

  /**
   * One row per (class, site), sorted. `waiting` (LockEnv.waiting) adds the acquisitions
   * still waiting at time `now`; a site with only such waiters gets a row of its own.
   */
  rows(waiting: Iterable<WaitingOp> = [], now = 0): LockStatRow[] {
    const w = new Map<LockSiteStats, { read: number; write: number; ns: number }>();
    for (const op of waiting) {
      const s = this.site(op.cls, op.site);
      let e = w.get(s);
      if (!e) w.set(s, (e = { read: 0, write: 0, ns: 0 }));
      e[op.mode]++;
      e.ns += now - op.t0;
    }
    const out: LockStatRow[] = [];
    for (const cls of [...this.classes.keys()].sort()) {
      const sites = this.classes.get(cls)!;
      for (const site of [...sites.keys()].sort()) {
        const s = sites.get(site)!;
        const ws = w.get(s);
        out.push({
          lockClass: cls,
          site,
          acqRead: s.acquisitions.read,
          acqWrite: s.acquisitions.write,
          contRead: s.contentions.read,
          contWrite: s.contentions.write,
          waitTotalNs: s.wait.sum,
          waitMeanNs: s.wait.mean,
          waitMaxNs: s.wait.count ? s.wait.max : 0,
          holdTotalNs: s.hold.sum,
          holdMeanNs: s.hold.mean,
          holdMaxNs: s.hold.count ? s.hold.max : 0,
          spinNs: s.spin,
          sleepNs: s.sleep,
          crossSocket: s.crossSocket,
          waitingRead: ws?.read ?? 0,
          waitingWrite: ws?.write ?? 0,
          waitingNs: ws?.ns ?? 0,
        });
      }
    }
    return out;
  }
}
