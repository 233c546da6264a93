import type { Machine } from './machine';

const INVALID = 0, SHARED = 1, MODIFIED = 2;

export interface CacheLineStats {
  /** reads + writes, hits included */
  accesses: number;
  /** accesses that cost more than `hit`: fetches, and upgrades that invalidate other copies */
  misses: number;
  /**
   * misses that reached another socket: the line came from a cache or DRAM there, or (a
   * write) a copy there had to be invalidated
   */
  crossSocket: number;
  /** total ns misses spent waiting for the line behind earlier misses */
  queued: number;
}

/**
 * A line's CacheLineStats, zeroed. A class, not an object literal: `queued` starts as a
 * small integer and later holds fractions, and V8 then deprecates a literal's shape and
 * migrates every new copy of it on first use (a line is made for every lock); a class's
 * instances take the updated shape.
 */
class CacheLineCounters implements CacheLineStats {
  accesses = 0;
  misses = 0;
  crossSocket = 0;
  queued = 0;
}

/** What `CacheLine.snapshot()` returns. */
export interface CacheLineSnapshot {
  /** 'invalid': only in memory; 'shared': read-only copies; 'modified': one dirty copy */
  state: 'invalid' | 'shared' | 'modified';
  /** CPUs holding a readable copy, ascending (one when modified, none when invalid) */
  holders: number[];
  /** virtual time (ns) when the last miss issued so far completes */
  busyUntil: number;
}

/**
 * One hot cache line (a lock word, a counter), MESI-like: Modified in one CPU's cache,
 * Shared by many, or only in memory. A read miss fetches the line from its nearest
 * holder; a write or an atomic read-modify-write takes ownership and invalidates every
 * other copy (paying for the farthest one). Misses on one line are served one after
 * another: each occupies the line for its transfer time, so N CPUs re-reading a line
 * after it was written wait N transfers — what makes ticket spinlocks collapse
 * (Boyd-Wickizer et al., "Non-scalable locks are dangerous", 2012) and makes rwsem
 * readers pay for bouncing the shared count.
 *
 * Methods take the current virtual time and return the delay (ns) until the access
 * completes; the caller waits that long (a CPU issues its next access to the line only
 * after the previous one completed).
 *
 * Prices (Machine.transferCost / memoryCost):
 * - read, line held by this CPU (Modified by it or Shared with it): `hit`, no queueing;
 * - read, Modified elsewhere: transfer from the owner, which keeps a Shared copy (M→S);
 * - read, Shared elsewhere: from the nearest holder — an SMT sibling (`sameCore`), a core
 *   of the own socket (`sameSocket`) or the nearest socket by SLIT distance;
 * - read or write, only in memory: DRAM of `homeNode` (local or remote);
 * - write, Modified by this CPU: `hit`; Modified elsewhere: transfer from the owner;
 * - write, Shared: invalidate all other copies, priced by the farthest one (sibling-only
 *   → `sameCore`, own socket only → `sameSocket`, else that socket's distance). If this
 *   CPU is the only holder the upgrade is silent (the line was fetched from memory with
 *   no other copy, i.e. MESI Exclusive) and costs `hit`.
 * Every miss (anything not costing `hit`) starts when the line is free
 * (max(now, busyUntil)) and holds it for its cost; the delay includes that wait.
 *
 * The state changes when the access is issued, not when it completes: a CPU whose copy
 * is invalidated by a queued write misses on its next access even if that write has not
 * finished yet, and queues behind it.
 */
export class CacheLine {
  private state = INVALID;
  private owner = -1;
  /** CPUs holding a Shared copy (short: a handful of CPUs read any one lock line) */
  private sharers: number[] = [];
  /** sharers per socket; plain arrays, not typed ones: a line is made for every lock, and
   * two ArrayBuffers per page-table lock were a measurable share of allocation and GC */
  private readonly perSocket: number[];
  private busyUntil = 0;
  readonly stats: CacheLineStats = new CacheLineCounters();

  /**
   * @param homeNode NUMA node whose DRAM holds the line (0..machine.nnodes-1): where
   *   accesses fetch it from while no cache has it
   */
  constructor(readonly machine: Machine, readonly name = 'line', readonly homeNode = 0) {
    if (!Number.isInteger(homeNode) || homeNode < 0 || homeNode >= machine.nnodes) {
      throw new Error(`CacheLine ${JSON.stringify(name)}: homeNode must be an integer from 0 to ${machine.nnodes - 1}, got ${typeof homeNode === 'number' ? homeNode : typeof homeNode}`);
    }
    this.perSocket = new Array<number>(machine.nsockets).fill(0);
  }

  /** Does `cpu` hold a readable copy right now (a read would hit)? */
  holds(cpu: number): boolean {
    return this.state === MODIFIED ? this.owner === cpu : this.sharers.includes(cpu);
  }

  /** State for tests and traces (a copy; changing it does nothing). */
  snapshot(): CacheLineSnapshot {
    const holders = this.state === MODIFIED ? [this.owner] : [...this.sharers].sort((a, b) => a - b);
    return { state: this.state === MODIFIED ? 'modified' : this.state === SHARED ? 'shared' : 'invalid', holders, busyUntil: this.busyUntil };
  }

  /** Load by `cpu` at time `now`; returns ns until the value is available. */
  read(cpu: number, now: number): number {
    this.stats.accesses++;
    const m = this.machine;
    let cost: number;
    let srcSocket: number;
    if (this.state === MODIFIED) {
      if (this.owner === cpu) return m.spec.latency.hit;
      cost = m.transferCost(this.owner, cpu);
      srcSocket = m.socketOf(this.owner);
      const o = this.owner;
      this.state = SHARED;
      this.owner = -1;
      this.addSharer(o);
    } else if (this.state === SHARED) {
      if (this.sharers.includes(cpu)) return m.spec.latency.hit;
      const s = m.socketOf(cpu);
      if (this.perSocket[s] > 0) {
        cost = this.hasSibling(cpu) ? m.spec.latency.sameCore : m.spec.latency.sameSocket;
        srcSocket = s;
      } else {
        srcSocket = this.nearestSocket(s);
        cost = m.transferCost(m.cpusOfSocketFirst(srcSocket), cpu);
      }
    } else {
      cost = m.memoryCost(cpu, this.homeNode);
      srcSocket = this.homeNode;
      this.state = SHARED;
    }
    this.addSharer(cpu);
    return this.miss(cpu, srcSocket, cost, now);
  }

  /** Store or atomic RMW (lock xadd/cmpxchg/xchg) by `cpu`; returns ns until done. */
  write(cpu: number, now: number): number {
    this.stats.accesses++;
    const m = this.machine;
    let cost: number;
    let srcSocket: number;
    if (this.state === MODIFIED) {
      if (this.owner === cpu) return m.spec.latency.hit;
      cost = m.transferCost(this.owner, cpu);
      srcSocket = m.socketOf(this.owner);
    } else if (this.state === SHARED) {
      // fetch (if needed) and invalidate every other copy: pay for the farthest one
      const s = m.socketOf(cpu);
      const far = this.farthestSocket(s, cpu);
      if (far === -2) {
        // sole sharer: silent upgrade (E→M)
        this.clearSharers();
        this.state = MODIFIED;
        this.owner = cpu;
        return m.spec.latency.hit;
      }
      if (far === s) {
        cost = this.onlySiblingShares(cpu) ? m.spec.latency.sameCore : m.spec.latency.sameSocket;
      } else {
        cost = m.transferCost(m.cpusOfSocketFirst(far), cpu);
      }
      srcSocket = far;
      this.clearSharers();
    } else {
      cost = m.memoryCost(cpu, this.homeNode);
      srcSocket = this.homeNode;
    }
    this.state = MODIFIED;
    this.owner = cpu;
    return this.miss(cpu, srcSocket, cost, now);
  }

  /**
   * What `write(cpu, now)` would return, without doing it (no state or stats change):
   * lazy rmap walks plan their pte-lock stalls with it.
   */
  writeCost(cpu: number, now: number): number {
    const m = this.machine;
    let cost: number;
    if (this.state === MODIFIED) {
      if (this.owner === cpu) return m.spec.latency.hit;
      cost = m.transferCost(this.owner, cpu);
    } else if (this.state === SHARED) {
      const s = m.socketOf(cpu);
      const far = this.farthestSocket(s, cpu);
      if (far === -2) return m.spec.latency.hit;
      if (far === s) cost = this.onlySiblingShares(cpu) ? m.spec.latency.sameCore : m.spec.latency.sameSocket;
      else cost = m.transferCost(m.cpusOfSocketFirst(far), cpu);
    } else {
      cost = m.memoryCost(cpu, this.homeNode);
    }
    return (this.busyUntil > now ? this.busyUntil - now : 0) + cost;
  }

  private miss(cpu: number, srcSocket: number, cost: number, now: number): number {
    this.stats.misses++;
    if (srcSocket !== this.machine.socketOf(cpu)) this.stats.crossSocket++;
    const wait = this.busyUntil > now ? this.busyUntil - now : 0;
    this.stats.queued += wait;
    this.busyUntil = (wait > 0 ? this.busyUntil : now) + cost;
    // wait + cost, not busyUntil - now: exact when the line is free, whatever `now` is
    return wait + cost;
  }

  private addSharer(cpu: number): void {
    if (this.sharers.includes(cpu)) return;
    this.sharers.push(cpu);
    this.perSocket[this.machine.socketOf(cpu)]++;
  }

  private clearSharers(): void {
    this.sharers.length = 0;
    this.perSocket.fill(0);
  }

  private hasSibling(cpu: number): boolean {
    for (const s of this.machine.siblingsOf(cpu)) if (this.sharers.includes(s)) return true;
    return false;
  }

  /** are all other sharers SMT siblings of cpu? */
  private onlySiblingShares(cpu: number): boolean {
    const core = this.machine.coreOf(cpu);
    for (const c of this.sharers) if (c !== cpu && this.machine.coreOf(c) !== core) return false;
    return true;
  }

  private nearestSocket(s: number): number {
    let best = -1, bestD = Infinity;
    for (let j = 0; j < this.perSocket.length; j++) {
      if (this.perSocket[j] > 0) {
        const d = this.machine.nodeDistance(s, j);
        if (d < bestD) { bestD = d; best = j; }
      }
    }
    return best;
  }

  /** farthest socket holding a copy other than cpu's own; -2 if cpu is the sole sharer */
  private farthestSocket(s: number, cpu: number): number {
    const mine = this.sharers.includes(cpu);
    const others = this.sharers.length - (mine ? 1 : 0);
    if (others === 0) return -2;
    let best = -1, bestD = -1;
    for (let j = 0; j < this.perSocket.length; j++) {
      const n = this.perSocket[j] - (j === s && mine ? 1 : 0);
      if (n > 0) {
        const d = this.machine.nodeDistance(s, j);
        if (d > bestD) { bestD = d; best = j; }
      }
    }
    return best;
  }
}
