/**
 * A stand-in for the aim7 model in reproduce tests (never shipped): the same parameters
 * and outputs as `aim7` (workfile, users, estimate, warmupTasks, windowTasks; metrics jpm,
 * makespan_s; counter numa_pages_migrated), computed as a cheap deterministic fake of the
 * seed, users and kernel, plus a tiny simulation that takes the i_mmap lock at two call
 * sites so lockstat has rows. The window estimate (estimate "window", or "auto" from 100
 * users) reads a little high: +1% on the baseline, +2% on the patched kernel, so the
 * validation section has errors to report. Set MMLOCK_STUB_FAIL_USERS=<n> to make the runs
 * with n users throw.
 */
import { getWorkload, registerWorkload, type WorkloadDef } from '../../src/workloads';
import type { Task } from '../../src/sched';

export const STUB = 'aim7-stub';

const def: WorkloadDef = {
  name: STUB,
  description: 'test stand-in for aim7: a fake jpm from seed, users and kernel, and a tiny i_mmap simulation',
  timing: 'completion',
  params: {
    workfile: { type: 'enum', default: 'alltests', values: ['alltests', 'disk'], help: 'reaim workfile' },
    users: { type: 'int', default: 100, min: 1, max: 4000, help: 'simulated users' },
    estimate: { type: 'enum', default: 'auto', values: ['auto', 'window', 'full'], help: 'full: run to completion; window: steady-state window; auto: full below 100 users, else window' },
    warmupTasks: { type: 'number', default: 3, min: 0, max: 50, help: 'window estimate: tasks per child of warm-up' },
    windowTasks: { type: 'number', default: 5, min: 0.05, max: 50, help: 'window estimate: tasks per child measured' },
  },
  run(ctx) {
    const users = ctx.params.users as number;
    const disk = ctx.params.workfile === 'disk';
    if (process.env.MMLOCK_STUB_FAIL_USERS && Number(process.env.MMLOCK_STUB_FAIL_USERS) === users) {
      throw new Error(`stub: told to fail at ${users} users`);
    }
    const lock = ctx.lock('i_mmap', 'libc.i_mmap');
    const tasks = Math.min(4, users);
    for (let i = 0; i < tasks; i++) {
      const rng = ctx.rng(`t${i}`);
      ctx.sched.spawn(`child${i}`, function* (t: Task) {
        for (let k = 0; k < 3; k++) {
          yield* lock.acquire(t, 'write', 'dup_mmap');
          yield* ctx.sched.compute(t, 200 + rng.int(100));
          yield* lock.release(t, 'write');
          yield* lock.acquire(t, 'read', 'rmap_walk_file');
          yield* ctx.sched.compute(t, 300 + rng.int(100));
          yield* lock.release(t, 'read');
          yield* ctx.sched.compute(t, 500, true);
        }
      }, { cpu: i });
    }
    ctx.run();
    const rwsem = ctx.kernel.locks.i_mmap.primitive === 'rwsem';
    const noise = ctx.rng('fake').normal(0, 0.02);
    let jpm = disk ? 6300 : 16500;
    if (disk && users >= 1600 && !rwsem) jpm *= 0.75;
    if (rwsem) jpm *= disk ? (users >= 1600 ? 1.3 : 1.08) : 1.6;
    if (users < 100) jpm = (disk ? 7000 : 18000) * (rwsem ? 1.01 : 1);
    jpm *= 1 + noise;
    const estimate = ctx.params.estimate as string;
    if (estimate === 'window' || (estimate === 'auto' && users >= 100)) jpm *= rwsem ? 1.02 : 1.01;
    const tasksPerChild = disk ? 100 : 97;
    return {
      metrics: { jpm, makespan_s: (tasksPerChild * 60 * users) / jpm },
      counters: { numa_pages_migrated: Math.round(users * 3 * (rwsem ? 1.675 : 1)) + ctx.rng('numa').int(10) },
    };
  },
};

if (!getWorkload(STUB)) registerWorkload(def);
