import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSim, siteAcquisitions } from './harness';
import { checkMms } from './mm_check';
import { exec, fork, doExit, pageFault, ElfFiles, type MmStruct } from '../../src/mm';
import type { Task } from '../../src/sched';

/**
 * aim7's fork_test pressure on shared libraries: a driver (the reaim binary: reaim, libaio,
 * ld.so, libc) forks `tasks` children; each child forks a grandchild that exits at once
 * while the child waits (wait4), then exits itself. Every fork inserts into and every exit
 * removes from the same libc / ld.so / reaim trees.
 */
export function forkStormTest(kernel: string, tasks = 200): void {
  test(`${kernel}: fork storm of ${tasks} tasks: trees grow and shrink, invariants hold, dup_mmap/unlink_file_vma contend`, () => {
    const { ctx, env, sched, sim } = kernelSim(kernel, { seed: 7 });
    const elf = new ElfFiles(ctx);
    const libc = elf.file('libc.so.6');
    let driver!: MmStruct;
    let maxLibc = 0;
    const children: MmStruct[] = [];
    sched.spawn('reaim', function* (t) {
      driver = yield* exec(ctx, t, null, elf.spec('reaim'), 'reaim');
      for (let p = driver.startBrk - 8; p < driver.startBrk; p++) yield* pageFault(ctx, t, driver, p, true);
      for (let i = 0; i < tasks; i++) children.push(yield* fork(ctx, t, driver, `child${i}`));
      maxLibc = libc.i_mmap.size;
      for (const [i, mm] of children.entries()) sched.spawn(`child${i}`, (c) => childBody(c, mm, i));
    });
    function* childBody(t: Task, mm: MmStruct, i: number): Generator<unknown, void, unknown> {
      const g = yield* fork(ctx, t, mm, `g${i}`);
      maxLibc = Math.max(maxLibc, libc.i_mmap.size);
      sched.spawn(`g${i}`, function* (gt) {
        yield* doExit(ctx, gt, g);
        sched.wake(t);
        yield* sched.compute(gt, sched.params.wakeupCost);
      });
      yield* sched.block(t); // wait4
      yield* doExit(ctx, t, mm);
    }
    sim.run();
    env.finalCheck();
    assert.ok(sched.tasks.every((t) => t.state === 'dead'), 'every task finished');
    assert.equal(ctx.vmstat.forks, 2 * tasks);
    assert.equal(ctx.vmstat.exits, 2 * tasks);
    // driver + children = 4 (tasks + 1) VMAs; grandchildren come and go on top
    assert.ok(maxLibc > 4 * (tasks + 1) && maxLibc <= 4 * (2 * tasks + 1), `libc tree peaked at ${maxLibc}`);
    assert.equal(libc.i_mmap.size, 4, 'back to the driver alone');
    checkMms([driver], ['reaim', 'libaio.so.1', 'ld-linux-x86-64.so.2', 'libc.so.6'].map((n) => elf.file(n)));
    const s = env.stat.classes.get('i_mmap')!;
    const fileVmas = driver.vmas.filter((v) => v.file).length;
    assert.equal(s.get('dup_mmap')!.acquisitions.write, 2 * tasks * fileVmas);
    assert.equal(s.get('unlink_file_vma')!.acquisitions.write, 2 * tasks * fileVmas + 4, 'plus the exec (ld.so 1, libaio 1, libc 2)');
    assert.ok(s.get('dup_mmap')!.contentions.write > 0, 'dup_mmap contended');
    assert.ok(s.get('unlink_file_vma')!.contentions.write > 0, 'unlink_file_vma contended');
    assert.deepEqual(Object.keys(siteAcquisitions(env, 'i_mmap')).sort(), ['dup_mmap', 'unlink_file_vma', 'vma_adjust', 'vma_link']);
  });
}
