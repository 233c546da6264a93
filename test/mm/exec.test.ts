import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSim, siteAcquisitions } from './harness';
import { checkMms, layout } from './mm_check';
import { KERNEL_NAMES } from '../../src/kernel';
import { exec, fork, doExit, ElfFiles, DSO_LAYOUTS, dsoLayout, imagePages, type MmStruct } from '../../src/mm';

function fileVmas(mm: MmStruct, name: string): string[] {
  return layout(mm).filter((l) => l.includes(` ${name}@`)).map((l) => l.split(' ')[1]);
}

for (const k of KERNEL_NAMES) {
  test(`${k}: exec of /bin/sh: binary, ld.so and libc mapped by the kernel's and ld.so's call sequences`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const elf = new ElfFiles(ctx);
    let mm!: MmStruct;
    runTask(function* (t) { mm = yield* exec(ctx, t, null, elf.spec('/bin/sh'), 'sh'); });
    // libc: text r-x, gap ---, RELRO r--, data rw- (+ anonymous bss)
    assert.deepEqual(fileVmas(mm, 'libc.so.6'), ['r-x', '---', 'r--', 'rw-']);
    assert.deepEqual(fileVmas(mm, 'ld-linux-x86-64.so.2'), ['r-x', 'r--', 'rw-']);
    assert.deepEqual(fileVmas(mm, '/bin/sh'), ['r-x', 'r--', 'rw-']);
    const libc = elf.file('libc.so.6');
    assert.deepEqual(libc.i_mmap.toArray().map((n) => [n.start, n.last]), [[0, 442], [442, 445], [443, 953], [446, 447]]);
    // per object: vma_link 2 each; vma_adjust: sh 1 (relro), ld.so 2 (tail munmap + relro), libc 4 (gap ×2, data, relro);
    // unlink_file_vma: ld.so 1, libc 2
    assert.deepEqual(siteAcquisitions(env, 'i_mmap'), {
      vma_link: { read: 0, write: 6 }, vma_adjust: { read: 0, write: 7 }, unlink_file_vma: { read: 0, write: 3 },
    });
    assert.equal(mm.brk, mm.startBrk);
    assert.equal(ctx.vmstat.execs, 1);
    checkMms([mm], ['/bin/sh', 'ld-linux-x86-64.so.2', 'libc.so.6'].map((n) => elf.file(n)));
  });

  test(`${k}: exec from a forked child drops the old mm (mmap_sem R only at exec_mmap; i_mmap W per old file VMA)`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const elf = new ElfFiles(ctx);
    let parent!: MmStruct, mm!: MmStruct;
    runTask(function* (t) {
      parent = yield* exec(ctx, t, null, elf.spec('reaim'), 'reaim');
      const child = yield* fork(ctx, t, parent, 'child');
      const before = siteAcquisitions(env, 'i_mmap').unlink_file_vma.write;
      mm = yield* exec(ctx, t, child, elf.spec('/bin/sh'), 'sh');
      const fileVmasOfChild = parent.vmas.filter((v) => v.file).length;
      assert.equal(siteAcquisitions(env, 'i_mmap').unlink_file_vma.write - before, fileVmasOfChild + 3);
      assert.equal(child.vmas.length, 0);
      yield* doExit(ctx, t, mm);
    });
    assert.deepEqual(siteAcquisitions(env, 'mmap_sem').exec_mmap, { read: 1, write: 0 });
    const libc = elf.file('libc.so.6');
    assert.equal(libc.i_mmap.size, 4, 'only the parent still maps libc');
    checkMms([parent], ['reaim', 'libaio.so.1', 'ld-linux-x86-64.so.2', 'libc.so.6', '/bin/sh'].map((n) => elf.file(n)));
  });
}

test('exec of /bin/ls maps its six libraries; every layout is self-consistent', () => {
  const { ctx, runTask } = kernelSim('3.18-rc1-i_mmap_rwsem');
  const elf = new ElfFiles(ctx);
  let mm!: MmStruct;
  runTask(function* (t) { mm = yield* exec(ctx, t, null, elf.spec('/bin/ls'), 'ls'); });
  for (const lib of dsoLayout('/bin/ls').needed!) assert.equal(fileVmas(mm, lib).length, 4, lib);
  for (const l of Object.values(DSO_LAYOUTS)) {
    assert.ok(l.dataPgoff + l.dataPages <= l.filePages && l.relroPages <= l.dataPages && l.textPages <= l.filePages, l.name);
    assert.ok(imagePages(l) > l.textPages && /\[U\]/.test(l.source), l.name);
    for (const n of l.needed ?? []) assert.ok(DSO_LAYOUTS[n], `${l.name} needs ${n}`);
  }
  assert.throws(() => dsoLayout('nope'), /known: libc\.so\.6/);
});
