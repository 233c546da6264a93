/**
 * The calibrated parameters of the aim7 model and where they come from:
 * data/calibration/aim7.json, written by `npm run calibrate` (src/experiment/calibrate.ts),
 * which fits them to the 3.18-rc1 (baseline) column only. They are the defaults of the
 * aim7 workload's params of the same names; a run config may override them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dataPath } from '../../data';

export interface Aim7Calibrated {
  /** user time of one `cpu` unit of tests.yaml, ms */
  userUnitMs: number;
  /** multiplier of the serialised journal and writeback costs (marked `io` in costs.yaml) */
  ioScale: number;
}

/** bounds the fit searches within (and the workload's param ranges) */
export const CALIBRATED_BOUNDS: Readonly<Record<keyof Aim7Calibrated, readonly [number, number]>> = Object.freeze({
  userUnitMs: [1, 2000],
  ioScale: [0.01, 1000],
});

export const CALIBRATION_FILE = () => dataPath('calibration', 'aim7.json');

/** the committed fit (or the documented starting point when the file is absent) */
export function loadCalibration(file = CALIBRATION_FILE()): Aim7Calibrated {
  const fallback: Aim7Calibrated = { userUnitMs: 100, ioScale: 1 };
  if (!existsSync(file)) return fallback;
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { params?: Partial<Aim7Calibrated> };
  const out = { ...fallback, ...(doc.params ?? {}) };
  for (const k of Object.keys(CALIBRATED_BOUNDS) as (keyof Aim7Calibrated)[]) {
    const [lo, hi] = CALIBRATED_BOUNDS[k];
    if (typeof out[k] !== 'number' || !(out[k] >= lo && out[k] <= hi)) throw new Error(`${file}: params.${k} must be a number in [${lo}, ${hi}], got ${JSON.stringify(out[k])}`);
  }
  return out;
}
