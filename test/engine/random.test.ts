import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Streams, Simulation } from '../../src/engine';

/** Named random streams: reproducible, independent, with the right moments. */

const draw = (s: Streams, name: string, n = 1000) => Array.from({ length: n }, () => s.get(name).random());

test('same seed and name → the same numbers', () => {
  assert.deepEqual(draw(new Streams(7), 'disk'), draw(new Streams(7), 'disk'));
  assert.deepEqual(draw(new Streams('x'), 'disk'), draw(new Streams('x'), 'disk'));
  assert.equal(new Simulation(3).rng('a').random(), new Simulation(3).rng('a').random());
});

test('another seed or another name → other numbers', () => {
  assert.notDeepEqual(draw(new Streams(7), 'disk'), draw(new Streams(8), 'disk'));
  assert.notDeepEqual(draw(new Streams(7), 'disk'), draw(new Streams(7), 'cpu'));
});

test('streams are independent: drawing from one does not move another', () => {
  const a = new Streams(1), b = new Streams(1);
  draw(a, 'noise', 5000); // extra draws on another stream of run a
  a.get('new-component'); // and a stream created in between
  assert.deepEqual(draw(a, 'disk'), draw(b, 'disk'));
});

test('streams of different names are uncorrelated', () => {
  const s = new Streams(1);
  const n = 20_000;
  const x = draw(s, 'x', n), y = draw(s, 'y', n);
  const mean = (v: number[]) => v.reduce((p, q) => p + q, 0) / v.length;
  const mx = mean(x), my = mean(y);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  // for independent streams r ~ N(0, 1/n): |r| < 4/√n ≈ 0.028
  assert.ok(Math.abs(sxy / Math.sqrt(sxx * syy)) < 4 / Math.sqrt(n));
});

test('exponential(mean) has that mean; uniform, int and chance stay in range', () => {
  const r = new Streams(5).get('exp');
  const n = 100_000, m = 250;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += r.exponential(m);
  // the sample mean has sd m/√n ≈ 0.79; allow 4 sd
  assert.ok(Math.abs(sum / n - m) < 4 * m / Math.sqrt(n), `mean ${sum / n}`);
  for (let i = 0; i < 1000; i++) {
    const u = r.uniform(3, 5);
    assert.ok(u >= 3 && u < 5);
    const k = r.int(6);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 6);
    assert.equal(typeof r.chance(0.5), 'boolean');
  }
});
