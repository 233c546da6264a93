/**
 * `lock-hammer`: N threads hammer one lock of the kernel's i_mmap lock class: acquire (for
 * read with probability `readers`, else for write), `holdNs` of kernel work, release, then
 * `thinkNs` of user work (fixed, or exponential with that mean). The lock is built as the
 * kernel configures i_mmap: a mutex in 3.18-rc1 (every acquisition exclusive, `readers`
 * has no effect), an rwsem from patch 3 on, with the kernel's lock options (optimistic
 * spinning, writer stealing). The same loop as perf/locks.ts's `lockThroughput`, driven by
 * a kernel config instead of a fixed design.
 *
 * Metrics, over the measured window: `ops_per_s` (acquire+release cycles that ended in the
 * window, per simulated second), `reads_per_s`, `writes_per_s`, `wait_mean_ns` (request to
 * ownership), `cross_socket_per_op` (lock-line misses served from another socket).
 */
import type { Task } from '../sched';
import type { WorkloadDef } from './registry';

const SITE_READ = 'lock_hammer_read';
const SITE_WRITE = 'lock_hammer_write';

export const lockHammer: WorkloadDef = {
  name: 'lock-hammer',
  description: 'N threads hammer one i_mmap-class lock (primitive and options from the kernel): acquire (read with probability readers), hold, release, think',
  params: {
    threads: { type: 'int', default: 16, min: 1, max: 4096, help: 'threads; thread i is placed on CPU i (extra threads where fork balancing puts them)' },
    readers: { type: 'number', default: 0, min: 0, max: 1, help: 'fraction of acquisitions taken for read (shared only when the kernel makes i_mmap an rwsem)' },
    holdNs: { type: 'number', default: 100, min: 0, max: 1e7, unit: 'ns', help: 'kernel work while holding the lock' },
    thinkNs: { type: 'number', default: 200, min: 0, max: 1e8, unit: 'ns', help: 'user work between acquisitions (mean, see think)' },
    think: { type: 'enum', default: 'exponential', values: ['exponential', 'fixed'], help: 'distribution of the think time' },
  },
  cost(p, durationNs, machine) {
    // a bound on acquisitions: each active thread at most once per hold + think, and the
    // lock at most (hold + think) / hold threads' worth when exclusive
    const hold = Number(p.holdNs), think = Number(p.thinkNs);
    const active = Math.min(Number(p.threads), machine.ncpus, 1 + think / Math.max(hold, 1));
    return (active * durationNs) / (hold + think + 100);
  },
  run(ctx) {
    const { sim, sched, params } = ctx;
    const threads = params.threads as number;
    const readers = params.readers as number;
    const hold = params.holdNs as number;
    const think = params.thinkNs as number;
    const expThink = params.think === 'exponential';
    const lock = ctx.lock('i_mmap', 'i_mmap');
    const end = ctx.endNs;
    let reads = 0, writes = 0, waitSum = 0;
    for (let i = 0; i < threads; i++) {
      const rng = ctx.rng(`lock-hammer.t${i}`);
      const body = function* (t: Task) {
        while (sim.now < end) {
          const mode = readers > 0 && rng.random() < readers ? 'read' : 'write';
          const t0 = sim.now;
          yield* lock.acquire(t, mode, mode === 'read' ? SITE_READ : SITE_WRITE);
          const waited = sim.now - t0;
          yield* sched.compute(t, hold);
          yield* lock.release(t, mode);
          if (ctx.measuring() && t0 >= ctx.startNs) {
            if (mode === 'read') reads++;
            else writes++;
            waitSum += waited;
          }
          yield* sched.compute(t, expThink ? rng.exponential(think) : think, true);
        }
      };
      sched.spawn(`hammer${i}`, body, i < ctx.machine.ncpus ? { cpu: i } : {});
    }
    ctx.run();
    const ops = reads + writes;
    const secs = ctx.durationNs / 1e9;
    const cross = ctx.lockstat().filter((r) => r.lockClass === 'i_mmap').reduce((a, r) => a + r.crossSocket, 0);
    return {
      metrics: {
        ops_per_s: ops / secs,
        reads_per_s: reads / secs,
        writes_per_s: writes / secs,
        wait_mean_ns: ops ? waitSum / ops : null,
        cross_socket_per_op: ops ? cross / ops : null,
      },
    };
  },
};
