/**
 * Test shorthand for reproduce presets: a grid (workfiles, users, replications, params, a
 * validation, extras) written as the preset's list of sweep specs and comparison block, the
 * way data/reproduce/*.json are. Test code only: presets are sweep specs, this spares each
 * test the JSON.
 */
import type { ReproducePreset } from '../../src/experiment/reproduce';
import { dataPath } from '../../src/data';

export const B = '3.18-rc1', P = '3.18-rc1-i_mmap_rwsem';

export interface StubGrid {
  name?: string;
  /** the workload model (default: aim7) */
  workload?: string;
  machine?: string;
  workloads?: string[];
  /** for every workfile, or per workfile (one table sweep each) */
  users: number[] | Record<string, number[]>;
  kernels?: [string, string];
  replications?: number;
  seed?: number | string;
  /** default true */
  pairSeeds?: boolean;
  params?: Record<string, number | string | boolean>;
  goals?: unknown;
  validation?: { users: number[]; workloads?: string[]; replications?: number };
  extras?: { workload: string; label?: string; params?: Record<string, number | string | boolean>; metric: string; duration?: { ms?: number; warmupMs?: number } }[];
}

/** The preset of a grid: table sweep(s), the validation sweep, one sweep per extra; the paper's files by absolute path (the preset may be written anywhere). */
export function gridPreset(g: StubGrid): ReproducePreset {
  const kernels = g.kernels ?? [B, P];
  const machine = g.machine ?? 'ivybridge-ex-4s';
  const workload = g.workload ?? 'aim7';
  const seed = g.seed ?? 1;
  const reps = g.replications ?? 1;
  const pair = g.pairSeeds ?? true;
  const workloads = g.workloads ?? ['alltests', 'disk'];
  const base = (params: Record<string, unknown>) => ({ machine, workload, ...(Object.keys(params).length ? { params } : {}) });
  const paired = pair ? { pairSeeds: ['kernel'] } : {};
  const sweeps: unknown[] = [];
  if (Array.isArray(g.users)) {
    sweeps.push({ role: 'table', spec: { base: base({ ...g.params }), axes: { workfile: workloads, users: g.users, kernel: kernels }, replications: reps, seed, ...paired } });
  } else {
    for (const w of workloads) sweeps.push({ role: 'table', spec: { base: base({ ...g.params, workfile: w }), axes: { users: g.users[w], kernel: kernels }, replications: reps, seed, ...paired } });
  }
  if (g.validation) {
    const v = g.validation;
    const twin = { axis: 'estimate', seedOf: 'full' };
    sweeps.push({ role: 'validation', spec: { base: base({ ...g.params }), axes: { workfile: workloads.filter((w) => (v.workloads ?? workloads).includes(w)), users: v.users, estimate: ['full', 'window'], kernel: kernels }, replications: v.replications ?? 1, seed, pairSeeds: pair ? ['kernel', twin] : [twin] } });
  }
  for (const x of g.extras ?? []) {
    sweeps.push({ role: 'extra', ...(x.label ? { label: x.label } : {}), metric: x.metric, spec: { base: { machine, workload: x.workload, ...(x.params ? { params: x.params } : {}), ...(x.duration ? { duration: x.duration } : {}) }, axes: { kernel: kernels }, replications: reps, seed, ...paired } });
  }
  return {
    ...(g.name ? { name: g.name } : {}),
    compare: { kernels, paper: { table: dataPath('paper', 'aim7-3.18-rc1.csv'), numa: dataPath('paper', 'numa.json') }, ...(g.goals !== undefined ? { goals: g.goals as never } : {}) },
    sweeps,
  };
}
