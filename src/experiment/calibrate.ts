/**
 * `mmlock calibrate` (= `npm run calibrate`): fit the aim7 model's two calibrated
 * parameters to the BASELINE column of the paper only (data/paper/baseline-3.18-rc1.csv,
 * kernel 3.18-rc1), and write data/calibration/aim7.json with what was fitted, to what,
 * and the residual per row.
 *
 * - userUnitMs (user time of one cpu unit) is fitted to alltests: the disk workfile has no
 *   cpu tests, so it does not depend on it;
 * - ioScale (scale of the file-system data-path costs) is fitted to disk.
 * Each is a one-dimensional root search of the mean log error over the calibration load
 * points: a multiplicative step with the elasticity of jpm to the parameter taken from the
 * last two evaluations (secant in log space; −1 before there are two), clamped to the
 * bounds of calibration.ts. Every evaluation is a sweep (the experiment layer's runSweep)
 * journaled under `out/`, so an interrupted calibration resumes: a rerun recomputes the same
 * parameter values and finds their runs done. Values are rounded to 4 significant digits
 * so that reruns hit the same sweeps.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { dataPath } from '../data';
import { CALIBRATED_BOUNDS, CALIBRATION_FILE, loadCalibration, type Aim7Calibrated } from '../workloads/aim7/calibration';
import { runSweep, type SweepOptions } from './sweep';
import { seedText } from '../engine/seed';

export interface CalibrateOptions {
  /** journal folder of the evaluations (default results/calibrate) */
  out?: string;
  /** worker threads (default: available parallelism; 0 = this thread), as runSweep */
  workers?: number;
  /** load points of the fit (default 100, 500, 1000, 1500, 2000) */
  users?: number[];
  /** search steps per parameter (default 4) */
  iterations?: number;
  /** extra aim7 params of every evaluation (estimate, warmupMs, windowMs, ...) */
  params?: Record<string, number | string | boolean>;
  seed?: string | number;
  /** where to write the fit (default data/calibration/aim7.json); null: do not write */
  file?: string | null;
  /**
   * stop when |mean log error| is below this (default 0.02: one seed's jpm moves by a few %
   * for a 1% change of a parameter, so a tighter fit chases noise)
   */
  tolerance?: number;
  onProgress?: SweepOptions['onProgress'];
  /** the workload model (default 'aim7'; tests use a stand-in with the same params) */
  workload?: string;
  /** modules every sweep worker requires first (e.g. one registering `workload`) */
  modules?: string[];
  log?: (line: string) => void;
}

export interface CalibrationRow { workload: string; users: number; paper_jpm: number; sim_jpm: number; error_pct: number }

export interface CalibrationResult {
  params: Aim7Calibrated;
  rows: CalibrationRow[];
  /** per workload: mean absolute % error of the fitted rows */
  mape: Record<string, number>;
  evaluations: { workload: string; param: keyof Aim7Calibrated; value: number; meanLogError: number }[];
}

/** the baseline column: workload,users,jpm */
export function readBaseline(file = dataPath('paper', 'baseline-3.18-rc1.csv')): Map<string, number> {
  const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const head = lines.shift()!.split(',');
  if (head.join(',') !== 'workload,users,jpm') throw new Error(`${file}: expected the header workload,users,jpm, got ${head.join(',')}`);
  const out = new Map<string, number>();
  for (const l of lines) {
    const [w, u, j] = l.split(',');
    out.set(`${w}:${Number(u)}`, Number(j));
  }
  return out;
}

const round4 = (x: number) => Number(x.toPrecision(4));

export async function calibrate(o: CalibrateOptions = {}): Promise<CalibrationResult> {
  const seed = seedText(o.seed === undefined ? '2014' : o.seed, 'calibrate: seed');
  const out = o.out ?? join('results', 'calibrate');
  const users = o.users ?? [100, 500, 1000, 1500, 2000];
  const iterations = o.iterations ?? 4;
  const tol = o.tolerance ?? 0.02;
  const log = o.log ?? (() => undefined);
  const target = readBaseline();
  for (const u of users) for (const w of ['alltests', 'disk']) if (!target.has(`${w}:${u}`)) throw new Error(`calibrate: the baseline has no ${w} row at ${u} users`);
  let params: Aim7Calibrated = { ...loadCalibration() };
  const evaluations: CalibrationResult['evaluations'] = [];
  const lastRows = new Map<string, CalibrationRow[]>();

  async function evaluate(workload: 'alltests' | 'disk', p: Aim7Calibrated): Promise<number> {
    const spec = {
      name: `calibrate-${workload}`,
      base: { workload: o.workload ?? 'aim7', kernel: '3.18-rc1', params: { ...(o.params ?? {}), workfile: workload, userUnitMs: p.userUnitMs, ioScale: p.ioScale } },
      axes: { users },
      replications: 1,
      seed,
    };
    const dir = join(out, `${workload}-u${p.userUnitMs}-io${p.ioScale}`);
    const r = await runSweep(spec, { out: dir, workers: o.workers, onProgress: o.onProgress, modules: o.modules });
    const rows: CalibrationRow[] = r.rows.map((row) => {
      const u = Number(row.users), sim = Number(row.jpm), paper = target.get(`${workload}:${u}`)!;
      return { workload, users: u, paper_jpm: paper, sim_jpm: sim, error_pct: (sim / paper - 1) * 100 };
    }).sort((a, b) => a.users - b.users);
    lastRows.set(workload, rows);
    const e = rows.reduce((s, x) => s + Math.log(x.sim_jpm / x.paper_jpm), 0) / rows.length;
    return e;
  }

  async function fit(workload: 'alltests' | 'disk', key: keyof Aim7Calibrated): Promise<void> {
    const [lo, hi] = CALIBRATED_BOUNDS[key];
    const hist: { x: number; e: number }[] = [];
    for (let i = 0; i < iterations; i++) {
      const e = await evaluate(workload, params);
      hist.push({ x: params[key], e });
      evaluations.push({ workload, param: key, value: params[key], meanLogError: e });
      log(`calibrate ${workload}: ${key}=${params[key]} mean log error ${e.toFixed(4)}`);
      if (Math.abs(e) < tol) return;
      let elasticity = -1;
      if (hist.length >= 2) {
        const a = hist[hist.length - 2]!, b = hist[hist.length - 1]!;
        const dx = Math.log(b.x) - Math.log(a.x);
        if (Math.abs(dx) > 1e-9) elasticity = Math.min(-0.05, Math.max(-3, (b.e - a.e) / dx));
      }
      const next = round4(Math.min(hi, Math.max(lo, params[key] * Math.exp(-e / elasticity))));
      if (next === params[key]) return;
      params = { ...params, [key]: next };
    }
    // the last step's value has not been evaluated yet
    const e = await evaluate(workload, params);
    evaluations.push({ workload, param: key, value: params[key], meanLogError: e });
    log(`calibrate ${workload}: ${key}=${params[key]} mean log error ${e.toFixed(4)}`);
  }

  await fit('disk', 'ioScale');
  await fit('alltests', 'userUnitMs');
  const rows = [...(lastRows.get('alltests') ?? []), ...(lastRows.get('disk') ?? [])];
  const mape: Record<string, number> = {};
  for (const w of ['alltests', 'disk']) {
    const rs = rows.filter((r) => r.workload === w);
    mape[w] = rs.reduce((s, r) => s + Math.abs(r.error_pct), 0) / rs.length;
  }
  const result: CalibrationResult = { params, rows, mape, evaluations };
  const file = o.file === undefined ? CALIBRATION_FILE() : o.file;
  if (file) writeCalibration(file, result, { users, iterations, params: o.params ?? {}, seed });
  return result;
}

function writeCalibration(file: string, r: CalibrationResult, settings: object): void {
  const doc = {
    note: 'written by `npm run calibrate` (src/experiment/calibrate.ts); fitted to the 3.18-rc1 column only',
    target: 'data/paper/baseline-3.18-rc1.csv',
    fitted: {
      userUnitMs: 'user time of one cpu unit of data/workloads/aim7/tests.yaml, fitted to alltests (disk has no cpu tests)',
      ioScale: 'scale of the io costs of data/workloads/aim7/costs.yaml, fitted to disk',
    },
    params: r.params,
    residuals: { mape_pct: r.mape, rows: r.rows },
    evaluations: r.evaluations,
    settings,
  };
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
  renameSync(tmp, file);
}

