import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMms } from '../mm/mm_check';
import { runForkStorm, type ForkStormWorld } from '../../src/workloads/mm_paths';

// Mechanism (kernel/fork.c, mm/mmap.c): every fork takes i_mmap at dup_mmap once per file
// VMA of the parent, every exit at unlink_file_vma once per file VMA; both stay exclusive.
const opts = { seed: 7, workers: 40, rounds: 3 };

for (const kernel of ['3.18-rc1', '3.18-rc1-i_mmap_rwsem'] as const) {
  test(`${kernel}: fork storm on libc/ld.so/reaim: dup_mmap and unlink_file_vma W once per file VMA per fork/exit; trees back to the parent`, () => {
    let w!: ForkStormWorld;
    const r = runForkStorm({ kernel, ...opts }, (x) => { w = x; });
    const f = r.figures;
    const forks = opts.workers * (opts.rounds + 1);
    assert.ok(w.ctx.sched.spawned > 0 && w.ctx.sched.tasks.length === 0, 'every worker and child finished');
    assert.equal(f.forks, forks);
    assert.equal(f.exits, forks);
    assert.equal(f.execs, 1);
    assert.equal(f.fileVmasPerProcess, w.parent.vmas.filter((v) => v.file).length);
    assert.equal(r.sites.dup_mmap.mode, 'write');
    assert.equal(r.sites.unlink_file_vma.mode, 'write');
    assert.equal(r.sites.dup_mmap.acquisitions, forks * f.fileVmasPerProcess);
    assert.equal(r.sites.unlink_file_vma.acquisitions, forks * f.fileVmasPerProcess + f.execUnlinkFileVma);
    assert.equal(f.execUnlinkFileVma, 4, 'exec: ld.so 1, libaio 1, libc 2');
    assert.ok(r.sites.dup_mmap.contentions > 0 && r.sites.unlink_file_vma.contentions > 0, 'the storm contends');
    assert.equal(r.sites.dup_mmap.overlap.maxHolders, 1, 'tree writers never overlap');
    assert.deepEqual(Object.keys(r.sites).sort(), ['dup_mmap', 'unlink_file_vma', 'vma_adjust', 'vma_link']);
    assert.ok(f.libcTreePeak > 4 + 4 * 4 && f.libcTreePeak <= 4 * (1 + 2 * opts.workers), `libc tree peaked at ${f.libcTreePeak}`);
    assert.equal(f.libcTreeEnd, 4, 'back to the parent alone');
    checkMms([w.parent], w.files.map((n) => w.elf.file(n)));
  });
}

test('fork storm is deterministic per seed', () => {
  const small = { kernel: '3.18-rc1-i_mmap_rwsem', workers: 12, rounds: 2 };
  const a = runForkStorm({ ...small, seed: 3 });
  assert.deepEqual(runForkStorm({ ...small, seed: 3 }), a);
  assert.notDeepEqual(runForkStorm({ ...small, seed: 4 }), a);
});
