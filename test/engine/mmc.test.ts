import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CalendarQueue } from '../../src/engine';
import { runMMc, checkMMc, erlangC } from './queueing';

/**
 * Validation: an M/M/3 queue (Resource of capacity 3) matches the Erlang C closed forms
 * at ρ = 0.7: P(wait > 0) = C(3, 2.1) ≈ 0.492, Wq = C/(cμ-λ) ≈ 0.547 µs. 200,000
 * customers; see `checkMMc` for the tolerances.
 */
const lambda = 2.1e-3, mu = 1e-3, c = 3;

test('Erlang C formula: known values', () => {
  assert.ok(Math.abs(erlangC(1, 0.5) - 0.5) < 1e-12); // M/M/1: P(wait) = ρ
  assert.ok(Math.abs(erlangC(2, 1) - 1 / 3) < 1e-12); // (1/2)/(1-ρ) ÷ (1 + 1 + 1) at a = 1
});

test('M/M/3 (calendar queue) matches the Erlang C closed forms', () => {
  checkMMc(runMMc(lambda, mu, c, 200_000, 2_000, 'mmc', new CalendarQueue(0)), lambda, mu, c);
});

test('M/M/3 (default queue) matches the Erlang C closed forms', () => {
  checkMMc(runMMc(lambda, mu, c, 200_000, 2_000, 'mmc-default'), lambda, mu, c);
});
