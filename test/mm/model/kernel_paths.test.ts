import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { kernelSim } from '../harness';
import { KERNEL_PATHS, type KernelPath } from '../../../src/mm';
import type { Task } from '../../../src/sched';
import type { Proc } from '../../../src/engine';

test('kernel paths: kernel CPU and sleep go to the innermost path; user time to none', () => {
  const { ctx, sched, runTask } = kernelSim();
  let k0 = 0, k1 = 0;
  runTask(function* (t) {
    k0 = sched.kernelNsNow(t);
    ctx.paths.enter(t, 'fork');
    yield* sched.compute(t, 1000);
    yield* sched.compute(t, 7000, true); // user mode: no path's
    ctx.paths.enter(t, 'fault');
    yield* sched.compute(t, 500);
    yield* sched.sleep(t, 2000);
    ctx.paths.leave(t);
    yield* sched.compute(t, 300);
    ctx.paths.leave(t);
    yield* sched.compute(t, 9000); // outside every path
    k1 = sched.kernelNsNow(t);
  });
  const c = ctx.paths.counters();
  assert.equal(c.task_kernel_path_fork_s, 1300e-9);
  // the fault's: its own 500 ns and the switch back onto a CPU after its sleep
  assert.ok(c.task_kernel_path_fault_s! > 500e-9);
  assert.ok(Math.abs(c.task_kernel_path_fork_s! + c.task_kernel_path_fault_s! - (k1 - k0 - 9000) / 1e9) < 1e-15, 'every kernel ns inside the paths is in one of them');
  assert.equal(c.task_sleep_path_fault_s, 2000e-9);
  assert.equal(c.task_sleep_path_fork_s, 0);
  assert.throws(() => runTask(function* (t) { ctx.paths.leave(t); }), /leaves a path it did not enter/);
});

test('kernel paths: for any nesting, the paths\' kernel time adds up to the kernel work done inside them, and restart() counts from there', () => {
  type Step = { k: 'enter'; p: KernelPath } | { k: 'leave' } | { k: 'kernel'; ns: number } | { k: 'user'; ns: number };
  const step = fc.oneof(
    fc.constantFrom(...KERNEL_PATHS).map((p): Step => ({ k: 'enter', p })),
    fc.constant<Step>({ k: 'leave' }),
    fc.integer({ min: 1, max: 5000 }).map((ns): Step => ({ k: 'kernel', ns })),
    fc.integer({ min: 1, max: 5000 }).map((ns): Step => ({ k: 'user', ns })),
  );
  fc.assert(fc.property(fc.array(step, { maxLength: 40 }), fc.nat({ max: 40 }), (steps, cut) => {
    const { ctx, sched, runTask } = kernelSim();
    const expect = new Map<KernelPath, number>();
      runTask(function* (t: Task): Proc {
      const stack: KernelPath[] = [];
      let i = 0;
      for (const s of steps) {
        if (i++ === cut) { ctx.paths.restart(); expect.clear(); }
        if (s.k === 'enter') { ctx.paths.enter(t, s.p); stack.push(s.p); }
        else if (s.k === 'leave') { if (stack.length) { ctx.paths.leave(t); stack.pop(); } }
        else {
          yield* sched.compute(t, s.ns, s.k === 'user');
          const top = stack[stack.length - 1];
          if (s.k === 'kernel' && top) { expect.set(top, (expect.get(top) ?? 0) + s.ns); }
        }
      }
      while (stack.length) { ctx.paths.leave(t); stack.pop(); }
    });
    const c = ctx.paths.counters();
    for (const p of KERNEL_PATHS) assert.ok(Math.abs(c[`task_kernel_path_${p}_s`]! - (expect.get(p) ?? 0) / 1e9) < 1e-12, p);
  }), { numRuns: 60 });
});
