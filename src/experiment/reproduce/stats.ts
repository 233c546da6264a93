/**
 * The arithmetic of `reproduce`, as pure functions: means and 95% confidence half-widths
 * (Student t over replications), % change and the errors against the paper.
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~15 significant digits). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the regularized incomplete beta function (modified Lentz). */
function betaCf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lbt = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const bt = Math.exp(lbt);
  return x < (a + 1) / (a + b + 2) ? (bt * betaCf(a, b, x)) / a : 1 - (bt * betaCf(b, a, 1 - x)) / b;
}

/** P(T <= t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile (0.5 <= p < 1) of Student's t with `df` >= 1 degrees of freedom (bisection). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p >= 0.5 && p < 1)) throw new RangeError(`studentTQuantile: p must be in [0.5, 1), got ${p}`);
  if (!(df >= 1) || !Number.isFinite(df)) throw new RangeError(`studentTQuantile: df must be >= 1, got ${df}`);
  let lo = 0, hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The finite numbers among `xs` (null, NaN and ±Infinity dropped). */
export function finite(xs: readonly (number | null | undefined)[]): number[] {
  return xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
}

/** The mean of the finite values, or null if there is none. */
export function mean(xs: readonly (number | null | undefined)[]): number | null {
  const v = finite(xs);
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : null;
}

/** Sample standard deviation (n − 1) of the finite values; null with fewer than 2. */
export function sampleSd(xs: readonly (number | null | undefined)[]): number | null {
  const v = finite(xs);
  if (v.length < 2) return null;
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
}

/**
 * Half-width of the 95% confidence interval of the mean over replications:
 * t(0.975, n − 1) × s / √n, with s the sample standard deviation. null with fewer than two
 * finite values (one replication has no interval).
 */
export function ci95(xs: readonly (number | null | undefined)[]): number | null {
  const v = finite(xs);
  const s = sampleSd(v);
  if (s === null) return null;
  return (studentTQuantile(0.975, v.length - 1) * s) / Math.sqrt(v.length);
}

/** % change from `base` to `other`: (other − base) / base × 100; null if undefined. */
export function pctChange(base: number | null | undefined, other: number | null | undefined): number | null {
  if (typeof base !== 'number' || typeof other !== 'number' || !Number.isFinite(base) || !Number.isFinite(other) || base === 0) return null;
  return ((other - base) / base) * 100;
}

/** % error of a simulated value against the paper's: (sim − paper) / paper × 100. */
export function pctError(sim: number | null | undefined, paper: number | null | undefined): number | null {
  return pctChange(paper, sim);
}

/** Difference in points (sim − paper) of two percentages; null if either is missing. */
export function pointsError(sim: number | null | undefined, paper: number | null | undefined): number | null {
  if (typeof sim !== 'number' || typeof paper !== 'number' || !Number.isFinite(sim) || !Number.isFinite(paper)) return null;
  return sim - paper;
}

/** Mean of |x| over the non-null values; null if there is none. */
export function meanAbs(xs: readonly (number | null | undefined)[]): number | null {
  return mean(finite(xs).map(Math.abs));
}
