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

interface LockState {
  total: number;
  last: number;
  bySite: Map<string, number>;
}

export class SiteOverlap {
  private readonly locks = new Map<object, LockState>();
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
    const h = (l.bySite.get(site) ?? 0) + 1;
    l.bySite.set(site, h);
    l.total++;
    const s = this.site(site);
    s.acquisitions++;
    if (h > s.maxHolders) s.maxHolders = h;
  }

  exit(lock: object, site: string, now: number): void {
    const l = this.advance(lock, now);
    const h = l.bySite.get(site) ?? 0;
    if (h <= 0) return; // taken without immapLock (e.g. mapping.lock.acquire directly): not tracked
    if (h === 1) l.bySite.delete(site);
    else l.bySite.set(site, h - 1);
    l.total--;
  }

  /** account the interval since the lock's last change */
  private advance(lock: object, now: number): LockState {
    let l = this.locks.get(lock);
    if (!l) {
      this.locks.set(lock, (l = { total: 0, last: now, bySite: new Map() }));
      return l;
    }
    const dt = now - l.last;
    if (dt > 0) {
      for (const [site, h] of l.bySite) {
        const s = this.site(site);
        s.busyNs += dt;
        if (l.total >= 2) s.concurrentNs += dt;
        if (h >= 2) s.sameSiteNs += dt;
      }
    }
    l.last = now;
    return l;
  }
}
