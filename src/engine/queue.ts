/**
 * A future-event list: a priority queue of (time, seq, item) entries that pops by time,
 * ties by seq (the simulation's insertion counter, so equal times pop in insertion
 * order). Items are integer handles. `pop()` and `peekTime()` need `size > 0`.
 */
export interface FutureEventList {
  readonly size: number;
  /** seq of the entry returned by the last pop(). */
  readonly poppedSeq: number;
  push(time: number, seq: number, item: number): void;
  pop(): number;
  peekTime(): number;
}

/**
 * The reference future-event list: a binary min-heap ordered by (time, seq) kept in
 * flat typed arrays, so that pushing and popping allocate nothing. O(log n) per
 * operation; the simulation uses the faster `CalendarQueue` and tests check it against
 * this one.
 */
export class EventQueue implements FutureEventList {
  private times = new Float64Array(256);
  private seqs = new Float64Array(256);
  private items = new Int32Array(256);
  size = 0;
  /** seq of the entry returned by the last pop(). */
  poppedSeq = 0;

  peekTime(): number {
    return this.times[0];
  }

  push(time: number, seq: number, item: number): void {
    if (this.size === this.times.length) this.grow();
    let i = this.size++;
    const times = this.times, seqs = this.seqs, items = this.items;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p];
      if (pt < time || (pt === time && seqs[p] < seq)) break;
      times[i] = pt; seqs[i] = seqs[p]; items[i] = items[p];
      i = p;
    }
    times[i] = time; seqs[i] = seq; items[i] = item;
  }

  pop(): number {
    const times = this.times, seqs = this.seqs, items = this.items;
    const top = items[0];
    this.poppedSeq = seqs[0];
    const n = --this.size;
    if (n > 0) {
      const t = times[n], s = seqs[n], it = items[n];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        const r = c + 1;
        if (r < n && (times[r] < times[c] || (times[r] === times[c] && seqs[r] < seqs[c]))) c = r;
        const ct = times[c];
        if (t < ct || (t === ct && s < seqs[c])) break;
        times[i] = ct; seqs[i] = seqs[c]; items[i] = items[c];
        i = c;
      }
      times[i] = t; seqs[i] = s; items[i] = it;
    }
    return top;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const t = new Float64Array(cap); t.set(this.times); this.times = t;
    const s = new Float64Array(cap); s.set(this.seqs); this.seqs = s;
    const it = new Int32Array(cap); it.set(this.items); this.items = it;
  }
}
