import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SITE_IDS } from '../../src/kernel/callsites';
import { KernelConfigError } from '../../src/kernel/errors';
import {
  KERNEL_NAMES, KERNELS, kernelFromPatches, namedKernel, readSites, resolveKernel, siteTable, type KernelConfig,
} from '../../src/kernel/kernels';
import { defaultLockConfig } from '../../src/kernel/lockclasses';
import { REFERENCE_MODES } from './reference';

/** Assert `fn` throws a KernelConfigError for `field` whose message matches `re`. */
function throwsConfig(fn: () => unknown, field: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof KernelConfigError, `expected KernelConfigError, got ${String(e)}`);
    assert.equal(e.field, field);
    assert.ok(e.message.startsWith(`${field}: `), e.message);
    assert.match(e.message, re);
    return true;
  });
}

const site = (k: KernelConfig, s: keyof KernelConfig['sites']) => k.sites[s];

test('three named kernels with the cover letter labels', () => {
  assert.deepEqual([...KERNEL_NAMES], ['3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged']);
  assert.deepEqual([...KERNELS['3.18-rc1'].patches], []);
  assert.deepEqual([...KERNELS['3.18-rc1-i_mmap_rwsem'].patches], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual([...KERNELS['3.18-rc1-i_mmap_rwsem-merged'].patches], [1, 2, 3, 4, 5, 6, 7, 9]);
});

test('3.18-rc1: mutex, every site write, patch null', () => {
  const k = resolveKernel('3.18-rc1');
  assert.equal(k.name, '3.18-rc1');
  assert.equal(k.primitive, 'mutex');
  assert.deepEqual(k.locks.i_mmap, defaultLockConfig('mutex'));
  assert.deepEqual(k.locks.i_mmap.options, { optimisticSpin: true });
  for (const s of SITE_IDS) assert.deepEqual(k.sites[s], { mode: 'write', patch: null }, s);
});

test('3.18-rc1-i_mmap_rwsem (all ten v1 patches)', () => {
  const k = resolveKernel('3.18-rc1-i_mmap_rwsem');
  assert.equal(k.primitive, 'rwsem');
  assert.deepEqual(site(k, 'rmap_walk_file'), { mode: 'read', patch: 4 });
  assert.deepEqual(site(k, 'move_ptes'), { mode: 'read', patch: 8 });
  assert.deepEqual(site(k, 'huge_pmd_share'), { mode: 'read', patch: 10 });
  assert.deepEqual(site(k, 'unmap_mapping_range'), { mode: 'write', patch: 3 });
  assert.deepEqual(site(k, 'vma_link'), { mode: 'write', patch: 3 });
  assert.deepEqual(site(k, 'vm_lock_mapping'), { mode: 'write', patch: 3 });
});

test('3.18-rc1-i_mmap_rwsem-merged (3.19: 1-7 and 9)', () => {
  const k = resolveKernel('3.18-rc1-i_mmap_rwsem-merged');
  assert.equal(k.primitive, 'rwsem');
  assert.deepEqual(site(k, 'move_ptes'), { mode: 'write', patch: 3 });
  assert.deepEqual(site(k, 'huge_pmd_share'), { mode: 'write', patch: 3 });
  assert.deepEqual(site(k, 'rmap_walk_file'), { mode: 'read', patch: 4 });
  assert.deepEqual(site(k, 'unmap_mapping_range'), { mode: 'write', patch: 3 });
  assert.deepEqual(readSites(k), ['rmap_walk_file', 'build_map_info', '__xip_unmap', 'collect_procs_file', 'nommu_shrink_inode_mappings']);
});

test('derived modes match an independent transcription of the reference §2 columns', () => {
  const v1 = resolveKernel('3.18-rc1-i_mmap_rwsem');
  const v319 = resolveKernel('3.18-rc1-i_mmap_rwsem-merged');
  for (const s of SITE_IDS) {
    const ref = REFERENCE_MODES[s]!;
    assert.equal(v1.sites[s].mode, ref.v1 === 'R' ? 'read' : 'write', `${s} v1`);
    assert.equal(v1.sites[s].patch, ref.v1Patch, `${s} v1 patch`);
    assert.equal(v319.sites[s].mode, ref.v319 === 'R' ? 'read' : 'write', `${s} 3.19`);
  }
});

test('lock classes: 3.18 defaults for anon_vma and mmap_sem, rwsem options after patch 3', () => {
  for (const n of KERNEL_NAMES) {
    const k = resolveKernel(n);
    assert.deepEqual(k.locks.anon_vma, { primitive: 'rwsem', options: { optimisticSpin: true, writerSteal: true, readerPreference: false } });
    assert.deepEqual(k.locks.mmap_sem, k.locks.anon_vma);
    assert.equal(k.locks.i_mmap.primitive, k.primitive);
  }
  assert.deepEqual(resolveKernel('3.18-rc1-i_mmap_rwsem').locks.i_mmap.options, { optimisticSpin: true, writerSteal: true, readerPreference: false });
});

test('patch subsets: helpers alone change nothing; 3 alone is all-write rwsem; 1-4 shares only rmap', () => {
  const h = kernelFromPatches([1, 2]);
  assert.equal(h.primitive, 'mutex');
  for (const s of SITE_IDS) assert.deepEqual(h.sites[s], { mode: 'write', patch: null });
  const three = kernelFromPatches([3]);
  assert.equal(three.primitive, 'rwsem');
  for (const s of SITE_IDS) assert.deepEqual(three.sites[s], { mode: 'write', patch: 3 });
  const k = kernelFromPatches('1-4');
  assert.equal(k.name, '3.18-rc1+1-4');
  assert.deepEqual(readSites(k), ['rmap_walk_file']);
  assert.match(k.description, /patches 1-4: i_mmap rwsem; read in rmap_walk_file$/);
  const k11 = kernelFromPatches(['1-7', 9, '11/10']);
  assert.deepEqual(site(k11, 'unmap_mapping_range'), { mode: 'read', patch: 11 });
  assert.deepEqual([...k11.patches], [1, 2, 3, 4, 5, 6, 7, 9, 11]);
});

test('a patch list equal to a named kernel gets its name', () => {
  assert.equal(kernelFromPatches([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).name, '3.18-rc1-i_mmap_rwsem');
  assert.equal(resolveKernel('patches:1-7,9').name, '3.18-rc1-i_mmap_rwsem-merged');
  assert.equal(resolveKernel('patches:').name, '3.18-rc1');
});

test('patches are applied in order: a sharing patch before 3 is an error naming patch 3', () => {
  throwsConfig(() => kernelFromPatches([4]), 'patches', /patch 4 \("mm\/rmap: share the i_mmap_rwsem"\) sets rmap_walk_file to read, which needs the rwsem of patch 3/);
  throwsConfig(() => kernelFromPatches([1, 2, 10, 3]), 'patches', /patch 10 .* needs the rwsem of patch 3.*apply 3 before it, e\.g\. "1-3,10"/);
  throwsConfig(() => kernelFromPatches(['11/10']), 'patches', /sets unmap_mapping_range to read/);
  assert.equal(kernelFromPatches([3, 8, 1]).sites.move_ptes.patch, 8);
});

test('duplicates and unknown patches are errors', () => {
  throwsConfig(() => kernelFromPatches([1, 2, 3, 3]), 'patches', /patch 3 .* is listed twice/);
  throwsConfig(() => kernelFromPatches([1, 12]), 'patches[1]', /unknown patch 12; allowed: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 \(= "11\/10"\)$/);
  throwsConfig(() => resolveKernel('patches:1-12'), 'kernel', /unknown patch "12"; allowed: 1, 2, .* 11 \(= "11\/10"\)$/);
});

test('resolveKernel: unknown name lists the names and the spec forms', () => {
  throwsConfig(() => resolveKernel('3.19'), 'kernel', /unknown kernel "3\.19"; allowed: 3\.18-rc1, 3\.18-rc1-i_mmap_rwsem, 3\.18-rc1-i_mmap_rwsem-merged, 3\.18-rc1-locks-2\.6\.39, 3\.18-rc1-locks-3\.0, 3\.18-rc1-locks-3\.8, 3\.18-rc1-locks-3\.10, <name>\+<patches>, patches:<patches>/);
  throwsConfig(() => namedKernel('x'), 'kernel', /allowed: 3\.18-rc1, 3\.18-rc1-i_mmap_rwsem, 3\.18-rc1-i_mmap_rwsem-merged, 3\.18-rc1-locks-2\.6\.39, 3\.18-rc1-locks-3\.0, 3\.18-rc1-locks-3\.8, 3\.18-rc1-locks-3\.10$/);
  throwsConfig(() => resolveKernel('3.19', '--kernel'), '--kernel', /unknown kernel/);
  throwsConfig(() => resolveKernel(42 as never), 'kernel', /expected a kernel name or a spec object, got 42/);
});

test('resolveKernel: <name>+<patches> and the object form', () => {
  const k = resolveKernel('3.18-rc1-i_mmap_rwsem-merged+11');
  assert.deepEqual([...k.patches], [1, 2, 3, 4, 5, 6, 7, 9, 11]);
  assert.deepEqual(site(k, 'unmap_mapping_range'), { mode: 'read', patch: 11 });
  assert.deepEqual(resolveKernel({ base: '3.18-rc1-i_mmap_rwsem-merged', patches: [11] }).sites, k.sites);
  assert.deepEqual(resolveKernel({ patches: '1-4' }).sites, kernelFromPatches('1-4').sites);
  assert.equal(resolveKernel({}).name, '3.18-rc1');
  throwsConfig(() => resolveKernel('3.18-rc1-i_mmap_rwsem-merged+4'), 'kernel', /patch 4 .* is already in base 3\.18-rc1-i_mmap_rwsem-merged \(patches 1-7,9\)/);
  throwsConfig(() => resolveKernel('nope+4'), 'kernel', /unknown base kernel "nope"; allowed: 3\.18-rc1, /);
  throwsConfig(() => resolveKernel({ base: 'nope' }), 'base', /unknown base kernel "nope"; allowed: 3\.18-rc1, /);
  throwsConfig(() => resolveKernel({ patches: [4] }), 'patches', /needs the rwsem of patch 3/);
  throwsConfig(() => resolveKernel({ patch: [4] } as never), 'patch', /unknown key in kernel spec; allowed: base, patches, locks$/);
});

test('resolveKernel: lock overrides', () => {
  const k = resolveKernel({ base: '3.18-rc1-i_mmap_rwsem', locks: { i_mmap: { options: { writerSteal: false } } } });
  assert.equal(k.locks.i_mmap.options.writerSteal, false);
  assert.equal(k.locks.i_mmap.options.optimisticSpin, true);
  assert.match(k.name, /^3\.18-rc1-i_mmap_rwsem \[locks: i_mmap\.writerSteal=false\]$/);
  assert.deepEqual(k.sites, resolveKernel('3.18-rc1-i_mmap_rwsem').sites);
  const same = resolveKernel({ locks: { i_mmap: { options: { optimisticSpin: true } } } });
  assert.equal(same.name, '3.18-rc1');
  const noSpin = resolveKernel('{"base":"3.18-rc1","locks":{"i_mmap":{"options":{"optimisticSpin":false}}}}');
  assert.equal(noSpin.locks.i_mmap.options.optimisticSpin, false);
  // a mutex serves read-mode sites exclusively (MmContext.newLock): the sites keep their mode
  const mx = resolveKernel({ base: '3.18-rc1-i_mmap_rwsem-merged', locks: { i_mmap: { primitive: 'mutex' } } });
  assert.equal(mx.primitive, 'mutex');
  assert.deepEqual(mx.sites, resolveKernel('3.18-rc1-i_mmap_rwsem-merged').sites);
  assert.match(mx.name, /^3\.18-rc1-i_mmap_rwsem-merged \[locks: i_mmap=mutex \(optimisticSpin\)\]$/);
  // rwsem with every site write (no patch 3 recorded) is allowed
  const rw = resolveKernel({ locks: { i_mmap: { primitive: 'rwsem' } } });
  assert.equal(rw.primitive, 'rwsem');
  assert.equal(rw.sites.vma_link.patch, null);
  throwsConfig(() => resolveKernel({ locks: { i_mmap: { options: { spin: true } } } }), 'locks.i_mmap.options.spin', /unknown option for a mutex; allowed: optimisticSpin$/);
  throwsConfig(() => resolveKernel({ locks: { pte: {} } as never }), 'locks.pte', /unknown lock class; allowed: i_mmap, anon_vma, mmap_sem, ptl$/);
  throwsConfig(() => resolveKernel('{"locks":'), 'kernel', /invalid JSON spec/);
});

test('configs are deeply frozen and fresh per call', () => {
  const a = resolveKernel('3.18-rc1-i_mmap_rwsem');
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.sites) && Object.isFrozen(a.sites.move_ptes));
  assert.ok(Object.isFrozen(a.locks) && Object.isFrozen(a.locks.i_mmap) && Object.isFrozen(a.locks.i_mmap.options));
  assert.ok(Object.isFrozen(a.patches));
  assert.deepEqual(resolveKernel('3.18-rc1-i_mmap_rwsem'), a);
});

test('siteTable lists every site once, in table order', () => {
  const rows = siteTable(resolveKernel('3.18-rc1-i_mmap_rwsem'));
  assert.deepEqual(rows.map((r) => r.site), [...SITE_IDS]);
  assert.deepEqual(rows.find((r) => r.site === 'move_ptes'), { site: 'move_ptes', mode: 'read', patch: 8 });
});
