/** Scenarios, one per i_mmap path of issue #3, and their registry. */
import type { ParamSpec } from '../registry';
import { runScenario, type ScenarioOptions, type ScenarioReport } from './common';
import { SCENARIO_TABLES } from './workloads';

export { scenarioSim, runScenario, immapSites, finish, vmstatFigures, type ScenarioDef, type OwnOptions, type ScenarioOptions, type ScenarioReport, type SiteRow } from './common';
export { SCENARIO_TABLES, SCENARIO_WORKLOADS, scenarioWorkload, siteMetrics, type ScenarioTable } from './workloads';
export { runForkStorm, forkStormSetup, forkStormScenario, type ForkStormOptions, type ForkStormWorld } from './fork_storm';
export { runTruncate, truncateScenario, type TruncateOptions } from './truncate';
export { runNumaMigration, numaMigrationScenario, NUMA_SCENARIO_PARAMS, type NumaMigrationOptions } from './numa_migration';
export { runPostgresHugetlb, postgresHugetlbScenario, type PostgresHugetlbOptions } from './postgres_hugetlb';
export { runMemoryFailure, memoryFailureScenario, churn, hwpoisonTryToUnmap, type MemoryFailureOptions } from './memory_failure';
export { runUprobe, uprobeScenario, type UprobeOptions } from './uprobe';
export { runXip, xipScenario, type XipOptions } from './xip';
export { runNommu, nommuScenario, type NommuOptions } from './nommu';

/** A scenario-specific option: numeric unless `choices` lists the allowed strings. */
export interface ScenarioParam {
  help: string;
  choices?: readonly string[];
}

export interface ScenarioEntry {
  /** one line: what runs and which i_mmap sites it loads */
  description: string;
  /** options beyond ScenarioOptions (kernel, machine, seed, checks), with their defaults in the help */
  params: Readonly<Record<string, ScenarioParam>>;
  run(o: ScenarioOptions & Record<string, unknown>): ScenarioReport;
}

/** `mmlock scenario --list`'s view of a typed option: help with default and unit, choices of an enum */
function scenarioParam(p: ParamSpec): ScenarioParam {
  const unit = 'unit' in p && p.unit ? ` ${p.unit}` : '';
  const help = `${p.help} (default ${p.default}${unit})`;
  return p.type === 'enum' ? { help, choices: p.values } : { help };
}

/**
 * Every scenario by name (the name is also `ScenarioReport.scenario`), derived from
 * SCENARIO_TABLES (workloads.ts), which also registers each as a workload.
 */
export const SCENARIOS: Readonly<Record<string, ScenarioEntry>> = Object.freeze(Object.fromEntries(
  Object.entries(SCENARIO_TABLES).map(([name, t]): [string, ScenarioEntry] => [name, {
    description: t.description,
    params: Object.fromEntries(Object.entries(t.params).map(([k, p]) => [k, scenarioParam(p)])),
    run: (o) => runScenario(t.def, o),
  }]),
));

export const SCENARIO_NAMES: readonly string[] = Object.freeze(Object.keys(SCENARIOS));
