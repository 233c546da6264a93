import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SITE_IDS } from '../../src/kernel/callsites';
import { KernelConfigError } from '../../src/kernel/errors';
import { kernelFromPatches, resolveKernel, siteTable, type KernelConfig } from '../../src/kernel/kernels';
import { getPatch, PATCH_IDS, type PatchId } from '../../src/kernel/patches';

/** The mode table a patch list must produce, computed independently of kernels.ts. */
function expectedSites(ids: readonly PatchId[]): Record<string, { mode: string; patch: number | null }> {
  const out: Record<string, { mode: string; patch: number | null }> = {};
  const hasThree = ids.includes(3);
  for (const s of SITE_IDS) out[s] = { mode: 'write', patch: hasThree ? 3 : null };
  for (const id of ids) {
    const c = getPatch(id).change;
    if (c.kind === 'share') for (const s of c.sites) out[s] = { mode: 'read', patch: id };
  }
  return out;
}

const subset = fc.subarray([...PATCH_IDS]);
/** Valid: contains 3, or contains no sharing patch (4..11). */
const validSubset = subset.filter((ids) => ids.includes(3) || ids.every((i) => i <= 2));

function checkConsistent(k: KernelConfig, ids: readonly PatchId[]) {
  assert.deepEqual({ ...k.sites }, expectedSites(ids));
  assert.equal(k.primitive, ids.includes(3) ? 'rwsem' : 'mutex');
  assert.equal(k.locks.i_mmap.primitive, k.primitive);
  const rows = siteTable(k);
  assert.equal(rows.length, SITE_IDS.length);
  for (const r of rows) {
    assert.ok(r.patch === null || ids.includes(r.patch));
    if (r.mode === 'read') assert.equal(k.primitive, 'rwsem');
  }
}

test('valid patch subsets (ascending) produce the expected, consistent table', () => {
  fc.assert(fc.property(validSubset, (ids) => {
    checkConsistent(kernelFromPatches(ids), ids);
    checkConsistent(resolveKernel(`patches:${ids.join(',')}`), ids);
  }));
});

test('any order with 3 before every sharing patch gives the same table as ascending', () => {
  fc.assert(fc.property(validSubset.chain((ids) => fc.shuffledSubarray(ids, { minLength: ids.length, maxLength: ids.length }).map((p) => [ids, p] as const)), ([ids, perm]) => {
    const threeAt = perm.indexOf(3);
    const ok = perm.every((p, i) => p <= 3 || i > threeAt);
    if (ok) {
      checkConsistent(kernelFromPatches(perm), ids);
    } else {
      assert.throws(() => kernelFromPatches(perm), (e: unknown) =>
        e instanceof KernelConfigError && e.field === 'patches' && /needs the rwsem of patch 3/.test(e.message));
    }
  }));
});

test('invalid subsets (a sharing patch without 3) produce a message, never a crash', () => {
  fc.assert(fc.property(subset.filter((ids) => !ids.includes(3) && ids.some((i) => i > 3)), (ids) => {
    assert.throws(() => kernelFromPatches(ids), (e: unknown) =>
      e instanceof KernelConfigError && e.message.startsWith('patches: patch ') && /apply 3 before it/.test(e.message));
  }));
});

/** Either a config or a KernelConfigError whose message starts with its field. */
function total(f: () => KernelConfig): void {
  try {
    const k = f();
    assert.equal(Object.keys(k.sites).length, SITE_IDS.length);
  } catch (e) {
    if (!(e instanceof KernelConfigError)) throw e;
    assert.ok(e.message.startsWith(`${e.field}: `), e.message);
  }
}

test('resolveKernel on arbitrary strings and values never crashes', () => {
  const token = fc.oneof(fc.integer({ min: -2, max: 14 }).map(String), fc.constantFrom('11/10', '1-4', '4-1', '', ' ', 'x', '03'));
  const specString = fc.oneof(
    fc.string(),
    fc.array(token, { maxLength: 6 }).map((t) => `patches:${t.join(',')}`),
    fc.tuple(fc.constantFrom('3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged', 'x'), fc.array(token, { maxLength: 4 }))
      .map(([b, t]) => `${b}+${t.join(',')}`),
  );
  fc.assert(fc.property(specString, (s) => total(() => resolveKernel(s))), { numRuns: 500 });
  fc.assert(fc.property(fc.anything(), (x) => total(() => resolveKernel(x as never))), { numRuns: 300 });
  const lockish = fc.record({
    base: fc.option(fc.constantFrom('3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged', '3.18-rc1-locks-2.6.39', '3.18-rc1-locks-3.8', 'zz'), { nil: undefined }),
    patches: fc.option(fc.oneof(fc.array(fc.oneof(fc.integer({ min: 0, max: 12 }), token)), token), { nil: undefined }),
    locks: fc.option(fc.dictionary(
      fc.constantFrom('i_mmap', 'anon_vma', 'mmap_sem', 'ptl', 'pte'),
      fc.record({
        primitive: fc.option(fc.constantFrom('mutex', 'rwsem', 'spinlock', 'x'), { nil: undefined }),
        options: fc.option(fc.dictionary(fc.constantFrom('optimisticSpin', 'writerSteal', 'readerPreference', 'fair', 'bogus'), fc.oneof(fc.boolean(), fc.integer())), { nil: undefined }),
      }, { requiredKeys: [] }),
    ), { nil: undefined }),
  }, { requiredKeys: [] });
  fc.assert(fc.property(lockish, (spec) => total(() => resolveKernel(spec as never))), { numRuns: 500 });
});
