import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lockTimeline, type TimelineInterval } from '../../src/notebook';

function holds(iv: TimelineInterval[]) {
  return iv.filter((i) => i.state.startsWith('hold'));
}

test('mutex timeline: holds never overlap, every hold lasts holdNs, waiters spin', () => {
  const t = lockTimeline({ design: 'mutex', threads: 6, holdNs: 1000, thinkNs: 2000, durationUs: 40, seed: 5 });
  const h = holds(t.intervals).sort((a, b) => a.startNs - b.startNs);
  assert.equal(h.length, t.totals.acquisitions);
  assert.ok(h.length > 10);
  for (let i = 1; i < h.length; i++) assert.ok(h[i]!.startNs >= h[i - 1]!.endNs - 1e-6, `overlap at ${h[i]!.startNs}`);
  for (const x of h) assert.ok(Math.abs(x.endNs - x.startNs - 1000) < 1e-6 && x.state === 'hold write');
  assert.ok(t.totals.spin > 0, 'optimistic spinning shows up');
});

test('rwsem timeline: read holds overlap, write holds are alone, readers sleep rather than spin', () => {
  const t = lockTimeline({ design: 'rwsem', threads: 8, readers: 0.5, holdNs: 2000, thinkNs: 4000, durationUs: 60, seed: 3 });
  const h = holds(t.intervals);
  const writes = h.filter((x) => x.state === 'hold write');
  const reads = h.filter((x) => x.state === 'hold read');
  assert.ok(writes.length > 0 && reads.length > 0);
  for (const w of writes) {
    for (const o of h) if (o !== w) assert.ok(o.endNs <= w.startNs + 1e-6 || o.startNs >= w.endNs - 1e-6, 'a write hold overlaps another hold');
  }
  const overlapping = reads.some((a) => reads.some((b) => a !== b && a.startNs < b.endNs && b.startNs < a.endNs));
  assert.ok(overlapping, 'readers share the lock');
  assert.ok(t.totals.sleep > 0);
});

test('options change the behaviour: a mutex without optimistic spinning sleeps instead of spinning', () => {
  const spin = lockTimeline({ design: 'mutex', threads: 6, durationUs: 40, seed: 2 });
  const nospin = lockTimeline({ design: 'mutex', optimisticSpin: false, threads: 6, durationUs: 40, seed: 2 });
  assert.ok(spin.totals.spin > spin.totals.sleep);
  assert.ok(nospin.totals.sleep > nospin.totals.spin);
});

test('same options and seed → same timeline; intervals sorted and well-formed', () => {
  const a = lockTimeline({ seed: 9, durationUs: 20 });
  const b = lockTimeline({ seed: 9, durationUs: 20 });
  assert.deepEqual(a.intervals, b.intervals);
  for (let i = 0; i < a.intervals.length; i++) {
    const x = a.intervals[i]!;
    assert.ok(x.endNs > x.startNs);
    if (i) assert.ok(a.intervals[i - 1]!.startNs <= x.startNs);
  }
});

test('bad options name the field and the allowed values', () => {
  assert.throws(() => lockTimeline({ design: 'spinlock' as never }), /lockTimeline: design must be one of mutex, rwsem, got "spinlock"/);
  assert.throws(() => lockTimeline({ threads: 0 }), /lockTimeline: threads must be an integer from 1 to 256, got 0/);
  assert.throws(() => lockTimeline({ readers: 2 }), /lockTimeline: readers must be a number from 0 to 1, got 2/);
});
