import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { XfsLog } from '../../src/fs';
import { kernelSim } from '../mm/harness';

/** `n` tasks force the log, task i after i × `gapNs`; returns the log and when each force returned */
function forces(n: number, gapNs: number, groupCommit: boolean, writeNs = 10_000) {
  const k = kernelSim();
  const log = new XfsLog(k.env, k.sched, writeNs, groupCommit);
  const done: number[] = [];
  for (let i = 0; i < n; i++) {
    k.sched.spawn(`t${i}`, function* (t) {
      yield* k.sched.compute(t, 1 + i * gapNs);
      yield* log.force(t, 'xfs_file_fsync');
      done.push(k.sim.now);
    });
  }
  k.sim.run();
  k.env.finalCheck();
  return { log, done, env: k.env };
}

test('xfs log group commit: forces that arrive together share one write; those arriving during it share the next', () => {
  assert.equal(forces(8, 100, true).log.stats.writes, 1, 'all queued before the write started');
  const { log, done, env } = forces(8, 3000, true);
  assert.equal(log.stats.forces, 8);
  assert.equal(done.length, 8);
  assert.ok(log.stats.writes >= 2 && log.stats.writes < 8, `writes ${log.stats.writes}`);
  assert.ok(!env.stat.rows().some((r) => r.lockClass === 'xfs_log'), 'with group commit no log mutex is taken');
});

test('xfs log without group commit (what-if): every force is a log write of its own, under the log mutex', () => {
  const { log, env } = forces(8, 100, false);
  assert.equal(log.stats.writes, 8);
  assert.equal(log.stats.forces, 8);
  const rows = env.stat.rows().filter((r) => r.lockClass === 'xfs_log');
  assert.deepEqual(rows.map((r) => [r.site, r.acqWrite]), [['xfs_file_fsync', 8]]);
});

test('xfs log: forces far apart each get a write; never more writes than forces, every force returns (property)', () => {
  assert.equal(forces(3, 1e6, true).log.stats.writes, 3);
  fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 30_000 }), fc.boolean(), (n, gap, gc) => {
    const { log, done } = forces(n, gap, gc);
    assert.equal(done.length, n);
    assert.equal(log.stats.forces, n);
    assert.ok(log.stats.writes >= 1 && log.stats.writes <= n);
    if (!gc) assert.equal(log.stats.writes, n);
  }), { numRuns: 40 });
});
