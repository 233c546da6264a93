import { EventQueue, type FutureEventList } from './queue';

/**
 * A calendar queue (R. Brown, CACM 31(10), 1988): the future-event list the simulation
 * uses. Same contract as the binary heap `EventQueue` — pops by time, ties by `seq` —
 * but O(1) expected per operation instead of O(log n).
 *
 * Time is cut into buckets of `width` ns; entry t lies in "virtual bucket"
 * vb = floor(t / width), stored in ring slot vb mod nb as a list sorted by (time, seq).
 * A ring slot may hold entries of several "years" (vb, vb + nb, ...). Invariant: every
 * entry has vb >= `cur`, so the head of slot `cur mod nb` is the minimum iff its vb is
 * `cur`; otherwise no entry has vb = cur and the scan moves on. After a whole year of
 * empty slots the minimum is found by a direct search of the slot heads. Correctness
 * therefore never depends on the width or on the time distribution (any non-NaN times,
 * including huge values where vb loses integer precision); only speed does.
 *
 * Speed is kept by resizing: the ring doubles/halves as the size crosses 2·nb / nb/2,
 * with the width re-estimated from the earliest entries (Brown: 3× their mean gap,
 * ignoring gaps over twice the mean, so ms ticks and long sleeps behind a burst of ns
 * events do not inflate it). The work actually done (empty slots scanned, list nodes
 * walked) is measured, and when it gets high the ring is rebuilt with the width moved
 * toward balance — this is what adapts to phase changes and to heavy ties.
 *
 * Below 256 entries the queue is just the binary heap (a few levels deep, it beats
 * scanning slots); it switches to the calendar above that size and back below 64.
 *
 * Entries live in a pool of typed arrays linked by index; nothing is allocated per
 * operation. `seq` values must be distinct (the simulation's insertion counter is).
 */
export class CalendarQueue implements FutureEventList {
  size = 0;
  /** seq of the entry returned by the last pop(). */
  poppedSeq = 0;
  /** heap mode: entries live in `heap`, the calendar is empty */
  private small: boolean;
  private readonly heap = new EventQueue();
  private readonly toCalendarAt: number;
  private readonly toHeapAt: number;

  // entry pool, interleaved so that one node touches two cache lines at most: node n (an
  // even offset) is key[n] = time, key[n + 1] = seq, link[n] = next node in its slot
  // list or the free list (-1: none), link[n + 1] = item
  private key = new Float64Array(2 * MIN_NODES);
  private link = new Int32Array(2 * MIN_NODES);
  private free = -1;
  private used = 0;

  // the ring: nb = mask + 1 slots, heads and tails of sorted lists (-1 = empty)
  private head = new Int32Array(MIN_SLOTS).fill(-1);
  private tail = new Int32Array(MIN_SLOTS).fill(-1);
  private mask = MIN_SLOTS - 1;
  private inv = 1; // 1 / width
  private cur = 0; // the current virtual bucket: every entry has vb >= cur
  private top = -1; // the minimum's node, as found by peekTime (-1: unknown)

  // cost accounting for adaptive resizing: empty slots scanned, list nodes walked, pushes
  private scanWork = 0;
  private walkWork = 0;
  private ops = 0;
  private checkEvery = CHECK_EVERY;

  /**
   * `calendarAbove`: the size above which the calendar replaces the heap (back below a
   * quarter of it). 0 = calendar only (tests use it to exercise the calendar on small
   * inputs).
   */
  constructor(calendarAbove = TO_CALENDAR) {
    this.toCalendarAt = calendarAbove;
    this.toHeapAt = calendarAbove >> 2;
    this.small = calendarAbove > 0;
  }

  peekTime(): number {
    if (this.small) return this.heap.peekTime();
    // the minimum found by the last peek stands until a push, pop or rebuild (they reset
    // `top`): the loop's peek and Simulation.advanceBy's in one step cost one search
    if (this.top >= 0) return this.key[this.top];
    const n = this.locate();
    this.top = n;
    return n < 0 ? NaN : this.key[n];
  }

  push(time: number, seq: number, item: number): void {
    if (this.small) {
      this.heap.push(time, seq, item);
      if (++this.size > this.toCalendarAt) this.toCalendar();
    } else {
      this.calPush(time, seq, item);
    }
  }

  pop(): number {
    if (this.small) {
      this.size--;
      const it = this.heap.pop();
      this.poppedSeq = this.heap.poppedSeq;
      return it;
    }
    return this.calPop();
  }

  private calPush(time: number, seq: number, item: number): void {
    this.top = -1;
    const n = this.alloc();
    this.key[n] = time;
    this.key[n + 1] = seq;
    this.link[n + 1] = item;
    const vb = Math.floor(time * this.inv);
    if (vb < this.cur) this.cur = vb;
    this.insert(n, vb & this.mask, time, seq);
    if (++this.size > GROW * (this.mask + 1)) this.rebuild(2 * (this.mask + 1));
    else if (++this.ops >= this.checkEvery) this.check();
  }

  private calPop(): number {
    let n = this.top;
    if (n < 0) n = this.locate();
    else this.top = -1;
    const b = this.cur & this.mask;
    const link = this.link;
    const nx = link[n];
    this.head[b] = nx;
    if (nx < 0) this.tail[b] = -1;
    link[n] = this.free;
    this.free = n;
    this.poppedSeq = this.key[n + 1];
    const it = link[n + 1];
    const nb = this.mask + 1;
    if (--this.size < nb * SHRINK) {
      if (this.size < this.toHeapAt) this.toHeap();
      else if (nb > MIN_SLOTS) this.rebuild(nb >> 1);
    } else if (this.scanWork > this.checkEvery * MAX_WORK_PER_OP) {
      this.check(); // scanning far too much: do not wait for `checkEvery` pushes
    }
    return it;
  }

  private alloc(): number {
    let n = this.free;
    if (n >= 0) this.free = this.link[n];
    else {
      if (this.used === this.key.length) this.growPool();
      n = this.used;
      this.used += 2;
    }
    return n;
  }

  /** The node holding the minimum (-1 if empty); moves `cur` to its virtual bucket. */
  private locate(): number {
    const head = this.head, key = this.key, mask = this.mask, inv = this.inv;
    let c = this.cur;
    let h = head[c & mask];
    if (h >= 0 && Math.floor(key[h] * inv) === c) return h;
    for (let k = 0; k < mask; k++) {
      c++;
      h = head[c & mask];
      if (h >= 0 && Math.floor(key[h] * inv) === c) {
        this.cur = c;
        this.scanWork += k + 1;
        return h;
      }
    }
    // a whole year of empty slots: the minimum is the least slot head
    this.scanWork += mask + 1;
    let best = -1;
    for (let b = 0; b <= mask; b++) {
      h = head[b];
      if (h >= 0 && (best < 0 || key[h] < key[best] || (key[h] === key[best] && key[h + 1] < key[best + 1]))) best = h;
    }
    if (best < 0) return -1; // empty (peekTime on an empty calendar-only queue)
    this.cur = Math.floor(key[best] * inv);
    return best;
  }

  /** Insert node n into slot b's list, kept sorted by (time, seq). */
  private insert(n: number, b: number, t: number, s: number): void {
    const key = this.key, next = this.link;
    const tl = this.tail[b];
    if (tl < 0) {
      this.head[b] = this.tail[b] = n;
      next[n] = -1;
    } else if (t > key[tl] || (t === key[tl] && s > key[tl + 1])) {
      next[tl] = n; // the common case: later than everything in the slot (ties, monotone times)
      next[n] = -1;
      this.tail[b] = n;
    } else {
      let p = this.head[b];
      if (t < key[p] || (t === key[p] && s < key[p + 1])) {
        next[n] = p;
        this.head[b] = n;
        return;
      }
      let q = next[p];
      let steps = 1;
      while (key[q] < t || (key[q] === t && key[q + 1] < s)) {
        p = q;
        q = next[q];
        steps++;
      }
      next[p] = n;
      next[n] = q;
      this.walkWork += steps;
    }
  }

  /**
   * Every `checkEvery` pushes: if the work per op is high, rebuild with the width moved
   * toward balance. Walking long lists means too wide, scanning empty slots too narrow;
   * the two costs go as w and 1/w, so the factor is sqrt(scan / walk) (at most 64×).
   * Checks are at least `size` pushes apart, so the O(size) rebuild costs O(1) per op
   * even when the distribution defeats every width.
   */
  private check(): void {
    const ops = Math.max(1, this.ops);
    const scan = this.scanWork / ops, walk = this.walkWork / ops;
    if (scan + walk > MAX_WORK_PER_OP) {
      const f = Math.min(64, Math.max(1 / 64, Math.sqrt((scan + 0.5) / (walk + 0.5))));
      this.rebuild(this.mask + 1, f / this.inv);
    }
    this.scanWork = this.walkWork = this.ops = 0;
    this.checkEvery = Math.max(CHECK_EVERY, this.size);
  }

  /** Re-bucket every entry into `nb` slots of the given width (default: estimated). */
  private rebuild(nb: number, width = 0): void {
    const head = this.head, next = this.link;
    const nodes = new Int32Array(this.size);
    let k = 0;
    for (let b = 0; b < head.length; b++) for (let n = head[b]; n >= 0; n = next[n]) nodes[k++] = n;
    this.relink(nodes, nb, width);
  }

  /** Leave heap mode: move the heap's entries, in order, into a fresh calendar. */
  private toCalendar(): void {
    const heap = this.heap;
    const nodes = new Int32Array(heap.size);
    for (let i = 0; i < nodes.length; i++) {
      const t = heap.peekTime();
      const it = heap.pop();
      const n = this.alloc();
      this.key[n] = t;
      this.key[n + 1] = heap.poppedSeq;
      this.link[n + 1] = it;
      nodes[i] = n;
    }
    this.small = false;
    let nb = MIN_SLOTS;
    while (GROW * nb < nodes.length) nb *= 2;
    this.relink(nodes, nb, 0);
  }

  /** Back to heap mode: move every entry into the heap and empty the pool. */
  private toHeap(): void {
    const head = this.head, key = this.key, link = this.link;
    for (let b = 0; b < head.length; b++) {
      for (let n = head[b]; n >= 0; n = link[n]) this.heap.push(key[n], key[n + 1], link[n + 1]);
    }
    this.small = true;
    this.top = -1;
    this.free = -1;
    this.used = 0;
    this.head = new Int32Array(MIN_SLOTS).fill(-1);
    this.tail = new Int32Array(MIN_SLOTS).fill(-1);
    this.mask = MIN_SLOTS - 1;
  }

  /** Link `nodes` into `nb` fresh slots of the given width (0: estimate it). */
  private relink(nodes: Int32Array, nb: number, width: number): void {
    const key = this.key;
    const w = width > 0 ? width : estimateWidth(key, nodes);
    if (w > 0 && w < Infinity) this.inv = 1 / w;
    this.head = new Int32Array(nb).fill(-1);
    this.tail = new Int32Array(nb).fill(-1);
    this.mask = nb - 1;
    let cur = Infinity;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const vb = Math.floor(key[n] * this.inv);
      if (vb < cur) cur = vb;
      this.insert(n, vb & this.mask, key[n], key[n + 1]);
    }
    this.cur = nodes.length > 0 ? cur : 0;
    this.top = -1;
    this.scanWork = this.walkWork = this.ops = 0;
  }

  private growPool(): void {
    const cap = this.key.length * 2;
    const k = new Float64Array(cap); k.set(this.key); this.key = k;
    const l = new Int32Array(cap); l.set(this.link); this.link = l;
  }
}

/** the ring doubles when size > GROW · nb and halves when size < SHRINK · nb */
const GROW = 2;
const SHRINK = 0.5;
/** slot width = WF × the typical gap between distinct times (Brown: 3) */
const WF = 3;
/**
 * heap → calendar above this size, calendar → heap below a quarter of it. Measured crossover
 * (hold loop, exponential / mixed-scale / tied delays): the heap wins below ~200.
 */
const TO_CALENDAR = 256;
const MIN_NODES = 256;
const MIN_SLOTS = 16;
/** minimum pushes between two cost checks */
const CHECK_EVERY = 4096;
/** average empty slots + list steps per push beyond which the width is re-estimated */
const MAX_WORK_PER_OP = 6;
/** how many of the earliest entries the width estimate looks at */
const SAMPLE = 64;

/**
 * Brown's width: WF × the mean positive gap between consecutive distinct times among
 * the SAMPLE earliest entries, recomputed over the gaps below twice that mean, scaled
 * by distinct/entries so that heavy ties (many entries per time) get narrower slots.
 * 0 if the sample has fewer than two distinct times (keep the old width then).
 */
function estimateWidth(key: Float64Array, nodes: Int32Array): number {
  // the SAMPLE smallest times, by insertion into a small sorted array
  const s = new Float64Array(Math.min(SAMPLE, nodes.length));
  let m = 0;
  for (let i = 0; i < nodes.length; i++) {
    const t = key[nodes[i]];
    if (m === s.length && t >= s[m - 1]) continue;
    let j = m < s.length ? m++ : m - 1;
    while (j > 0 && s[j - 1] > t) {
      s[j] = s[j - 1];
      j--;
    }
    s[j] = t;
  }
  let sum = 0, cnt = 0;
  for (let i = 1; i < m; i++) {
    const g = s[i] - s[i - 1];
    if (g > 0) { sum += g; cnt++; }
  }
  if (cnt === 0) return 0;
  const mean = sum / cnt;
  let sum2 = 0, cnt2 = 0;
  for (let i = 1; i < m; i++) {
    const g = s[i] - s[i - 1];
    if (g > 0 && g <= 2 * mean) { sum2 += g; cnt2++; }
  }
  return WF * (sum2 / cnt2) * ((cnt + 1) / m);
}
