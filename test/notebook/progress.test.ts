import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveProgress, runSweepLive, setDisplaySink, type DisplaySink, type MimeBundle } from '../../src/notebook';
import type { SweepProgress } from '../../src/experiment';

function capture() {
  const out: { bundle: MimeBundle; displayId?: string; update?: boolean }[] = [];
  const sink: DisplaySink = { kind: 'custom', publish: (bundle, o = {}) => out.push({ bundle, ...o }) };
  return { out, sink };
}
const p = (done: number, total = 10): SweepProgress => ({ done, total, resumed: 0, elapsedSeconds: done, rate: 1, etaSeconds: total - done, lastRunId: null });

test('liveProgress: one display updated in place, at most every intervalMs, and a final update', () => {
  const c = capture();
  const prev = setDisplaySink(c.sink);
  let now = 0;
  try {
    const live = liveProgress({ label: 'grid', intervalMs: 250, now: () => now });
    for (let i = 0; i <= 10; i++) { live.onProgress(p(i)); now += 100; } // 11 reports over 1.1 s
    live.done();
  } finally {
    setDisplaySink(prev);
  }
  // drawn at t=0, 300, 600, 900 ms (every 3rd report) + the final one
  assert.equal(c.out.length, 5);
  const ids = new Set(c.out.map((o) => o.displayId));
  assert.equal(ids.size, 1, 'one display id');
  assert.deepEqual(c.out.map((o) => Boolean(o.update)), [false, true, true, true, true]);
  const last = c.out.at(-1)!.bundle;
  assert.match(last['text/plain'] as string, /^grid \[#{24}\] 10\/10 100% .* done$/);
  assert.match(last['text/html'] as string, /<progress value="10" max="10"/);
});

test('liveProgress: tick() redraws between runs (elapsed time moves), throttled', () => {
  const c = capture();
  const prev = setDisplaySink(c.sink);
  let now = 0;
  try {
    const live = liveProgress({ now: () => now });
    live.tick(); // nothing reported yet: nothing drawn
    assert.equal(c.out.length, 0);
    live.onProgress(p(1));
    now = 100; live.tick(); // too soon
    now = 2000; live.tick();
    assert.equal(live.updates, 2);
    assert.match(c.out[1]!.bundle['text/plain'] as string, /ETA 0:07/); // 9 s left − 2 s since the report
  } finally {
    setDisplaySink(prev);
  }
});

test('runSweepLive: runs the sweep and leaves a finished progress display', async () => {
  const c = capture();
  const prev = setDisplaySink(c.sink);
  let res;
  try {
    res = await runSweepLive({
      base: { workload: 'lock-hammer', params: { holdNs: 100 }, duration: { ms: 0.2 } },
      axes: { threads: [1, 2] }, replications: 1, seed: 1,
    }, { workers: 0, label: 'tiny' });
  } finally {
    setDisplaySink(prev);
  }
  assert.equal(res.table.numRows(), 2);
  assert.ok(c.out.length >= 2);
  assert.match(c.out.at(-1)!.bundle['text/plain'] as string, /^tiny .* 2\/2 .*done$/);
  assert.equal(new Set(c.out.map((o) => o.displayId)).size, 1);
});
