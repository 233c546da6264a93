import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FileSystem } from '../../src/fs';
import { kernelSim, siteAcquisitions } from '../mm/harness';
import { unitCosts } from './harness';

const DIRS = { tmp: 'TMPDIR', bin: '/bin' } as const;

test('file system: creat, readdir and unlink take the directory\'s i_mutex at their sites; sync writes back, scans the inodes and forces the log', () => {
  const k = kernelSim();
  const fs = new FileSystem<keyof typeof DIRS>(k.ctx, DIRS, unitCosts());
  k.runTask(function* (t) {
    const a = yield* fs.creat(t, 'tmp', null);
    const b = yield* fs.creat(t, 'tmp', null);
    assert.notEqual(a, b);
    yield* fs.write(t, a, 4);
    assert.equal(yield* fs.creat(t, 'tmp', a), a, 'O_TRUNC of an existing file: the same inode');
    assert.equal(fs.writeback.dirty.size, 0, 'truncated: not dirty');
    yield* fs.write(t, b, 4);
    yield* fs.readdir(t, 'bin');
    yield* fs.unlink(t, 'tmp', a);
    yield* fs.sync(t);
  });
  assert.equal(fs.liveInodes, 1);
  assert.deepEqual(siteAcquisitions(k.env, 'i_mutex'), {
    lookup_open: { read: 0, write: 3 }, iterate_dir: { read: 0, write: 1 }, vfs_unlink: { read: 0, write: 1 },
  });
  assert.deepEqual([fs.stats.syncs, fs.writeback.stats.items, fs.writeback.stats.inodes, fs.log.stats.forces], [1, 1, 1, 1]);
  assert.deepEqual(siteAcquisitions(k.env, 'inode_sb_list_lock'), { wait_sb_inodes: { read: 0, write: 1 } });
});

test('file system: after any sequence of operations, the live inodes are those created and not unlinked, and only they can be dirty (property)', () => {
  type Op = { k: 'creat' | 'unlink' | 'write' | 'sync' | 'osync'; dir: keyof typeof DIRS };
  const op = fc.record({ k: fc.constantFrom('creat', 'unlink', 'write', 'sync', 'osync'), dir: fc.constantFrom('tmp', 'bin') }) as fc.Arbitrary<Op>;
  fc.assert(fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
    const k = kernelSim();
    const fs = new FileSystem<keyof typeof DIRS>(k.ctx, DIRS, unitCosts());
    const open = new Map<keyof typeof DIRS, number>();
    let forces = 0;
    k.runTask(function* (t) {
      for (const o of ops) {
        if (o.k === 'creat') open.set(o.dir, yield* fs.creat(t, o.dir, open.get(o.dir) ?? null));
        else if (o.k === 'unlink') { yield* fs.unlink(t, o.dir, open.get(o.dir) ?? null); open.delete(o.dir); }
        else if (o.k === 'write') yield* fs.write(t, open.get(o.dir) ?? null, 1);
        else if (o.k === 'osync') { yield* fs.osyncWrite(t, 2); forces += 2; }
        else { yield* fs.sync(t); forces++; assert.equal(fs.writeback.dirty.size, 0); }
      }
    });
    assert.equal(fs.liveInodes, open.size);
    for (const i of fs.writeback.dirty) assert.ok([...open.values()].includes(i), `inode ${i} dirty but not live`);
    assert.equal(fs.log.stats.forces, forces);
  }), { numRuns: 60 });
});
