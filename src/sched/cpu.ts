import type { Timer } from '../engine';
import type { Task } from './task';

export const IDLE = 0, BUSY = 1, SPIN = 2;
export type Activity = typeof IDLE | typeof BUSY | typeof SPIN;

/** One hardware thread with its CFS run queue (kept sorted by vruntime, FIFO on ties). */
export class Cpu {
  curr: Task | null = null;
  readonly rq: Task[] = [];
  needResched = false;
  activity: Activity = IDLE;
  activitySince = 0;
  minVruntime = 0;
  tick: Timer | null = null;
  siblings: Cpu[] = [];
  /** ns spent busy / spinning / idle */
  readonly time = { busy: 0, spin: 0, idle: 0 };

  constructor(readonly id: number, readonly socket: number, readonly core: number) {}

  enqueue(t: Task): void {
    const rq = this.rq;
    let i = rq.length;
    while (i > 0 && rq[i - 1].vruntime > t.vruntime) i--;
    rq.splice(i, 0, t);
  }

  remove(t: Task): void {
    const i = this.rq.indexOf(t);
    if (i >= 0) this.rq.splice(i, 1);
  }

  get nrRunning(): number {
    return this.rq.length + (this.curr ? 1 : 0);
  }
}
