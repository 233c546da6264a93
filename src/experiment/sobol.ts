/**
 * The Sobol' low-discrepancy sequence (unscrambled, Gray-code order, 32-bit), as in Joe and
 * Kuo's sobol.cc, for up to SOBOL_MAX_DIMS dimensions. Point 0 is the origin, as in
 * scipy.stats.qmc.Sobol(scramble=False). The first 2^k points of each dimension hit each of
 * the 2^k intervals [j/2^k, (j+1)/2^k) exactly once.
 *
 * Direction numbers: the first lines of new-joe-kuo-6.21201 (S. Joe and F. Y. Kuo,
 * "Constructing Sobol sequences with better two-dimensional projections", SIAM J. Sci.
 * Comput. 30, 2635-2654, 2008), dimensions 2-21: [s, a, m_1..m_s].
 */
const JOE_KUO: ReadonlyArray<readonly [number, number, readonly number[]]> = [
  [1, 0, [1]],
  [2, 1, [1, 3]],
  [3, 1, [1, 3, 1]],
  [3, 2, [1, 1, 1]],
  [4, 1, [1, 1, 3, 3]],
  [4, 4, [1, 3, 5, 13]],
  [5, 2, [1, 1, 5, 5, 17]],
  [5, 4, [1, 1, 5, 5, 5]],
  [5, 7, [1, 1, 7, 11, 19]],
  [5, 11, [1, 1, 5, 1, 1]],
  [5, 13, [1, 1, 1, 3, 11]],
  [5, 14, [1, 3, 5, 5, 31]],
  [6, 1, [1, 3, 3, 9, 7, 49]],
  [6, 13, [1, 1, 1, 15, 21, 21]],
  [6, 16, [1, 3, 1, 13, 27, 49]],
  [6, 19, [1, 1, 1, 15, 7, 5]],
  [6, 22, [1, 3, 1, 15, 13, 25]],
  [6, 25, [1, 1, 5, 5, 19, 61]],
  [7, 1, [1, 3, 7, 11, 23, 15, 103]],
  [7, 4, [1, 3, 7, 13, 13, 15, 69]],
];

export const SOBOL_MAX_DIMS = JOE_KUO.length + 1;
const BITS = 32;

function directions(dim: number): Uint32Array {
  const v = new Uint32Array(BITS + 1);
  if (dim === 0) {
    for (let i = 1; i <= BITS; i++) v[i] = 2 ** (BITS - i);
    return v;
  }
  const [s, a, m] = JOE_KUO[dim - 1]!;
  for (let i = 1; i <= Math.min(s, BITS); i++) v[i] = (m[i - 1]! * 2 ** (BITS - i)) >>> 0;
  for (let i = s + 1; i <= BITS; i++) {
    let x = (v[i - s]! ^ (v[i - s]! >>> s)) >>> 0;
    for (let k = 1; k <= s - 1; k++) if ((a >>> (s - 1 - k)) & 1) x = (x ^ v[i - k]!) >>> 0;
    v[i] = x;
  }
  return v;
}

/** The first `n` points of the `dims`-dimensional Sobol' sequence, each in [0, 1)^dims. */
export function sobolPoints(n: number, dims: number): number[][] {
  if (!Number.isInteger(dims) || dims < 1 || dims > SOBOL_MAX_DIMS) throw new RangeError(`sobol: dims must be an integer from 1 to ${SOBOL_MAX_DIMS}, got ${dims}`);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31) throw new RangeError(`sobol: n must be an integer from 0 to 2^31, got ${n}`);
  const v = Array.from({ length: dims }, (_, d) => directions(d));
  const x = new Uint32Array(dims);
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      // c = 1-based position of the rightmost zero bit of i - 1
      let c = 1;
      let val = i - 1;
      while (val & 1) { val >>>= 1; c++; }
      for (let d = 0; d < dims; d++) x[d] = (x[d]! ^ v[d]![c]!) >>> 0;
    }
    out.push(Array.from(x, (xi) => xi / 2 ** BITS));
  }
  return out;
}
