/** Scenarios for the i_mmap paths the v1 cover letter lists as untested. */
export { scenarioSim, immapSites, finish, type ScenarioOptions, type ScenarioReport, type SiteRow } from './common';
export { runPostgresHugetlb, type PostgresHugetlbOptions } from './postgres_hugetlb';
export { runMemoryFailure, churn, type MemoryFailureOptions } from './memory_failure';
export { runUprobe, type UprobeOptions } from './uprobe';
export { runXip, type XipOptions } from './xip';
export { runNommu, type NommuOptions } from './nommu';
