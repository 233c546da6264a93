import assert from 'node:assert/strict';
import { Simulation, Resource, type SimulationOptions } from '../../src/engine';

/**
 * Shared by the M/M/1 and M/M/c validation tests: an M/M/c queue built from engine
 * processes, plus the closed forms and a batch-means error estimate to check it with.
 * Time unit: ns; rates are per ns.
 */

export interface MMcRun {
  /** waiting time in queue of each customer after the warm-up, in arrival order */
  waits: Float64Array;
  /** time-average fraction of the c servers busy over [warm-up end, last arrival] */
  utilization: number;
  /** per-batch utilizations (same window cut into equal spans) for an error estimate */
  utilizationBatches: number[];
}

/**
 * Poisson arrivals (rate lambda) of `customers` customers, each a process that requests
 * a unit of a c-unit Resource, holds it for an exponential service time (rate mu) and
 * releases it. The first `warmup` customers are dropped from the statistics.
 */
export function runMMc(
  lambda: number, mu: number, c: number, customers: number, warmup: number, seed: string,
  queue: SimulationOptions['queue'] = 'calendar',
): MMcRun {
  const sim = new Simulation(seed, { queue });
  const res = new Resource(sim, c);
  const arrivals = sim.rng('arrivals'), service = sim.rng('service');
  const waits = new Float64Array(customers);
  const start = new Float64Array(customers), end = new Float64Array(customers);
  let lastArrival = 0;
  function* customer(i: number) {
    const t0 = sim.now;
    yield res.request();
    waits[i] = sim.now - t0;
    start[i] = sim.now;
    yield service.exponential(1 / mu);
    end[i] = sim.now;
    res.release();
  }
  sim.process((function* () {
    for (let i = 0; i < customers; i++) {
      yield arrivals.exponential(1 / lambda);
      lastArrival = sim.now;
      sim.process(customer(i), 'customer');
    }
  })(), 'source');
  sim.run();
  // busy time of the servers inside [t0, t1], cut into batches
  const t0 = start[warmup], t1 = lastArrival, B = 20, span = (t1 - t0) / B;
  const busy = new Float64Array(B);
  for (let i = 0; i < customers; i++) {
    for (let b = 0; b < B; b++) {
      const lo = Math.max(start[i], t0 + b * span), hi = Math.min(end[i], t0 + (b + 1) * span);
      if (hi > lo) busy[b] += hi - lo;
    }
  }
  const utilizationBatches = Array.from(busy, (x) => x / (c * span));
  return {
    waits: waits.subarray(warmup),
    utilization: utilizationBatches.reduce((a, b) => a + b, 0) / B,
    utilizationBatches,
  };
}

/** Erlang C: probability that an arrival waits in an M/M/c queue with offered load a = λ/μ. */
export function erlangC(c: number, a: number): number {
  const rho = a / c;
  let term = 1, sum = 0; // term = a^k / k!
  for (let k = 0; k < c; k++) {
    sum += term;
    term *= a / (k + 1);
  }
  const top = term / (1 - rho);
  return top / (sum + top);
}

/** Closed forms for FCFS M/M/c: utilization, P(wait > 0), mean wait Wq, P(wait > x). */
export function mmcTheory(lambda: number, mu: number, c: number) {
  const a = lambda / mu, C = erlangC(c, a), r = c * mu - lambda;
  return {
    utilization: a / c,
    pWait: C,
    wq: C / r,
    tail: (x: number) => C * Math.exp(-r * x),
  };
}

/**
 * Mean and standard error by the method of batch means: successive waits are strongly
 * correlated, so the naive s/√n is far too small; means of B long consecutive batches
 * are nearly independent and their spread gives an honest error.
 */
export function batchMeans(xs: ArrayLike<number>, B = 40): { mean: number; se: number } {
  const m = Math.floor(xs.length / B);
  const means: number[] = [];
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let i = b * m; i < (b + 1) * m; i++) s += xs[i];
    means.push(s / m);
  }
  return meanSe(means);
}

/** Mean and standard error of the mean of (roughly independent) values. */
export function meanSe(v: number[]): { mean: number; se: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const varc = v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1);
  return { mean, se: Math.sqrt(varc / v.length) };
}

/** Map waits to 0/1 indicators of `pred`, for probabilities via batch means. */
export function indicator(xs: Float64Array, pred: (x: number) => boolean): Float64Array {
  return xs.map((x) => (pred(x) ? 1 : 0));
}

/**
 * Check a run against the FCFS M/M/c closed forms: mean wait in queue, P(wait > 0),
 * the FCFS tail P(wait > x) at x = 1/(cμ-λ) and 3/(cμ-λ) (other service orders have the
 * same mean wait but a different spread: LIFO misses these by 20-40 standard errors),
 * and utilization. Each estimate must lie within
 * 4 standard errors (batch means; over 20 seeds the z-scores had rms ≈ 1, so 4 is a
 * 1-in-10^4 false alarm per check), and the run must be long enough for that to mean
 * something: the error on Wq at most 3% of Wq, so a 15% bias fails at z > 5.
 */
export function checkMMc(r: MMcRun, lambda: number, mu: number, c: number): void {
  const th = mmcTheory(lambda, mu, c);
  const x = 1 / (c * mu - lambda);
  const est = {
    wq: [batchMeans(r.waits), th.wq],
    pWait: [batchMeans(indicator(r.waits, (w) => w > 0)), th.pWait],
    tail1: [batchMeans(indicator(r.waits, (w) => w > x)), th.tail(x)],
    tail3: [batchMeans(indicator(r.waits, (w) => w > 3 * x)), th.tail(3 * x)],
    utilization: [meanSe(r.utilizationBatches), th.utilization],
  } as const;
  for (const [name, [{ mean, se }, want]] of Object.entries(est)) {
    const z = (mean - want) / se;
    assert.ok(Math.abs(z) < 4, `${name}: simulated ${mean.toPrecision(5)} ± ${se.toPrecision(3)}, theory ${want.toPrecision(5)} (z = ${z.toFixed(2)})`);
  }
  assert.ok(est.wq[0].se < 0.03 * th.wq, `run too short: Wq standard error ${est.wq[0].se} vs Wq ${th.wq}`);
}
