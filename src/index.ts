/**
 * mmlock — a discrete-event model of Linux memory-management locking.
 * Layers: engine → hw → sched → locking → mm → kernel → workloads → experiment.
 */
export * as engine from './engine';
export { Simulation, SimEvent, Parking, Process, Rng, Resource } from './engine';
export * as hw from './hw';
export * as sched from './sched';
export * as locking from './locking';
export * as kernel from './kernel';
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
