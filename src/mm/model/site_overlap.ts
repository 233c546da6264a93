/**
 * How much the holders of one i_mmap lock overlapped in time, per call site: the mechanism
 * a read-mode conversion is supposed to buy. Fed by MmContext.immapLock/immapUnlock (every
 * i_mmap acquisition), so it needs no cooperation from the operations.
 *
 * Per site s, summed over all address_spaces:
 * - `busyNs`: time some task held the lock at s;
 * - `sameSiteNs`: time two or more tasks held the SAME lock at s at once (e.g. two
 *   huge_pmd_share walks of one file) — only possible when s takes it for read;
 * - `concurrentNs`: time a holder at s shared the lock with any other holder (any site);
 * - `maxHolders`: the most simultaneous holders of one lock at s.
 */
export interface SiteOverlapStats {
  acquisitions: number;
  busyNs: number;
  sameSiteNs: number;
  concurrentNs: number;
  maxHolders: number;
}

/** one lock's holders now, by site (parallel arrays: a lock has one or two holders at a time) */
interface LockState {
  total: number;
  last: number;
  sites: string[];
  counts: number[];
}

export class SiteOverlap {
  /** per lock; weak, so that the state of a file that is gone goes with it */
  private readonly locks = new WeakMap<object, LockState>();
  private readonly sites = new Map<string, SiteOverlapStats>();

  /** statistics of `site` (zeros if never seen) */
  site(site: string): SiteOverlapStats {
    let s = this.sites.get(site);
    if (!s) this.sites.set(site, (s = { acquisitions: 0, busyNs: 0, sameSiteNs: 0, concurrentNs: 0, maxHolders: 0 }));
    return s;
  }

  /** every site seen, sorted */
  all(): Record<string, SiteOverlapStats> {
    const out: Record<string, SiteOverlapStats> = {};
    for (const k of [...this.sites.keys()].sort()) out[k] = { ...this.sites.get(k)! };
    return out;
  }

  enter(lock: object, site: string, now: number): void {
    const l = this.advance(lock, now);
    let i = l.sites.indexOf(site);
    if (i < 0) {
      i = l.sites.length;
      l.sites.push(site);
      l.counts.push(0);
    }
    const h = ++l.counts[i]!;
    l.total++;
    const s = this.site(site);
    s.acquisitions++;
    if (h > s.maxHolders) s.maxHolders = h;
  }

  exit(lock: object, site: string, now: number): void {
    const l = this.advance(lock, now);
    const i = l.sites.indexOf(site);
    if (i < 0) return; // taken without immapLock (e.g. mapping.lock.acquire directly): not tracked
    if (--l.counts[i]! === 0) {
      // the site has no holder left: swap-remove it (the order of sites does not matter)
      const last = l.sites.length - 1;
      l.sites[i] = l.sites[last]!;
      l.counts[i] = l.counts[last]!;
      l.sites.pop();
      l.counts.pop();
    }
    l.total--;
  }

  /** account the interval since the lock's last change */
  private advance(lock: object, now: number): LockState {
    let l = this.locks.get(lock);
    if (!l) {
      this.locks.set(lock, (l = { total: 0, last: now, sites: [], counts: [] }));
      return l;
    }
    const dt = now - l.last;
    if (dt > 0) {
      for (let i = 0; i < l.sites.length; i++) {
        const s = this.site(l.sites[i]!);
        s.busyNs += dt;
        if (l.total >= 2) s.concurrentNs += dt;
        if (l.counts[i]! >= 2) s.sameSiteNs += dt;
      }
    }
    l.last = now;
    return l;
  }
}
