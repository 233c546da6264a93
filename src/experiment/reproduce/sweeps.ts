/**
 * The sweeps of a reproduce plan (preset.ts resolves the preset into the plan): plain sweep
 * specs, each run in its own folder by reproduce() in index.ts.
 *
 * - the aim7 table: a workload axis (one {name, params} value per workfile and user count,
 *   labelled `alltests/100`) × a kernel axis;
 * - the validation: the same workload axis on the validation's points × an `estimate` axis
 *   (full, window) × the kernel axis, twin-paired on `full` so that each window run takes
 *   its full run's seed;
 * - one sweep per extra workload: a kernel axis.
 *
 * Every sweep has the plan's seed and, with the plan's pairSeeds, `pairSeeds: ["kernel"]`.
 */
import type { ParamValues } from '../../workloads';
import { expandSweep, type ExpandedSweep, type SweepSpecInput } from '../spec';
import type { ReproducePlan } from './preset';

/** The parameters of one aim7 load point. */
export function pointParams(common: ParamValues, perWorkfile: ParamValues | undefined, workfile: string, users: number): ParamValues {
  return { ...common, ...(perWorkfile ?? {}), workfile, users };
}

/** The two estimates of a validation pair, in point order. */
export const VALIDATION_ESTIMATES = ['full', 'window'] as const;
export type ValidationEstimate = (typeof VALIDATION_ESTIMATES)[number];

/** The parameters of one validation run: the load point's, with `estimate` set. */
export function validationParams(common: ParamValues, perWorkfile: ParamValues | undefined, workfile: string, users: number, estimate: ValidationEstimate): ParamValues {
  return { ...pointParams(common, perWorkfile, workfile, users), estimate };
}

/** A sweep's pairSeeds for a plan: the kernel axis, or nothing (unpaired) */
function pairing(plan: ReproducePlan): Pick<SweepSpecInput, 'pairSeeds'> {
  return plan.pairSeeds ? { pairSeeds: ['kernel'] } : {};
}

/** The label of a load point on the sweep's workload axis. */
export function pointLabel(workfile: string, users: number): string {
  return `${workfile}/${users}`;
}

/**
 * The sweep of the aim7 table: a workload axis (one {name, params} value per workfile and
 * user count, labelled `alltests/100`) × a kernel axis, with the plan's replications and seed;
 * with the plan's pairSeeds, the two kernels of a load point and replication on one seed.
 */
export function mainSweepSpec(plan: ReproducePlan): SweepSpecInput {
  const values: unknown[] = [];
  const labels: string[] = [];
  for (const w of plan.workloads) {
    for (const u of plan.users[w]!) {
      values.push({ name: plan.workload, params: pointParams(plan.params, plan.workloadParams[w], w, u) });
      labels.push(pointLabel(w, u));
    }
  }
  return {
    name: `reproduce-${plan.preset}`,
    description: `mmlock reproduce: ${plan.workload} ${plan.workloads.join(', ')} on ${plan.kernels.join(' vs ')}`,
    base: { machine: plan.machine },
    axes: { workload: { values, labels }, kernel: [...plan.kernels] },
    replications: plan.replications,
    seed: plan.seed,
    ...pairing(plan),
  };
}

/** The sweep of one extra workload: both kernels, the plan's replications, seed and pairing. */
export function extraSweepSpec(plan: ReproducePlan, i: number): SweepSpecInput {
  const x = plan.extras[i]!;
  return {
    name: `reproduce-extra-${x.label}`,
    base: { machine: plan.machine, workload: x.workload, params: { ...(x.params ?? {}) }, ...(x.duration ? { duration: { ...x.duration } } : {}) },
    axes: { kernel: [...plan.kernels] },
    replications: plan.replications,
    seed: plan.seed,
    ...pairing(plan),
  };
}

/**
 * The validation sweep: a workload axis (workfile × users; labelled `alltests/100`) × an
 * estimate axis (full, window) × the kernel axis, the validation's replications, the plan's
 * seed and pairing, and each window run on the seed of its full twin (same workfile, users,
 * kernel, replication) by the twin pairing `{axis: "estimate", seedOf: "full"}`: a run's
 * seed otherwise derives from its config hash, which differs between the two estimates.
 * The full runs' seeds are those of a sweep with the estimate inside the workload axis.
 */
export function validationSweepSpec(plan: ReproducePlan): SweepSpecInput | null {
  const v = plan.validation;
  if (!v) return null;
  const values: unknown[] = [];
  const labels: string[] = [];
  for (const w of v.workloads) {
    for (const u of v.users) {
      values.push({ name: plan.workload, params: pointParams(plan.params, plan.workloadParams[w], w, u) });
      labels.push(pointLabel(w, u));
    }
  }
  const twin = { axis: 'estimate', seedOf: VALIDATION_ESTIMATES[0] };
  return {
    name: `reproduce-${plan.preset}-validation`,
    description: `mmlock reproduce: ${plan.workload} window estimate vs full runs on ${plan.kernels.join(' vs ')}; each window run on the seed of its full twin (same workfile, users, kernel, replication)`,
    base: { machine: plan.machine },
    axes: { workload: { values, labels }, estimate: [...VALIDATION_ESTIMATES], kernel: [...plan.kernels] },
    replications: v.replications,
    seed: plan.seed,
    pairSeeds: plan.pairSeeds ? ['kernel', twin] : [twin],
  };
}

/** The expanded validation sweep (null without validation). */
export function validationSweep(plan: ReproducePlan): ExpandedSweep | null {
  const spec = validationSweepSpec(plan);
  return spec ? expandSweep(spec) : null;
}
