import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sobolPoints, SOBOL_MAX_DIMS } from '../../src/experiment/sobol';

// scipy 1.17.1: scipy.stats.qmc.Sobol(d=21, scramble=False).random(1024), rows 3, 100, 777, 1023
const SCIPY: Record<number, number[]> = {
  3: [0.25, 0.75, 0.75, 0.75, 0.25, 0.25, 0.75, 0.25, 0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.25, 0.75, 0.25, 0.75, 0.25, 0.75, 0.75],
  100: [0.4140625, 0.2578125, 0.7734375, 0.7265625, 0.8828125, 0.7421875, 0.0234375, 0.4765625, 0.6328125, 0.6953125, 0.4609375, 0.6796875, 0.4765625, 0.8515625, 0.3203125, 0.4921875, 0.6796875, 0.7421875, 0.8359375, 0.3359375, 0.7578125],
  777: [0.6923828125, 0.9365234375, 0.1630859375, 0.2744140625, 0.6357421875, 0.3564453125, 0.1904296875, 0.7626953125, 0.3486328125, 0.3232421875, 0.7451171875, 0.6962890625, 0.3837890625, 0.4736328125, 0.5693359375, 0.5146484375, 0.4033203125, 0.8642578125, 0.3701171875, 0.7529296875, 0.2373046875],
  1023: [0.0009765625, 0.7529296875, 0.6123046875, 0.1455078125, 0.1865234375, 0.4384765625, 0.1396484375, 0.6181640625, 0.3447265625, 0.8505859375, 0.6787109375, 0.0361328125, 0.1298828125, 0.6650390625, 0.3623046875, 0.4638671875, 0.3134765625, 0.8759765625, 0.5849609375, 0.3193359375, 0.8662109375],
};

test('Sobol points equal scipy (unscrambled, Joe-Kuo directions) in all 21 dimensions', () => {
  assert.equal(SOBOL_MAX_DIMS, 21);
  const p = sobolPoints(1024, 21);
  for (const [i, row] of Object.entries(SCIPY)) assert.deepEqual(p[Number(i)], row, `point ${i}`);
  assert.deepEqual(sobolPoints(4, 2), [[0, 0], [0.5, 0.5], [0.75, 0.25], [0.25, 0.75]]);
});

test('the first 2^k points stratify every dimension and every 2-d projection into 2^k cells', () => {
  const k = 6, n = 2 ** k;
  const p = sobolPoints(n, 21);
  for (let d = 0; d < 21; d++) {
    const cells = new Set(p.map((x) => Math.floor(x[d]! * n)));
    assert.equal(cells.size, n, `dimension ${d}`);
  }
  // 2-d: each of the 8x8 cells holds one point of the first 64, for the first dimensions
  for (let a = 0; a < 4; a++) {
    for (let b = a + 1; b < 4; b++) {
      const cells = new Set(p.map((x) => `${Math.floor(x[a]! * 8)},${Math.floor(x[b]! * 8)}`));
      assert.equal(cells.size, 64, `dims ${a},${b}`);
    }
  }
});

test('bad dimensions or counts are RangeErrors', () => {
  assert.throws(() => sobolPoints(4, 0), RangeError);
  assert.throws(() => sobolPoints(4, 22), RangeError);
  assert.throws(() => sobolPoints(-1, 2), RangeError);
});
