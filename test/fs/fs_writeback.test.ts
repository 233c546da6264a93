import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BdiWriteback } from '../../src/fs';
import { kernelSim } from '../mm/harness';

test('bdi flusher: one work item at a time, each writing back every inode dirty when it starts', () => {
  const k = kernelSim();
  const wb = new BdiWriteback(k.sched, 5, 2);
  for (const i of [1, 2, 3]) wb.dirty.add(i);
  const back: number[] = [];
  for (let i = 0; i < 3; i++) {
    k.sched.spawn(`sync${i}`, function* (t) {
      yield* wb.syncInodes(t);
      back.push(k.sim.now);
    });
  }
  k.sim.run();
  assert.equal(wb.stats.items, 3, 'every sync queues an item of its own');
  assert.equal(wb.stats.inodes, 3, 'the first item wrote the three dirty inodes; the others found none');
  assert.equal(wb.dirty.size, 0);
  assert.equal(back.length, 3);
  // items run one after another: the first takes (5 + 3 × 2) µs of the flusher's CPU, the others 5 µs each
  assert.ok(back[2]! - back[0]! >= 2 * 5e3, `items overlapped: ${back.join(', ')}`);
});
