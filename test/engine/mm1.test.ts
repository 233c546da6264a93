import { test } from 'node:test';
import { CalendarQueue } from '../../src/engine';
import { runMMc, checkMMc } from './queueing';

/**
 * Validation: an M/M/1 queue built from engine processes and a Resource of capacity 1
 * matches the closed forms (ρ = 0.5: Wq = ρ/(μ-λ) = 1 µs, P(wait > 0) = ρ, utilization
 * ρ). 200,000 customers; see `checkMMc` for the tolerances. Run on both future-event
 * lists (the default one stays in heap mode at these queue sizes, so the calendar is
 * forced on).
 */
const lambda = 0.5e-3, mu = 1e-3; // per ns: mean service 1 µs, mean interarrival 2 µs

test('M/M/1 (reference heap) matches the closed forms', () => {
  checkMMc(runMMc(lambda, mu, 1, 200_000, 2_000, 'mm1', 'heap'), lambda, mu, 1);
});

test('M/M/1 (calendar queue) matches the closed forms', () => {
  checkMMc(runMMc(lambda, mu, 1, 200_000, 2_000, 'mm1', new CalendarQueue(0)), lambda, mu, 1);
});
