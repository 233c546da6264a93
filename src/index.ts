/**
 * mmlock — a discrete-event model of Linux memory-management locking.
 * Layers: engine → hw → sched → locking → kernel → mm → fs → workloads → experiment.
 */
export * as engine from './engine';
export { Simulation, SimEvent, Parking, Process, Rng, Resource } from './engine';
export * as hw from './hw';
export * as sched from './sched';
export * as locking from './locking';
export * as kernel from './kernel';
export * as fs from './fs';
export { IntervalTree } from './mm/interval_tree';
export { loadMachine, machinePresets, Machine, CacheLine } from './hw';
export { Scheduler } from './sched';
export { LockEnv, Mutex, RwSem, SpinLock, LockStat } from './locking';
export { resolveKernel, kernelFromPatches } from './kernel';
export * as experiment from './experiment';
export * as workloads from './workloads';
export { run, runSweep, mergeSweeps, expandSweep, validateRunConfig, loadSweepSpec, loadSweepTable, ConfigError, reproduce, pairedChange, type ReproduceOptions, type ReproduceResult } from './experiment';
export { registerWorkload, getWorkload, workloadNames, listWorkloads } from './workloads';
export * as plots from './plot';
export * as notebook from './notebook';
export { show, plot, runSweepLive, lockTimeline } from './notebook';
export { lineChart, throughputChart, pctChangeChart, barChart, lockSitesChart, lockTimelineChart, renderSvg, ChartError, type VegaLiteSpec } from './plot';
// the mm model for scripts that build their own workloads (docs/extending.md#adding-a-workload):
// the context, mmap/munmap, the fault handlers, and the reaim workfile parser
export * as mm from './mm';
export { MmContext, type MmKernel } from './mm/model/context';
export { doMmap, doMmapRange, vmMmap, vmMmapAddr, mmapRegion, doMunmap, vmMunmap, doBrk, sysBrk, type MmapRequest } from './mm/mmap';
export { pageFault, filemapFault, anonFault, handlePteFault, FaultError } from './mm/memory';
export { hugetlbFault, type HugetlbFaultResult } from './mm/hugetlb_fault';
export { parseWorkfile, parseSizeKiB, WorkfileError, type Workfile, type WorkfileTest, type ParseOptions as WorkfileParseOptions } from './workloads/reaim/workfile';
