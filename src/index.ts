/**
 * mmlock — a discrete-event model of Linux memory-management locking.
 * Layers: engine → hw → sched → locking → mm → kernel → workloads → experiment.
 */
export * as engine from './engine';
export { Simulation, SimEvent, Parking, Process, Rng } from './engine';
