import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseBench, loadBench, BenchError, BENCH_NAMES, benchPath } from '../../../src/workloads/microbench';

const bad = (doc: unknown, field: string, re: RegExp) => assert.throws(() => parseBench(doc), (e: unknown) => {
  assert.ok(e instanceof BenchError, String(e));
  assert.equal(e.field, field);
  assert.match(e.message, re);
  return true;
});

test('microbench files: every shipped one parses and cites its source', () => {
  for (const n of BENCH_NAMES) {
    const b = loadBench(benchPath(n));
    assert.ok(b.loop.length > 0, n);
    assert.match(b.source, /will-it-scale|aim7/, n);
  }
  const pf2 = loadBench(benchPath('page_fault2'));
  assert.deepEqual(pf2.file, { pages: 32768, per: 'task' });
  assert.deepEqual(pf2.loop, [
    { k: 'mmap', pages: 32768, backing: 'file', shared: false, prot: 'rw' },
    { k: 'touch', pages: 'all', write: true, count: true },
    { k: 'munmap' },
  ]);
  assert.equal(pf2.iterationsPerLoop, 0); // the touches count
  assert.equal(loadBench(benchPath('brk1')).iterationsPerLoop, 2);
  assert.equal(loadBench(benchPath('mmap_shared_file')).file!.per, 'all');
});

test('microbench format: errors name the field by its path and list what is allowed', () => {
  bad({}, 'loop', /missing/);
  bad({ loop: [] }, 'loop', /at least one/);
  bad({ loop: [{ fly: 1 }] }, 'loop[0].fly', /unknown operation; allowed: mmap, touch, munmap/);
  bad({ loop: [{ munmap: {}, brk: 1 }] }, 'loop[0]', /exactly one operation/);
  bad({ loop: [{ touch: {} }] }, 'loop[0].touch', /needs a mapping/);
  bad({ loop: [{ mmap: { pages: 4, backing: 'file' } }, { munmap: {} }] }, 'loop[0].mmap', /needs the top-level field file/);
  bad({ loop: [{ mmap: { pages: 4 } }] }, 'loop', /must unmap what it maps/);
  bad({ loop: [{ mmap: { pages: 0 } }, { munmap: {} }] }, 'loop[0].mmap.pages', /integer from 1/);
  bad({ loop: [{ mmap: { pages: 4, prot: 'rwx' } }, { munmap: {} }] }, 'loop[0].mmap.prot', /one of rw, r, none/);
  bad({ loop: [{ mmap: { pages: 4, size: 3 } }, { munmap: {} }] }, 'loop[0].mmap.size', /unknown field; allowed: pages, backing, shared, prot/);
  bad({ loop: [{ exec: '/bin/sh' }] }, 'loop[0].exec', /only inside fork/);
  bad({ loop: [{ fork: [{ exec: '/bin/foo' }] }] }, 'loop[0].fork[0].exec', /unknown binary "\/bin\/foo"; allowed: .*\/bin\/sh/);
  bad({ loop: [{ brk: 0 }] }, 'loop[0].brk', /non-zero integer/);
  bad({ loop: [{ lock: { class: 'big', mode: 'read' } }] }, 'loop[0].lock.class', /one of i_mmap, anon_vma, mmap_sem/);
  bad({ loop: [{ brk: 1 }], iterationsPerLoop: 0 }, 'iterationsPerLoop', /nothing would be counted/);
  bad({ loop: [{ brk: 1 }], mode: 'fibers' }, 'mode', /one of threads, processes/);
  bad({ loop: [{ brk: 1 }], image: '/bin/bash' }, 'image', /unknown binary/);
  bad({ loop: [{ brk: 1 }], tasks: 3 }, '(document).tasks', /unknown field; allowed: description, source, mode/);
  assert.throws(() => loadBench('/no/such.yaml'), /cannot read "\/no\/such.yaml": ENOENT/);
});

test('microbench format: an unknown operation or a negative size names the field and the allowed values', () => {
  bad({ loop: [{ mmap: { pages: 4 } }, { unmap: {} }] }, 'loop[1].unmap', /unknown operation; allowed: mmap, touch, munmap, mprotect, brk, fork, exec, lock, cpu, sys/);
  bad({ loop: [{ fork: [{ spawn: '/bin/sh' }] }] }, 'loop[0].fork[0].spawn', /unknown operation; allowed: mmap, /);
  bad({ setup: [{ malloc: 4 }], loop: [{ brk: 1 }] }, 'setup[0].malloc', /unknown operation; allowed: mmap, /);
  bad({ loop: [{ mmap: { pages: -4 } }, { munmap: {} }] }, 'loop[0].mmap.pages', /must be an integer from 1 to \d+, got -4/);
  bad({ loop: [{ mmap: { pages: 4 } }, { touch: { pages: -1 } }, { munmap: {} }] }, 'loop[1].touch.pages', /integer from 1 to \d+ or "all", got -1/);
  bad({ loop: [{ mmap: { pages: 4 } }, { mprotect: { prot: 'r', pages: -2 } }, { munmap: {} }] }, 'loop[1].mprotect.pages', /or "all", got -2/);
  bad({ file: { pages: -8 }, loop: [{ brk: 1 }] }, 'file.pages', /integer from 1 to \d+, got -8/);
  bad({ loop: [{ cpu: -5 }] }, 'loop[0].cpu', /must be a number >= 0, got -5/);
  bad({ loop: [{ lock: { class: 'i_mmap', holdNs: -1 } }] }, 'loop[0].lock.holdNs', />= 0, got -1/);
  bad({ loop: [{ brk: 1 }], iterations: -3 }, 'iterations', /integer from 0 to/);
  fc.assert(fc.property(fc.integer({ min: -1e6, max: 0 }), (n) => bad({ loop: [{ mmap: { pages: n } }, { munmap: {} }] }, 'loop[0].mmap.pages', new RegExp(`got ${n}$`))));
});

test('microbench format: a balanced mmap/munmap sequence parses; junk gives a BenchError, never another exception', () => {
  const op = fc.oneof(
    fc.record({ cpu: fc.nat(1000) }),
    fc.record({ brk: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ lock: fc.record({ class: fc.constantFrom('i_mmap', 'anon_vma', 'mmap_sem'), mode: fc.constantFrom('read', 'write'), holdNs: fc.nat(500) }) }),
  );
  const mapping = fc.record({ pages: fc.integer({ min: 1, max: 64 }), shared: fc.boolean(), touch: fc.option(fc.integer({ min: 1, max: 64 })) })
    .map((m) => [{ mmap: { pages: m.pages, shared: m.shared } }, ...(m.touch ? [{ touch: { pages: m.touch } }] : []), { munmap: {} }]);
  fc.assert(fc.property(fc.array(fc.oneof(op.map((o) => [o]), mapping), { minLength: 1, maxLength: 6 }), (parts) => {
    const loop = parts.flat();
    const b = parseBench({ loop });
    assert.equal(b.loop.length, loop.length);
    assert.equal(b.iterationsPerLoop, 1);
  }));
  fc.assert(fc.property(fc.anything(), (junk) => {
    try {
      parseBench({ loop: [junk] });
    } catch (e) {
      assert.ok(e instanceof BenchError, String(e));
      assert.match(e.field, /^loop\[0\]/);
    }
  }));
});
