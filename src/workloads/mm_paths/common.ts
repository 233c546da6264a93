import { Simulation } from '../../engine';
import { loadMachine } from '../../hw';
import { Scheduler } from '../../sched';
import { LockEnv } from '../../locking';
import { isSiteId, resolveKernel } from '../../kernel';
import { MmContext, type MmCosts, type NumaParams, type SiteOverlapStats, type VmStat } from '../../mm';

/**
 * Shared scaffolding of the scenarios that exercise the i_mmap paths the v1 cover letter
 * lists as untested (hugetlb, uprobes, memory failure, XIP, nommu): one simulated kernel
 * per run, and a report of every i_mmap call site from lockstat and the overlap probe.
 */
export interface ScenarioOptions {
  /** kernel name or spec (src/kernel): 3.18-rc1, 3.18-rc1-i_mmap_rwsem, 3.18-rc1-i_mmap_rwsem-merged, ... */
  kernel: string;
  /** machine preset (default ivybridge-ex-4s, the cover letter's machine) */
  machine?: string;
  /** run seed (src/engine/seed.ts; default 1) */
  seed?: number | string;
  /** checking mode: lock invariants and rmap.c lock order on every operation (default true) */
  checks?: boolean;
}

/** MmContext options a scenario needs (NUMA tunables, costs) */
export interface ScenarioMmOptions { numa?: Partial<NumaParams>; costs?: Partial<MmCosts> }

/**
 * A scenario's core, independent of who built the simulation: `setup` spawns the
 * scenario's tasks on `ctx` (options `o`, its own options only: kernel, machine, seed and
 * checks are the simulation's) and returns a function that reads the figures once the
 * simulation has run to completion. Two drivers call it: `runScenario` (a simulation of
 * its own, `mmlock scenario`) and the experiment layer's workload (mm_paths/workloads.ts:
 * the run's sim, scheduler, lock environment and kernel).
 */
export interface ScenarioDef<O> {
  name: string;
  /** options of the MmContext the scenario needs */
  mm?: ScenarioMmOptions;
  setup(ctx: MmContext, o: O): () => Record<string, number>;
}

/** A scenario's options without the simulation-level ones. */
export type OwnOptions<O extends ScenarioOptions> = Omit<O, keyof ScenarioOptions>;

/** Run `def` standalone: its own simulation (scenarioSim), to completion, then the report. */
export function runScenario<O extends ScenarioOptions>(def: ScenarioDef<OwnOptions<O>>, o: O): ScenarioReport {
  const { sim, ctx } = scenarioSim(o, def.mm);
  const figures = def.setup(ctx, o);
  return finish(def.name, sim, ctx, figures);
}

export function scenarioSim(o: ScenarioOptions, mm: ScenarioMmOptions = {}) {
  const sim = new Simulation(o.seed ?? 1);
  const sched = new Scheduler(sim, loadMachine(o.machine ?? 'ivybridge-ex-4s'));
  const env = new LockEnv(sim, sched, { checks: o.checks ?? true });
  const ctx = new MmContext(sim, sched, env, resolveKernel(o.kernel), mm);
  return { sim, sched, env, ctx };
}

/** One i_mmap call site as the scenario saw it. */
export interface SiteRow {
  /** the kernel's mode at this site */
  mode: 'read' | 'write';
  acquisitions: number;
  contentions: number;
  waitMeanNs: number;
  waitMaxNs: number;
  holdMeanNs: number;
  holdMaxNs: number;
  /** time-overlap of holders (src/mm/model/site_overlap.ts) */
  overlap: SiteOverlapStats;
}

export interface ScenarioReport {
  scenario: string;
  kernel: string;
  /** simulated time until every task finished (ns) */
  elapsedNs: number;
  /** i_mmap lockstat per call site */
  sites: Record<string, SiteRow>;
  /** scenario-specific figures */
  figures: Record<string, number>;
}

/** i_mmap lockstat + overlap, per call site */
export function immapSites(ctx: MmContext): Record<string, SiteRow> {
  const out: Record<string, SiteRow> = {};
  const sites = ctx.env.stat.classes.get('i_mmap');
  if (!sites) return out;
  for (const site of [...sites.keys()].sort()) {
    if (!isSiteId(site)) continue; // an i_mmap-class lock of a workload's own (microbench's lock operation), not a kernel call site
    const s = sites.get(site)!;
    out[site] = {
      mode: ctx.siteMode(site),
      acquisitions: s.acquisitions.read + s.acquisitions.write,
      contentions: s.contentions.read + s.contentions.write,
      waitMeanNs: s.wait.mean,
      waitMaxNs: s.wait.count ? s.wait.max : 0,
      holdMeanNs: s.hold.mean,
      holdMaxNs: s.hold.count ? s.hold.max : 0,
      overlap: ctx.immapOverlap.site(site),
    };
  }
  return out;
}

/** run the simulation to the end, check for stranded waiters, and build the report */
export function finish(scenario: string, sim: Simulation, ctx: MmContext, figures: () => Record<string, number>): ScenarioReport {
  sim.run();
  ctx.env.finalCheck();
  return { scenario, kernel: ctx.kernel.name, elapsedNs: sim.now, sites: immapSites(ctx), figures: figures() };
}

/** the vmstat counters as figures (every field of ctx.vmstat) */
export function vmstatFigures(ctx: MmContext, names?: readonly (keyof VmStat)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of names ?? (Object.keys(ctx.vmstat) as (keyof VmStat)[])) out[k] = ctx.vmstat[k];
  return out;
}
